//! The small forms `DSA`, `DSC` and `DSK` (`AsyncMessageExt`,
//! `CommandMessageExt`, `AcknowledgeMessageExt`).
//!
//! Layout (BlazeDS `AbstractMessage.java`/`AsyncMessage.java`/
//! `CommandMessage.java`/`AcknowledgeMessage.java` `writeExternal`, and the
//! Flex SDK `.as` classes of the same names): each class level writes its own
//! group of flag bytes followed by the AMF3 values the flags announce, the
//! superclass level first. In every flag byte bit 7 (0x80) means "another
//! flag byte of this level follows"; the values of all flag bytes of a level
//! come after the last of them, in bit order.
//!
//! * AbstractMessage, byte 0: 0x01 body, 0x02 clientId (string), 0x04
//!   destination, 0x08 headers, 0x10 messageId (string), 0x20 timestamp,
//!   0x40 timeToLive. Byte 1: 0x01 clientId as 16-byte ByteArray, 0x02
//!   messageId as 16-byte ByteArray. Ids go as bytes exactly when they are
//!   strict upper-case UIDs (see [`crate::uid`]).
//! * AsyncMessage, byte 0: 0x01 correlationId (string), 0x02 correlationId bytes.
//! * CommandMessage, byte 0: 0x01 operation (AMF3 int; omitted when 0).
//! * AcknowledgeMessage: one flag byte, always 0.
//!
//! Flag bits a level does not know announce one value each, which readers
//! read and discard; this is how newer writers stay readable.

use crate::alias;
use crate::error::MessageError;
use crate::full::{headers_from, millis_from, operation_from, opt_string};
use crate::message::*;
use crate::operation::CommandOperation;
use crate::uid::{uid_from_bytes, uid_to_bytes};
use bytes::Bytes;
use flexgate_amf::{
    eq_external, DecodeError, DecodeErrorKind, EncodeError, Encoder, ExternalInput, Externalizable,
    Value,
};
use std::sync::{Arc, OnceLock};

const HAS_NEXT: u8 = 0x80;
/// The bits of a flag byte that announce values.
const VALUE_BITS: u8 = 0x7F;
// The class levels, as BlazeDS names them.
const ABSTRACT: &str = "AbstractMessage";
const ASYNC: &str = "AsyncMessage";
const COMMAND: &str = "CommandMessage";
const ACKNOWLEDGE: &str = "AcknowledgeMessage";

/// How the body of an externalizable class of this crate is laid out, for
/// tools that read or write it piece by piece (`flexgate inspect`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExternalLayout {
    /// One AMF3 value (the collections and the proxy), by its field name.
    Value(&'static str),
    /// Per class level, superclass first: a group of flag bytes, then the
    /// values they announce ([`announced_values`]).
    Levels(&'static [&'static str]),
}

/// The body layout of `class`, when this crate reads it.
pub fn external_layout(class: &str) -> Option<ExternalLayout> {
    Some(match class {
        alias::ARRAY_COLLECTION | alias::ARRAY_LIST => ExternalLayout::Value("source"),
        alias::OBJECT_PROXY => ExternalLayout::Value("object"),
        alias::ASYNC_MESSAGE_EXT => ExternalLayout::Levels(&[ABSTRACT, ASYNC]),
        alias::COMMAND_MESSAGE_EXT => ExternalLayout::Levels(&[ABSTRACT, ASYNC, COMMAND]),
        alias::ACKNOWLEDGE_MESSAGE_EXT => ExternalLayout::Levels(&[ABSTRACT, ASYNC, ACKNOWLEDGE]),
        _ => return None,
    })
}

/// How many values one level's flag bytes announce (every set bit but the
/// continuation bit, known or not).
pub fn announced_values(flags: &[u8]) -> usize {
    flags
        .iter()
        .map(|f| (f & VALUE_BITS).count_ones() as usize)
        .sum()
}
// AbstractMessage, flag byte 0.
const BODY: u8 = 0x01;
const CLIENT_ID: u8 = 0x02;
const DESTINATION: u8 = 0x04;
const HEADERS: u8 = 0x08;
const MESSAGE_ID: u8 = 0x10;
const TIMESTAMP: u8 = 0x20;
const TIME_TO_LIVE: u8 = 0x40;
// AbstractMessage, flag byte 1.
const CLIENT_ID_BYTES: u8 = 0x01;
const MESSAGE_ID_BYTES: u8 = 0x02;
// AsyncMessage, flag byte 0.
const CORRELATION_ID: u8 = 0x01;
const CORRELATION_ID_BYTES: u8 = 0x02;
// CommandMessage, flag byte 0.
const OPERATION: u8 = 0x01;

