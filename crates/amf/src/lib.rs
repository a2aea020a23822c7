//! AMF0 and AMF3: a value model, a codec and the AMF packet envelope.
//!
//! The crate does no I/O. Decoding works on [`bytes::Bytes`] and hands out
//! strings and byte arrays that share the input buffer instead of copying it.
//! Every decoder path is bounded: lengths are checked against the remaining
//! input before anything is allocated, nesting depth is limited and reference
//! indices are validated, so hostile input yields a [`DecodeError`] carrying
//! the byte offset, never a panic.
//!
//! Externalizable classes (Flex's `ArrayCollection`, the small messages ...)
//! are plugged in through a [`Registry`] of readers keyed by class alias.
//!
//! Tools that show the wire rather than the values use the same grammar:
//! the decoder reports every decision it reads to a [`trace::Trace`] (the
//! server's [`trace::NoTrace`] compiles away), and [`Writer`] writes AMF
//! piece by piece with explicit decisions (references, lengths, traits).
//! Decoded values are bounded in memory by [`DecodeLimits::alloc_budget`].

mod amf0;
mod amf3;
mod decoder;
mod encoder;
mod error;
mod external;
mod packet;
mod reader;
mod strings;
mod text;
pub mod trace;
mod value;
mod writer;

pub use decoder::{DecodeLimits, Decoder};
pub use encoder::Encoder;
pub use error::{DecodeError, DecodeErrorKind, EncodeError, Table};
pub use external::{
    eq_external, ExternalInput, ExternalOutput, Externalizable, ReadExternal, Registry,
};
pub use packet::{
    Body, Form, Header, Packet, Request, RequestBody, Version, NULL_TARGET, ON_RESULT, ON_STATUS,
};
pub use text::Str;
pub use value::{
    Array, Date, Dictionary, Object, ObjectVector, Traits, Value, Vector, Xml, XmlKind,
};
pub use writer::{LengthMark, TraitsChoice, Writer};

/// Decodes one AMF3 value that fills `input` (trailing bytes are an error).
pub fn from_amf3(input: bytes::Bytes, registry: &Registry) -> Result<Value, DecodeError> {
    let mut d = Decoder::new(input, registry);
    let v = d.read_amf3()?;
    d.finish()?;
    Ok(v)
}

/// Decodes one AMF0 value that fills `input` (trailing bytes are an error).
pub fn from_amf0(input: bytes::Bytes, registry: &Registry) -> Result<Value, DecodeError> {
    let mut d = Decoder::new(input, registry);
    let v = d.read_amf0()?;
    d.finish()?;
    Ok(v)
}

/// Encodes one value as a stand-alone AMF3 value with fresh reference tables.
pub fn to_amf3(value: &Value) -> Result<Vec<u8>, EncodeError> {
    let mut out = Vec::new();
    Encoder::new(&mut out).write_amf3(value)?;
    Ok(out)
}

/// Encodes one value as a stand-alone AMF0 value with fresh reference tables.
pub fn to_amf0(value: &Value) -> Result<Vec<u8>, EncodeError> {
    let mut out = Vec::new();
    Encoder::new(&mut out).write_amf0(value)?;
    Ok(out)
}
