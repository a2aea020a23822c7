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

mod layout;
mod read;
mod write;

pub use layout::{announced_values, external_layout, ExternalLayout};

use crate::alias;
use crate::message::{AcknowledgeMessage, AsyncMessage, CommandMessage, Message};
use flexgate_amf::{
    eq_external, DecodeError, EncodeError, ExternalInput, ExternalOutput, Externalizable, Value,
};
use layout::OPERATION;
use read::Reader;
use std::sync::{Arc, OnceLock};
use write::{abstract_pieces, correlation_pieces, write_pieces, Piece};

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

    fn write_external(&self, out: &mut dyn ExternalOutput) -> Result<(), EncodeError> {
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

    fn write_external(&self, out: &mut dyn ExternalOutput) -> Result<(), EncodeError> {
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

    fn write_external(&self, out: &mut dyn ExternalOutput) -> Result<(), EncodeError> {
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
