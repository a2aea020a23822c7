//! The mapping itself: every example of docs/json-mapping.md both ways, and
//! the bound on copies of referenced values.

use bytes::Bytes;
use flexgate_inspect::{from_json, to_json, Format, Input};
use serde_json::Value as Json;

const MAPPING: &str = include_str!("../../../docs/json-mapping.md");

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
    let json = to_json(Bytes::from(bytes.clone()), Input::Value(Format::Amf3)).expect("decodes");
    let text = serde_json::to_string(&json).expect("prints");
    assert!(text.len() < 4 << 20, "{} bytes of JSON", text.len());
    // Later references show no copy once the budget is spent...
    assert!(text.contains(r#"{"ref":1}"#), "{text:.200}");
    // ...and encoding does not need the copies.
    assert_eq!(
        from_json(&json, Input::Value(Format::Amf3)),
        Ok(bytes.clone())
    );
    assert!(flexgate_amf::from_amf3(Bytes::from(bytes), flexgate_amf::Registry::empty()).is_ok());
}
