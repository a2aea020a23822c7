//! `flexgate inspect` and `flexgate encode`: AMF packets and values to
//! readable JSON and back (the mapping is documented in docs/json-mapping.md).
//!
//! The JSON is a lossless record of the wire, not of the [`flexgate_amf::Value`]
//! model: besides the values it keeps what an encoder decided, i.e. which
//! composite was sent as an object-table reference (and to which slot), AMF0
//! versus AMF3 (each avmplus switch), the declared header/body lengths, the
//! ECMA array count, AMF0 date time zones, NaN bit patterns and the flag bytes
//! of externalizable messages. So `encode` writes back the same bytes, also
//! for packets other encoders wrote (py3amf's zero body lengths, its ECMA
//! counts and referenced Dates).
//!
//! String and traits references are recorded only where the wire departs
//! from the rule every encoder follows (reference a string or traits the
//! second time, to its first table slot), so the JSON stays readable:
//! `encode` applies that rule and the recorded exceptions (py3amf, for one,
//! writes the anonymous traits of an exception object inline again). A
//! string written inline twice is not recorded; such input re-encodes to
//! equal values, not equal bytes.
//!
//! The reader is separate from `flexgate_amf`'s decoder (which builds values
//! and must stay lean) but uses it as its cursor, so offsets, string tables
//! and error kinds are the codec's own.

pub mod cli;
mod external;
mod hexdump;
mod keys;
mod read;
mod write;

pub use read::InspectError;
pub use write::JsonError;

use bytes::Bytes;
use serde_json::Value as Json;

/// AMF3 traits as the traits table holds them; equal traits are the same
/// traits to an encoder, which references them after the first time.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Traits {
    /// A class description: alias, sealed member names, dynamic flag.
    Object {
        class: String,
        sealed: Vec<String>,
        dynamic: bool,
    },
    /// An externalizable class, by alias.
    External(String),
}

/// The format of a bare value (`--value amf0|amf3`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One AMF0 value (which may switch to AMF3 with the avmplus marker).
    Amf0,
    /// One AMF3 value.
    Amf3,
}

/// What to decode: a whole packet, or one bare value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// An AMF packet (the body of an `application/x-amf` request or reply).
    Packet,
    /// One value that fills the input.
    Value(Format),
}

/// Decodes `input` and returns its JSON description.
pub fn to_json(input: Bytes, what: Input) -> Result<Json, InspectError> {
    read::Reader::new(input, false).read(what)
}

/// Decodes `input` and returns an annotated hex dump: every piece of the
/// input next to what it was decoded as. On a decoding error the dump of
/// everything before it is returned along with the error.
pub fn hexdump(input: Bytes, what: Input) -> (String, Option<InspectError>) {
    let mut reader = read::Reader::new(input.clone(), true);
    let outcome = reader.read(what);
    let lines = reader.into_trace();
    let error = outcome.err();
    (hexdump::render(&input, &lines, error.as_ref()), error)
}

/// Encodes a JSON description (as [`to_json`] produces) back to AMF bytes.
pub fn from_json(json: &Json, what: Input) -> Result<Vec<u8>, JsonError> {
    let mut out = Vec::with_capacity(256);
    write::Writer::new(&mut out).write(json, what)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAPPING: &str = include_str!("../../../../docs/json-mapping.md");

    /// The example rows of docs/json-mapping.md: format, bytes, JSON.
    fn examples() -> Vec<(Format, Vec<u8>, String)> {
        MAPPING
            .lines()
            .filter_map(|line| {
                let cells: Vec<&str> = line.split(" | ").collect();
                let format = match cells.get(1).copied() {
                    Some("amf0") => Format::Amf0,
                    Some("amf3") => Format::Amf3,
                    _ => return None,
                };
                let bytes = cells[2]
                    .trim_matches('`')
                    .split(' ')
                    .map(|h| u8::from_str_radix(h, 16).expect("hex byte"))
                    .collect();
                let json = cells[3].trim_end_matches(" |").trim_matches('`').to_owned();
                Some((format, bytes, json))
            })
            .collect()
    }

    #[test]
    fn doc_examples_round_trip() {
        let examples = examples();
        assert!(examples.len() >= 40, "only {} examples", examples.len());
        let registry = flexgate_messages::registry();
        for (format, bytes, json) in examples {
            let input = Bytes::from(bytes.clone());
            // The bytes are valid AMF to the codec itself...
            let decoded = match format {
                Format::Amf0 => flexgate_amf::from_amf0(input.clone(), registry),
                Format::Amf3 => flexgate_amf::from_amf3(input.clone(), registry),
            };
            assert!(decoded.is_ok(), "{json}: {decoded:?}");
            // ...inspect prints exactly the documented JSON (member order included)...
            let shown = to_json(input, Input::Value(format)).expect(&json);
            assert_eq!(serde_json::to_string(&shown).expect("prints"), json);
            // ...and encode turns that JSON back into the bytes.
            let parsed: Json = serde_json::from_str(&json).expect(&json);
            assert_eq!(
                from_json(&parsed, Input::Value(format)),
                Ok(bytes),
                "{json}"
            );
        }
    }
}

#[cfg(test)]
mod reference_tests {
    use super::*;

    /// `[X, ref X]` where X is `[Y, ref Y]` ... forty levels deep: each
    /// reference copied in full would double the output at every level.
    fn doubling_references(depth: u32) -> Vec<u8> {
        let mut bytes = Vec::new();
        for _ in 0..depth {
            bytes.extend([0x09, 0x05, 0x01]);
        }
        bytes.extend([0x09, 0x01, 0x01]);
        // Closing from the innermost: level i's second item refers to slot i + 1.
        for level in (0..depth).rev() {
            bytes.extend([0x09, ((level + 1) << 1) as u8]);
        }
        bytes
    }

    #[test]
    fn reference_copies_are_bounded_and_do_not_change_the_bytes() {
        let bytes = doubling_references(40);
        let json =
            to_json(Bytes::from(bytes.clone()), Input::Value(Format::Amf3)).expect("decodes");
        let text = serde_json::to_string(&json).expect("prints");
        assert!(text.len() < 4 << 20, "{} bytes of JSON", text.len());
        // Later references show no copy once the budget is spent...
        assert!(text.contains(r#"{"ref":1}"#), "{text:.200}");
        // ...and encoding does not need the copies.
        assert_eq!(
            from_json(&json, Input::Value(Format::Amf3)),
            Ok(bytes.clone())
        );
        assert!(
            flexgate_amf::from_amf3(Bytes::from(bytes), flexgate_amf::Registry::empty()).is_ok()
        );
    }
}