macro_rules! small_type {
    ($(#[$doc:meta])* $name:ident($msg:ident)) => {
        $(#[$doc])*
        ///
        /// The wire pieces are built on first encode and kept with the value:
        /// the AMF encoder identifies shared values by address, so the
        /// values written must stay alive for the whole encoding.
        #[derive(Debug, Clone)]
        pub struct $name {
            message: $msg,
            wire: OnceLock<Vec<Piece>>,
        }

        impl $name {
            /// Wraps `message` for the small encoding.
            pub fn new(message: $msg) -> Self {
                $name {
                    message,
                    wire: OnceLock::new(),
                }
            }

            /// The message.
            pub fn message(&self) -> &$msg {
                &self.message
            }

            /// The message, unwrapped.
            pub fn into_message(self) -> $msg {
                self.message
            }

            /// This instance as a value.
            pub fn into_value(self) -> Value {
                Value::External(Arc::new(self))
            }
        }

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                self.message == other.message
            }
        }
    };
}

small_type!(
    /// `DSA`: an [`AsyncMessage`] in small form.
    AsyncMessageExt(AsyncMessage)
);
small_type!(
    /// `DSC`: a [`CommandMessage`] in small form.
    CommandMessageExt(CommandMessage)
);
small_type!(
    /// `DSK`: an [`AcknowledgeMessage`] in small form.
    AcknowledgeMessageExt(AcknowledgeMessage)
);

/// One item of a small form's body: a raw flag byte or an AMF3 value.
#[derive(Debug, Clone)]
enum Piece {
    Flags(u8),
    Value(Value),
}

fn write_pieces(out: &mut Encoder<'_>, pieces: &[Piece]) -> Result<(), EncodeError> {
    for p in pieces {
        match p {
            Piece::Flags(f) => out.write_u8(*f),
            Piece::Value(v) => out.write_amf3(v)?,
        }
    }
    Ok(())
}

/// Reads one class level of a small message from the decoder.
struct Reader<'a> {
    d: &'a mut dyn ExternalInput,
    class: &'static str,
}

