//! Reading a small form's body, one class level at a time.

use super::layout::*;
use crate::error::MessageError;
use crate::full::{headers_from, millis_from, operation_from, opt_string};
use crate::message::AbstractMessage;
use crate::operation::CommandOperation;
use crate::uid::uid_from_bytes;
use flexgate_amf::{DecodeError, DecodeErrorKind, ExternalInput, Value};

/// Reads one class level of a small message from the decoder.
pub(super) struct Reader<'a> {
    pub(super) d: &'a mut dyn ExternalInput,
    pub(super) class: &'static str,
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

    pub(super) fn abstract_part(&mut self) -> Result<AbstractMessage, DecodeError> {
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

    pub(super) fn correlation_part(&mut self) -> Result<Option<String>, DecodeError> {
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

    pub(super) fn command_part(&mut self) -> Result<CommandOperation, DecodeError> {
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
    pub(super) fn acknowledge_part(&mut self) -> Result<(), DecodeError> {
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
