//! What each fuzz target does with one input, shared by the libFuzzer
//! targets (fuzz/fuzz_targets/*.rs) and the corpus regression test
//! (tests/fuzz_corpus.rs), so both exercise exactly the same code.
//!
//! Each function must never panic, whatever `data` holds: decoding errors
//! are the expected outcome for most inputs and are ignored. Whatever
//! decodes is also encoded again, since the gateway re-encodes values it
//! received (echoed arguments, published messages).

use std::collections::HashMap;

use bytes::Bytes;
use flexgate_amf::{from_amf3, DecodeErrorKind, DecodeLimits, Packet, Value};
use flexgate_broker::Selector;
use flexgate_messages::{ack_for, error_for, registry, Fault, FaultCode, Form, Message};

/// The limits the gateway decodes requests with (its `Limits` defaults).
pub const LIMITS: DecodeLimits = DecodeLimits {
    max_depth: 128,
    max_items: 1 << 20,
    ..DecodeLimits::DEFAULT
};

/// What a fuzz target does with one input.
pub type Target = fn(&[u8]);

/// The fuzz targets, by their directory name under fuzz/corpus/.
pub const TARGETS: &[(&str, Target)] = &[
    ("amf0_packet", amf0_packet),
    ("amf3_value", amf3_value),
    ("flex_message", flex_message),
    ("selector", selector),
];

/// The AMF packet envelope (AMF0 values, AMF3 behind avmplus markers), as
/// the gateway decodes a request body, then encoded again as a reply.
pub fn amf0_packet(data: &[u8]) {
    if let Ok(packet) = Packet::decode_with(Bytes::copy_from_slice(data), registry(), LIMITS) {
        let _ = packet.encode();
        let _ = packet.encode_request();
    }
}

/// One stand-alone AMF3 value (a streamed chunk, an externalizable's
/// payload), then encoded again.
pub fn amf3_value(data: &[u8]) {
    if let Ok(v) = from_amf3(Bytes::copy_from_slice(data), registry()) {
        let _ = flexgate_amf::to_amf3(&v);
        let _ = flexgate_amf::to_amf0(&v);
    }
}

/// Flex messages as the endpoint reads them: a packet decoded with the
/// externalizable registry (small messages, collections), each body read as
/// a request message, answered with an ack and an error, and re-encoded in
/// both forms.
pub fn flex_message(data: &[u8]) {
    let Ok(packet) = Packet::decode_with(Bytes::copy_from_slice(data), registry(), LIMITS) else {
        return;
    };
    for body in &packet.bodies {
        let message = match Message::from_request_body(&body.value) {
            Ok(m) => m,
            // A reply packet holds the message itself, not an argument array.
            Err(_) => match Message::from_value(&body.value) {
                Ok(m) => m,
                Err(_) => continue,
            },
        };
        round_trip(&message.to_value(Form::Full));
        round_trip(&message.to_value(Form::Small));
        let ack = Message::Acknowledge(ack_for(&message));
        round_trip(&ack.to_value(Form::Small));
        let fault = Fault::new(FaultCode::ServerProcessing, "fuzz");
        round_trip(&Message::Error(error_for(&message, fault)).to_value(Form::Full));
    }
}

/// Encodes a value as AMF3 and decodes it again; what flexgate writes it
/// must be able to read. Wrapping a body in a message adds nesting levels,
/// so a body decoded at the depth limit may come back too deep: that is the
/// limit working, not a codec disagreement.
fn round_trip(v: &Value) {
    if let Ok(bytes) = flexgate_amf::to_amf3(v) {
        match from_amf3(Bytes::from(bytes), registry()) {
            Ok(_) => {}
            Err(e) if matches!(e.kind, DecodeErrorKind::TooDeep(_)) => {}
            Err(e) => panic!("flexgate cannot read what it wrote: {e}"),
        }
    }
}

/// A message selector as a subscribe gives it, evaluated as a poll does.
/// The input is the selector's source, then optionally a NUL byte and the
/// value of the string header `h` (for `LIKE`). Parsed with the structural
/// bounds only (as a stored selector is re-parsed), so that long inputs
/// reach the parser; evaluated with the default header bound and a tiny
/// one; dropped. Whatever parses must parse again from its own text.
pub fn selector(data: &[u8]) {
    let (source, header) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let source = String::from_utf8_lossy(source);
    let Ok(parsed) = Selector::parse(&source) else {
        return;
    };
    let headers: HashMap<String, Value> = [
        ("h", Value::from(String::from_utf8_lossy(header).as_ref())),
        ("a", Value::Integer(1)),
        ("n", Value::Number(2.5)),
        ("b", Value::Bool(true)),
        ("s", Value::from("ADBE")),
        ("z", Value::Null),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let _ = parsed.matches(&headers);
    let _ = parsed.matches_within(&headers, 4);
    assert!(
        Selector::parse(parsed.as_str()).is_ok(),
        "a selector that parsed does not parse again"
    );
}
