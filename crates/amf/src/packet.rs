//! The AMF packet envelope (the body of an `application/x-amf` request or reply).
//!
//! Layout: `u16 version`, `u16 header count`, headers (`utf name`,
//! `u8 must-understand`, `u32 length`, AMF0 value), `u16 body count`, bodies
//! (`utf target`, `utf response`, `u32 length`, AMF0 value). A length of
//! `0xFFFFFFFF` means "unknown". Reference tables start afresh for every
//! header and body value.

use crate::decoder::{DecodeLimits, Decoder, Mark};
use crate::encoder::Encoder;
use crate::error::{DecodeError, DecodeErrorKind, EncodeError};
use crate::external::Registry;
use crate::text::Str;
use crate::trace::{Event, NoTrace, Piece, Trace};
use crate::value::Value;
use bytes::Bytes;

/// The packet version: which object encoding the peer speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// AMF0 (Flash Player 8 and older, or `objectEncoding = AMF0`).
    Amf0,
    /// Version 1, sent by some Flash Media Server era clients; read like AMF0.
    Amf1,
    /// AMF3 (Flash Player 9+ with `objectEncoding = AMF3`, every Flex client).
    Amf3,
}

impl Version {
    /// The wire number.
    pub fn code(self) -> u16 {
        match self {
            Version::Amf0 => 0,
            Version::Amf1 => 1,
            Version::Amf3 => 3,
        }
    }

    fn from_code(code: u16) -> Option<Self> {
        match code {
            0 => Some(Version::Amf0),
            1 => Some(Version::Amf1),
            3 => Some(Version::Amf3),
            _ => None,
        }
    }
}

/// A packet header (e.g. `Credentials`, `AppendToGatewayUrl`).
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    /// The header name.
    pub name: Str,
    /// Whether the receiver must understand it or fail.
    pub must_understand: bool,
    /// The value.
    pub value: Value,
}

/// The target of a request body that carries a Flex message, and the
/// response of every reply body: the string `"null"`.
pub const NULL_TARGET: &str = "null";
/// Suffix of a reply body's target when the call succeeded: `/N/onResult`.
pub const ON_RESULT: &str = "/onResult";
/// Suffix of a reply body's target when the call failed: `/N/onStatus`.
pub const ON_STATUS: &str = "/onStatus";

/// A packet body: one request or one reply.
#[derive(Debug, Clone, PartialEq)]
pub struct Body {
    /// Requests: `Service.method` or `"null"` for Flex messages. Replies: `/N/onResult`, `/N/onStatus`.
    pub target: Str,
    /// Requests: `/N`, where the reply goes. Replies: `"null"`.
    pub response: Str,
    /// The value (a request's arguments array, or the result).
    pub value: Value,
}

/// A whole AMF packet.
#[derive(Debug, Clone, PartialEq)]
pub struct Packet {
    /// The version, which also decides how replies encode values.
    pub version: Version,
    /// Headers.
    pub headers: Vec<Header>,
    /// Bodies.
    pub bodies: Vec<Body>,
}

/// A request packet as a server reads it ([`Request::decode_with`]): a
/// body whose value cannot be decoded keeps its error, to be answered
/// with a fault, instead of failing the whole packet.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// The version, which also decides how replies encode values.
    pub version: Version,
    /// Headers.
    pub headers: Vec<Header>,
    /// Bodies.
    pub bodies: Vec<RequestBody>,
}

/// A request body whose value may not have decoded.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestBody {
    /// `Service.method` or `"null"` for Flex messages.
    pub target: Str,
    /// `/N`, where the reply goes.
    pub response: Str,
    /// The arguments, or why they could not be read.
    pub value: Result<Value, DecodeError>,
}

impl Request {
    /// Decodes a request packet. A body value that fails is kept as its
    /// error when the body's declared length says where the next body
    /// starts (or it is the last body); the envelope, the headers and any
    /// other failure fail the packet.
    pub fn decode_with(
        input: Bytes,
        registry: &Registry,
        limits: DecodeLimits,
    ) -> Result<Request, DecodeError> {
        let mut d = Decoder::traced(input, registry, limits, NoTrace);
        read_envelope(&mut d, BodyErrors::Keep)
    }
}

/// The length written for a value whose length is not given.
const UNKNOWN_LENGTH: u32 = u32::MAX;

/// The AMF0 strict array marker, for request argument lists.
const STRICT_ARRAY: u8 = 0x0A;

/// Which side wrote the packet; requests and replies lay values out differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// A client's request (arguments as an AMF0 strict array).
    Request,
    /// A server's reply (one value per body).
    Reply,
}

