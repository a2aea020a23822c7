//! Writing a small form's body: built once as pieces (flag bytes and AMF3
//! values), then written.

use super::layout::*;
use crate::message::AbstractMessage;
use crate::uid::uid_to_bytes;
use bytes::Bytes;
use flexgate_amf::{EncodeError, ExternalOutput, Value};

/// One item of a small form's body: a raw flag byte or an AMF3 value.
#[derive(Debug, Clone)]
pub(super) enum Piece {
    /// A flag byte.
    Flags(u8),
    /// An AMF3 value.
    Value(Value),
}

/// Writes the pieces in order.
pub(super) fn write_pieces(
    out: &mut dyn ExternalOutput,
    pieces: &[Piece],
) -> Result<(), EncodeError> {
    for p in pieces {
        match p {
            Piece::Flags(f) => out.write_u8(*f),
            Piece::Value(v) => out.write_amf3(v)?,
        }
    }
    Ok(())
}

fn bytes_value(b: [u8; 16]) -> Value {
    Value::ByteArray(Bytes::copy_from_slice(&b))
}

/// The AbstractMessage level: its flag bytes, then their values.
pub(super) fn abstract_pieces(w: &mut Vec<Piece>, m: &AbstractMessage) {
    let client_bytes = m.client_id.as_deref().and_then(uid_to_bytes);
    let message_bytes = m.message_id.as_deref().and_then(uid_to_bytes);
    let client_str = m.client_id.as_deref().filter(|_| client_bytes.is_none());
    let message_str = m.message_id.as_deref().filter(|_| message_bytes.is_none());
    // Java writes timestamp and timeToLive (`long`s) as `Long`, which its
    // AMF3 writer sends as doubles.
    let values: [(u8, Option<Value>); 7] = [
        // `undefined` is kept (Java reads it as null) so that it round-trips.
        (
            BODY,
            (!matches!(m.body, Value::Null)).then(|| m.body.clone()),
        ),
        (CLIENT_ID, client_str.map(Value::from)),
        (DESTINATION, m.destination.as_deref().map(Value::from)),
        (
            HEADERS,
            (!m.headers.is_empty()).then(|| m.headers.to_value()),
        ),
        (MESSAGE_ID, message_str.map(Value::from)),
        (
            TIMESTAMP,
            (m.timestamp != 0).then_some(Value::Number(m.timestamp as f64)),
        ),
        (
            TIME_TO_LIVE,
            (m.time_to_live != 0).then_some(Value::Number(m.time_to_live as f64)),
        ),
    ];
    let mut first = values
        .iter()
        .filter(|v| v.1.is_some())
        .fold(0, |f, v| f | v.0);
    let second = if client_bytes.is_some() {
        CLIENT_ID_BYTES
    } else {
        0
    } | if message_bytes.is_some() {
        MESSAGE_ID_BYTES
    } else {
        0
    };
    if second != 0 {
        first |= HAS_NEXT;
    }
    w.push(Piece::Flags(first));
    if second != 0 {
        w.push(Piece::Flags(second));
    }
    w.extend(values.into_iter().filter_map(|(_, v)| v.map(Piece::Value)));
    w.extend(
        [client_bytes, message_bytes]
            .into_iter()
            .flatten()
            .map(|b| Piece::Value(bytes_value(b))),
    );
}

/// The AsyncMessage level: the correlation id as bytes or string.
pub(super) fn correlation_pieces(w: &mut Vec<Piece>, id: Option<&str>) {
    match (id, id.and_then(uid_to_bytes)) {
        (_, Some(b)) => w.extend([
            Piece::Flags(CORRELATION_ID_BYTES),
            Piece::Value(bytes_value(b)),
        ]),
        (Some(s), None) => w.extend([Piece::Flags(CORRELATION_ID), Piece::Value(s.into())]),
        (None, None) => w.push(Piece::Flags(0)),
    }
}
