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
//! This crate holds no AMF grammar: decoding is `flexgate_amf`'s decoder
//! with a [`flexgate_amf::trace::Trace`] that records what it read
//! ([`record`]), and encoding drives `flexgate_amf`'s [`flexgate_amf::Writer`]
//! with the recorded decisions ([`encode`]). The externalizable classes are
//! read by `flexgate_messages`' readers, which name their flag groups and fields.

pub mod cli;
mod encode;
mod hexdump;
mod input;
mod json;
mod keys;
mod record;

pub use encode::JsonError;
pub use input::{Format, Input};
pub use record::InspectError;

use bytes::Bytes;
use serde_json::Value as Json;

/// Decodes `input` and returns its JSON description.
pub fn to_json(input: Bytes, what: Input) -> Result<Json, InspectError> {
    record::record(input, what, false).0
}

/// Decodes `input` and returns an annotated hex dump: every piece of the
/// input next to what it was decoded as. On a decoding error the dump of
/// everything before it is returned along with the error.
pub fn hexdump(input: Bytes, what: Input) -> (String, Option<InspectError>) {
    let (outcome, lines) = record::record(input.clone(), what, true);
    let error = outcome.err();
    (hexdump::render(&input, &lines, error.as_ref()), error)
}

/// Encodes a JSON description (as [`to_json`] produces) back to AMF bytes.
pub fn from_json(json: &Json, what: Input) -> Result<Vec<u8>, JsonError> {
    let mut out = Vec::with_capacity(256);
    encode::write(&mut out, json, what)?;
    Ok(out)
}