impl Reader<'_> {
    fn fail(&self, e: MessageError) -> DecodeError {
        self.d.error(DecodeErrorKind::BadExternal {
            class: self.class.to_owned(),
            reason: e.to_string(),
        })
    }

    /// Reads a value and converts it, mapping conversion errors to decode errors.
    fn value<T>(
        &mut self,
        field: &'static str,
        convert: impl FnOnce(&Value) -> Result<T, MessageError>,
    ) -> Result<T, DecodeError> {
        self.d.note_field(format_args!("{field}"));
        self.read_as(field, convert)
    }

    /// A UID sent as bytes: traced as `wire`, converted as `field`.
    fn uid(
        &mut self,
        wire: &'static str,
        field: &'static str,
    ) -> Result<Option<String>, DecodeError> {
        self.d.note_field(format_args!("{wire}"));
        self.read_as(field, uid_value)
    }

    fn read_as<T>(
        &mut self,
        field: &'static str,
        convert: impl FnOnce(&Value) -> Result<T, MessageError>,
    ) -> Result<T, DecodeError> {
        let v = self.d.read_amf3()?;
        convert(&v).map_err(|e| self.fail(e.in_field(self.class, field)))
    }

    /// The flag bytes of class level `level`: up to and including the first without 0x80.
    fn flags(&mut self, level: &str) -> Result<Vec<u8>, DecodeError> {
        let mut flags = Vec::with_capacity(2);
        loop {
            let f = self.d.read_u8()?;
            flags.push(f);
            if f & HAS_NEXT == 0 {
                self.d.note_flags(level, &flags);
                return Ok(flags);
            }
        }
    }

    /// Reads and discards the values announced by bits `from..7` of `flags`.
    ///
    /// The reference readers loop `j < 6` here, so a bit 6 in a byte beyond
    /// the known ones would desynchronise them; we treat it like any other
    /// unknown bit, which is what a writer setting it would mean.
    fn skip_unknown(&mut self, byte: usize, flags: u8, from: u8) -> Result<(), DecodeError> {
        for bit in from..7 {
            if flags & (1 << bit) != 0 {
                self.d.note_field(format_args!("unknown_{byte}_{bit}"));
                self.d.read_amf3()?;
            }
        }
        Ok(())
    }

    fn abstract_part(&mut self) -> Result<AbstractMessage, DecodeError> {
        let mut m = AbstractMessage::default();
        for (i, &f) in self.flags(ABSTRACT)?.iter().enumerate() {
            let known = match i {
                0 => {
                    if f & BODY != 0 {
                        self.d.note_field(format_args!("body"));
                        m.body = self.d.read_amf3()?;
                    }
                    if f & CLIENT_ID != 0 {
                        m.client_id = self.value("clientId", opt_string)?;
                    }
                    if f & DESTINATION != 0 {
                        m.destination = self.value("destination", opt_string)?;
                    }
                    if f & HEADERS != 0 {
                        m.headers = self.value("headers", headers_from)?;
                    }
                    if f & MESSAGE_ID != 0 {
                        m.message_id = self.value("messageId", opt_string)?;
                    }
                    if f & TIMESTAMP != 0 {
                        m.timestamp = self.value("timestamp", millis_from)?;
                    }
                    if f & TIME_TO_LIVE != 0 {
                        m.time_to_live = self.value("timeToLive", millis_from)?;
                    }
                    7
                }
                1 => {
                    if f & CLIENT_ID_BYTES != 0 {
                        m.client_id = self.uid("clientIdBytes", "clientId")?;
                    }
                    if f & MESSAGE_ID_BYTES != 0 {
                        m.message_id = self.uid("messageIdBytes", "messageId")?;
                    }
                    2
                }
                _ => 0,
            };
            self.skip_unknown(i, f, known)?;
        }
        Ok(m)
    }

    fn correlation_part(&mut self) -> Result<Option<String>, DecodeError> {
        let mut id = None;
        for (i, &f) in self.flags(ASYNC)?.iter().enumerate() {
            let mut known = 0;
            if i == 0 {
                if f & CORRELATION_ID != 0 {
                    id = self.value("correlationId", opt_string)?;
                }
                if f & CORRELATION_ID_BYTES != 0 {
                    id = self.uid("correlationIdBytes", "correlationId")?;
                }
                known = 2;
            }
            self.skip_unknown(i, f, known)?;
        }
        Ok(id)
    }

    fn command_part(&mut self) -> Result<CommandOperation, DecodeError> {
        // The writers omit the operation when it is 0, so an absent operation
        // is Subscribe. (The Java and AS3 readers leave their constructor
        // default, UNKNOWN_OPERATION, there; only polls are sent small in
        // practice, so the difference never shows with them.)
        let mut op = CommandOperation::Subscribe;
        for (i, &f) in self.flags(COMMAND)?.iter().enumerate() {
            let mut known = 0;
            if i == 0 {
                if f & OPERATION != 0 {
                    op = self.value("operation", operation_from)?;
                }
                known = 1;
            }
            self.skip_unknown(i, f, known)?;
        }
        Ok(op)
    }

    /// AcknowledgeMessage defines no flags of its own; skip whatever is announced.
    fn acknowledge_part(&mut self) -> Result<(), DecodeError> {
        for (i, f) in self.flags(ACKNOWLEDGE)?.into_iter().enumerate() {
            self.skip_unknown(i, f, 0)?;
        }
        Ok(())
    }
}

/// A UID from a 16-byte ByteArray; other lengths (and null) give `None`.
fn uid_value(v: &Value) -> Result<Option<String>, MessageError> {
    match v {
        Value::ByteArray(b) => Ok(uid_from_bytes(b)),
        Value::Null | Value::Undefined => Ok(None),
        _ => Err(MessageError::type_mismatch("byte array", v)),
    }
}

fn bytes_value(b: [u8; 16]) -> Value {
    Value::ByteArray(Bytes::copy_from_slice(&b))
}