impl Packet {
    /// Decodes a packet with default limits.
    pub fn decode(input: Bytes, registry: &Registry) -> Result<Packet, DecodeError> {
        Self::decode_with(input, registry, DecodeLimits::default())
    }

    /// Decodes a packet with explicit limits. The declared header and body
    /// lengths are not trusted: values are read by their own structure.
    pub fn decode_with(
        input: Bytes,
        registry: &Registry,
        limits: DecodeLimits,
    ) -> Result<Packet, DecodeError> {
        Self::decode_traced(input, registry, limits, NoTrace)
    }

    /// Decodes a packet, reporting what is read to `trace`.
    pub fn decode_traced<T: Trace>(
        input: Bytes,
        registry: &Registry,
        limits: DecodeLimits,
        trace: T,
    ) -> Result<Packet, DecodeError> {
        let mut d = Decoder::traced(input, registry, limits, trace);
        let request = read_envelope(&mut d, BodyErrors::Fail)?;
        let bodies = request.bodies.into_iter().map(|b| {
            Ok(Body {
                target: b.target,
                response: b.response,
                value: b.value?,
            })
        });
        Ok(Packet {
            version: request.version,
            headers: request.headers,
            bodies: bodies.collect::<Result<_, DecodeError>>()?,
        })
    }

    /// Encodes the packet as a reply. AMF3 packets write every value behind
    /// one avmplus marker; lengths are the true byte counts.
    pub fn encode(&self) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::with_capacity(256);
        self.encode_into(&mut out, Form::Reply)?;
        Ok(out)
    }

    /// Encodes the packet as a request, the way Flash Player sends one: an
    /// AMF3 body's argument array is an AMF0 strict array with each argument
    /// behind its own avmplus marker (all sharing the body's AMF3 tables).
    pub fn encode_request(&self) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::with_capacity(256);
        self.encode_into(&mut out, Form::Request)?;
        Ok(out)
    }

    /// Encodes the packet, appending to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>, form: Form) -> Result<(), EncodeError> {
        let mut e = Encoder::new(out);
        e.write_u16(self.version.code());
        e.write_u16(count(self.headers.len())?);
        for h in &self.headers {
            e.write_utf(&h.name)?;
            e.write_u8(u8::from(h.must_understand));
            self.write_sized_value(&mut e, &h.value, Slot::Header)?;
        }
        e.write_u16(count(self.bodies.len())?);
        for b in &self.bodies {
            e.write_utf(&b.target)?;
            e.write_utf(&b.response)?;
            self.write_sized_value(&mut e, &b.value, Slot::Body(form))?;
        }
        Ok(())
    }

    /// Writes a length placeholder, the value, then patches the length in.
    fn write_sized_value(
        &self,
        e: &mut Encoder<'_>,
        v: &Value,
        slot: Slot,
    ) -> Result<(), EncodeError> {
        e.reset_tables();
        let at = e.output().len();
        e.write_u32(UNKNOWN_LENGTH);
        match (self.version, slot, v) {
            // A header's scalar value stays AMF0 even in an AMF3 packet, as
            // BlazeDS writes it: Royale's AMFNetConnection reads a header
            // (AppendToGatewayUrl) only as a plain AMF0 string.
            (
                Version::Amf3,
                Slot::Header,
                Value::String(_)
                | Value::Number(_)
                | Value::Integer(_)
                | Value::Bool(_)
                | Value::Null
                | Value::Undefined,
            ) => e.write_amf0(v)?,
            (Version::Amf3, Slot::Body(Form::Request), Value::Array(args))
                if args.assoc.is_empty() =>
            {
                e.write_u8(STRICT_ARRAY);
                e.write_u32(
                    u32::try_from(args.dense.len())
                        .map_err(|_| EncodeError::TooLong(args.dense.len()))?,
                );
                for arg in &args.dense {
                    e.write_avmplus(arg)?;
                }
            }
            (Version::Amf3, _, _) => e.write_avmplus(v)?,
            (Version::Amf0 | Version::Amf1, _, _) => e.write_amf0(v)?,
        }
        let out = e.output();
        let len = out.len() - at - 4;
        let len = u32::try_from(len).map_err(|_| EncodeError::TooLong(len))?;
        out[at..at + 4].copy_from_slice(&len.to_be_bytes());
        Ok(())
    }
}

/// Where a value goes in the envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    /// A packet header's value.
    Header,
    /// A body's value, in a request or a reply.
    Body(Form),
}

