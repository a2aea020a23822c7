//! Choosing between the full and the small encoding, and `Message` <-> `Value`.

use crate::error::{kind, MessageError};
use crate::message::Message;
use crate::operation::CommandOperation;
use crate::small::{AcknowledgeMessageExt, AsyncMessageExt, CommandMessageExt};
use crate::{anonymous, full, small};
use flexgate_amf::Value;

/// Which encoding [`Message::to_value`] writes.
///
/// Small messages are negotiated per session, never assumed:
///
/// 1. When a Flex channel connects it sends a CommandMessage ping
///    (operation 5), or a login (8) when it has credentials, with header
///    `DSMessagingVersion` = its `messagingVersion` (1.0)
///    (`mx.messaging.channels.AMFChannel`, `internalConnect`).
/// 2. BlazeDS answers that ping/login with its own `DSMessagingVersion`
///    header on the acknowledgement, and turns small messages on for the
///    session when the client's version is >= the endpoint's (1.0) and the
///    endpoint's `enable-small-messages` serialization setting (default true)
///    allows (`AbstractEndpoint.handleClientMessagingVersion`).
/// 3. The client then sends small messages once the server's version is >=
///    its own (`Channel.handleServerMessagingVersion`), unless its channel
///    sets `enable-small-messages` false; it only ever converts exact
///    AsyncMessages, AcknowledgeMessages and poll commands
///    (`getSmallMessage`, `NetConnectionChannel.internalSend`).
/// 4. BlazeDS converts a reply to small form only when the session has small
///    messages on and the request was AMF3 and not legacy
///    (`MessageBrokerFilter`, `AbstractEndpoint.convertToSmallMessage`).
///    The session flag is set while the ping/login itself is handled, so
///    that acknowledgement already goes out as `DSK`. Only the top-level
///    reply is converted, never messages nested in a body.
///
/// So a server may reply with [`Form::Small`] only in a session whose
/// ping/login carried `DSMessagingVersion` >= 1 (from that ping's own ack
/// on), and should advertise its version on that ack; otherwise it must use
/// [`Form::Full`]. A server must always accept both forms on input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Form {
    /// Typed objects with the `flex.messaging.messages.*` aliases. Always understood.
    #[default]
    Full,
    /// `DSA`/`DSK`/`DSC` where BlazeDS would use them: AsyncMessage -> DSA,
    /// AcknowledgeMessage -> DSK, CommandMessage -> DSC only for polls (the
    /// only operation whose `getSmallMessage` is not null). ErrorMessage,
    /// RemotingMessage and other commands have no small form and are written full.
    Small,
}

impl Message {
    /// Reads a message in either form: a typed object with a
    /// `flex.messaging.messages.*` alias (missing members default), or a
    /// `DSA`/`DSC`/`DSK` value read with [`crate::registry`].
    pub fn from_value(v: &Value) -> Result<Message, MessageError> {
        match v {
            Value::Object(o) => full::decode(o),
            Value::External(e) => {
                small::decode(v).ok_or_else(|| MessageError::UnknownClass(e.class_name().into()))
            }
            other => Err(MessageError::NotAMessage(kind(other))),
        }
    }

    /// Reads the message of a Flex request body (target `"null"`): the body
    /// value is an array holding the message; a bare message is accepted too.
    /// An anonymous object in a Flex message's shape (what Ruffle sends:
    /// see docs/protocol.md, "Anonymous messages") is read as that message.
    pub fn from_request_body(v: &Value) -> Result<Message, MessageError> {
        let v = request_message(v);
        if let Value::Object(o) = v {
            if let Some(class) = anonymous::class_of(o) {
                return full::decode_as(o, class);
            }
        }
        Message::from_value(v)
    }

    /// Like [`Message::from_request_body`], without recognising anonymous
    /// objects: only typed and small-form messages.
    pub fn from_request_body_typed(v: &Value) -> Result<Message, MessageError> {
        Message::from_value(request_message(v))
    }

    /// Writes the message in `form` (see [`Form`] for when small is allowed).
    pub fn to_value(&self, form: Form) -> Value {
        if form == Form::Small {
            match self {
                Message::Async(m) => return AsyncMessageExt::new(m.clone()).into_value(),
                Message::Acknowledge(m) => {
                    return AcknowledgeMessageExt::new(m.clone()).into_value()
                }
                Message::Command(m) if m.operation == CommandOperation::Poll => {
                    return CommandMessageExt::new(m.clone()).into_value()
                }
                _ => {}
            }
        }
        full::encode(self)
    }
}

/// The message value of a request body: the only item of a one-item array,
/// or the body itself.
fn request_message(v: &Value) -> &Value {
    match v {
        Value::Array(a) if a.assoc.is_empty() && a.dense.len() == 1 => &a.dense[0],
        other => other,
    }
}