fn abstract_pieces(w: &mut Vec<Piece>, m: &AbstractMessage) {
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

fn correlation_pieces(w: &mut Vec<Piece>, id: Option<&str>) {
    match (id, id.and_then(uid_to_bytes)) {
        (_, Some(b)) => w.extend([
            Piece::Flags(CORRELATION_ID_BYTES),
            Piece::Value(bytes_value(b)),
        ]),
        (Some(s), None) => w.extend([Piece::Flags(CORRELATION_ID), Piece::Value(s.into())]),
        (None, None) => w.push(Piece::Flags(0)),
    }
}

impl AsyncMessageExt {
    /// Reads a `DSA` body (registered in [`crate::registry`]).
    pub fn read(d: &mut dyn ExternalInput) -> Result<Value, DecodeError> {
        let mut r = Reader {
            d,
            class: alias::ASYNC_MESSAGE_EXT,
        };
        let base = r.abstract_part()?;
        let correlation_id = r.correlation_part()?;
        Ok(AsyncMessageExt::new(AsyncMessage {
            base,
            correlation_id,
        })
        .into_value())
    }
}

impl CommandMessageExt {
    /// Reads a `DSC` body (registered in [`crate::registry`]).
    pub fn read(d: &mut dyn ExternalInput) -> Result<Value, DecodeError> {
        let mut r = Reader {
            d,
            class: alias::COMMAND_MESSAGE_EXT,
        };
        let base = r.abstract_part()?;
        let correlation_id = r.correlation_part()?;
        let operation = r.command_part()?;
        Ok(CommandMessageExt::new(CommandMessage {
            base,
            correlation_id,
            operation,
        })
        .into_value())
    }
}

impl AcknowledgeMessageExt {
    /// Reads a `DSK` body (registered in [`crate::registry`]).
    pub fn read(d: &mut dyn ExternalInput) -> Result<Value, DecodeError> {
        let mut r = Reader {
            d,
            class: alias::ACKNOWLEDGE_MESSAGE_EXT,
        };
        let base = r.abstract_part()?;
        let correlation_id = r.correlation_part()?;
        r.acknowledge_part()?;
        Ok(AcknowledgeMessageExt::new(AcknowledgeMessage {
            base,
            correlation_id,
        })
        .into_value())
    }
}

impl Externalizable for AsyncMessageExt {
    fn class_name(&self) -> &str {
        alias::ASYNC_MESSAGE_EXT
    }

    fn write_external(&self, out: &mut Encoder<'_>) -> Result<(), EncodeError> {
        let wire = self.wire.get_or_init(|| {
            let mut w = Vec::new();
            abstract_pieces(&mut w, &self.message.base);
            correlation_pieces(&mut w, self.message.correlation_id.as_deref());
            w
        });
        write_pieces(out, wire)
    }

    fn eq_external(&self, other: &dyn Externalizable) -> bool {
        eq_external(self, other)
    }
}

impl Externalizable for CommandMessageExt {
    fn class_name(&self) -> &str {
        alias::COMMAND_MESSAGE_EXT
    }

    fn write_external(&self, out: &mut Encoder<'_>) -> Result<(), EncodeError> {
        let wire = self.wire.get_or_init(|| {
            let mut w = Vec::new();
            abstract_pieces(&mut w, &self.message.base);
            correlation_pieces(&mut w, self.message.correlation_id.as_deref());
            // Java writes the operation as an Integer (AMF3 int), omitted when 0.
            match self.message.operation.code() {
                0 => w.push(Piece::Flags(0)),
                code => w.extend([Piece::Flags(OPERATION), Piece::Value(Value::Integer(code))]),
            }
            w
        });
        write_pieces(out, wire)
    }

    fn eq_external(&self, other: &dyn Externalizable) -> bool {
        eq_external(self, other)
    }
}

impl Externalizable for AcknowledgeMessageExt {
    fn class_name(&self) -> &str {
        alias::ACKNOWLEDGE_MESSAGE_EXT
    }

    fn write_external(&self, out: &mut Encoder<'_>) -> Result<(), EncodeError> {
        let wire = self.wire.get_or_init(|| {
            let mut w = Vec::new();
            abstract_pieces(&mut w, &self.message.base);
            correlation_pieces(&mut w, self.message.correlation_id.as_deref());
            w.push(Piece::Flags(0));
            w
        });
        write_pieces(out, wire)
    }

    fn eq_external(&self, other: &dyn Externalizable) -> bool {
        eq_external(self, other)
    }
}

/// The message inside a small-form value, if it is one.
pub(crate) fn decode(v: &Value) -> Option<Message> {
    if let Some(m) = v.as_external::<AsyncMessageExt>() {
        return Some(Message::Async(m.message.clone()));
    }
    if let Some(m) = v.as_external::<CommandMessageExt>() {
        return Some(Message::Command(m.message.clone()));
    }
    v.as_external::<AcknowledgeMessageExt>()
        .map(|m| Message::Acknowledge(m.message.clone()))
}