/// What to do with a body whose value cannot be decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyErrors {
    /// Fail the packet.
    Fail,
    /// Keep the error and go on with the next body, when there is a way to it.
    Keep,
}

/// Reads the envelope and its values (see [`Packet::decode_traced`]).
fn read_envelope<T: Trace>(
    d: &mut Decoder<'_, T>,
    errors: BodyErrors,
) -> Result<Request, DecodeError> {
    d.expect(Piece::Version);
    let code = d.read_u16()?;
    let version = Version::from_code(code).ok_or(DecodeError {
        offset: 0,
        kind: DecodeErrorKind::BadVersion(code),
    })?;
    d.note(0, Event::Version(code));
    let at = d.position();
    d.expect(Piece::HeaderCount);
    let count = d.read_u16()?;
    d.note(at, Event::HeaderCount(count));
    let mut headers = Vec::with_capacity(d.check_items(u64::from(count), 7)?);
    for _ in 0..count {
        let at = d.position();
        d.expect(Piece::HeaderName);
        let name = d.read_utf()?;
        d.expect(Piece::MustUnderstand);
        let must_understand = d.read_u8()?;
        d.expect(Piece::HeaderLength);
        let length = d.read_u32()?;
        let event = Event::Header {
            name: &name,
            must_understand,
            length,
        };
        d.note(at, event);
        let value = sized_value(d)?;
        headers.push(Header {
            name,
            must_understand: must_understand != 0,
            value,
        });
    }
    let at = d.position();
    d.expect(Piece::BodyCount);
    let count = d.read_u16()?;
    d.note(at, Event::BodyCount(count));
    let mut bodies = Vec::with_capacity(d.check_items(u64::from(count), 9)?);
    for _ in 0..count {
        let at = d.position();
        d.expect(Piece::Target);
        let target = d.read_utf()?;
        d.expect(Piece::Response);
        let response = d.read_utf()?;
        d.expect(Piece::BodyLength);
        let length = d.read_u32()?;
        let event = Event::Body {
            target: &target,
            response: &response,
            length,
        };
        d.note(at, event);
        let start = d.mark();
        let value = match body_value(d) {
            Err(e) if errors == BodyErrors::Keep => {
                let last = bodies.len() + 1 == usize::from(count);
                skip_body(d, start, length, last).ok_or_else(|| e.clone())?;
                Err(e)
            }
            value => Ok(value?),
        };
        bodies.push(RequestBody {
            target,
            response,
            value,
        });
    }
    d.finish()?;
    Ok(Request {
        version,
        headers,
        bodies,
    })
}

/// After an undecodable body value that started at `start`: moves on to
/// where the next body starts, given by the declared length or, for a last
/// body without one, the end of the input. `None` when it cannot be known.
fn skip_body<T: Trace>(d: &mut Decoder<'_, T>, start: Mark, length: u32, last: bool) -> Option<()> {
    let available = start.remaining;
    // A declared length past the end is a truncated packet, not a bad value.
    let skip = match length {
        0 | UNKNOWN_LENGTH if last => available,
        0 | UNKNOWN_LENGTH => return None,
        n => usize::try_from(n).ok().filter(|&n| n <= available)?,
    };
    d.rewind(start.advanced(skip));
    Some(())
}

/// A body value. PyAMF, py3amf and AmFast write a request's argument
/// array without giving it a slot in the AMF0 object table, so their first
/// object is reference 0, which in Flash Player's numbering is the argument
/// array still being read: such a body is read again, the array uncounted.
/// Only for a trace that records nothing, which cannot tell the two reads apart.
fn body_value<T: Trace>(d: &mut Decoder<'_, T>) -> Result<Value, DecodeError> {
    let start = d.mark();
    let e = match sized_value(d) {
        Ok(v) => return Ok(v),
        Err(e) => e,
    };
    if T::RECORDS || !d.open_first_slot_referenced {
        return Err(e);
    }
    d.rewind(start);
    if d.r.peek() != Some(STRICT_ARRAY) {
        return Err(e);
    }
    let value = d.read_uncounted_args()?;
    d.note(start.pos(), Event::ValueEnd);
    Ok(value)
}

/// A header or body value, with fresh reference tables.
fn sized_value<T: Trace>(d: &mut Decoder<'_, T>) -> Result<Value, DecodeError> {
    d.reset_tables();
    let at = d.position();
    let value = d.read_amf0()?;
    d.note(at, Event::ValueEnd);
    Ok(value)
}

fn count(n: usize) -> Result<u16, EncodeError> {
    u16::try_from(n).map_err(|_| EncodeError::TooLong(n))
}
