//! The message classes and the [`Message`] enum over them.

use crate::alias;
use crate::headers::Headers;
use crate::operation::CommandOperation;
use flexgate_amf::Value;

/// The fields every message has (`AbstractMessage`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AbstractMessage {
    /// The payload.
    pub body: Value,
    /// The id of the client (consumer, producer, remote object) that sent it.
    pub client_id: Option<String>,
    /// The destination id.
    pub destination: Option<String>,
    /// Headers, in wire order.
    pub headers: Headers,
    /// The message id (a UID).
    pub message_id: Option<String>,
    /// Creation time, milliseconds since the epoch (0 = not set).
    pub timestamp: i64,
    /// Milliseconds the message stays valid (0 = forever).
    pub time_to_live: i64,
}

/// `AsyncMessage`: a published or pushed message.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AsyncMessage {
    /// Common fields.
    pub base: AbstractMessage,
    /// The id of the message this one answers or relates to.
    pub correlation_id: Option<String>,
}

/// `CommandMessage`: a messaging infrastructure request (subscribe, poll, ping, login ...).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CommandMessage {
    /// Common fields.
    pub base: AbstractMessage,
    /// The correlation id (`AsyncMessage` field).
    pub correlation_id: Option<String>,
    /// What is asked for.
    pub operation: CommandOperation,
}

/// `AcknowledgeMessage`: the successful reply to a message.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AcknowledgeMessage {
    /// Common fields.
    pub base: AbstractMessage,
    /// The id of the message acknowledged.
    pub correlation_id: Option<String>,
}

/// `ErrorMessage`: the failure reply to a message (an `AcknowledgeMessage` subclass).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ErrorMessage {
    /// Common fields.
    pub base: AbstractMessage,
    /// The id of the failed message.
    pub correlation_id: Option<String>,
    /// Fault code, e.g. `Server.Processing`.
    pub fault_code: Option<String>,
    /// Human-readable description.
    pub fault_string: Option<String>,
    /// Details (often a stack trace).
    pub fault_detail: Option<String>,
    /// The underlying cause (another ErrorMessage or any object).
    pub root_cause: Value,
    /// Application-specific data (a map/object).
    pub extended_data: Value,
}

/// `RemotingMessage`: a remote procedure call.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RemotingMessage {
    /// Common fields; the body is the argument array.
    pub base: AbstractMessage,
    /// The method to call.
    pub operation: String,
    /// The class or service to call it on, when the destination allows it.
    pub source: Option<String>,
}

/// Any Flex message.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// An `AsyncMessage` (or its small form `DSA`).
    Async(AsyncMessage),
    /// A `CommandMessage` (or `DSC`).
    Command(CommandMessage),
    /// An `AcknowledgeMessage` (or `DSK`).
    Acknowledge(AcknowledgeMessage),
    /// An `ErrorMessage`.
    Error(ErrorMessage),
    /// A `RemotingMessage`.
    Remoting(RemotingMessage),
}

impl Message {
    /// The common fields.
    pub fn base(&self) -> &AbstractMessage {
        match self {
            Message::Async(m) => &m.base,
            Message::Command(m) => &m.base,
            Message::Acknowledge(m) => &m.base,
            Message::Error(m) => &m.base,
            Message::Remoting(m) => &m.base,
        }
    }

    /// The common fields, mutably.
    pub fn base_mut(&mut self) -> &mut AbstractMessage {
        match self {
            Message::Async(m) => &mut m.base,
            Message::Command(m) => &mut m.base,
            Message::Acknowledge(m) => &mut m.base,
            Message::Error(m) => &mut m.base,
            Message::Remoting(m) => &mut m.base,
        }
    }

    /// The correlation id (RemotingMessage has none).
    pub fn correlation_id(&self) -> Option<&str> {
        match self {
            Message::Async(m) => m.correlation_id.as_deref(),
            Message::Command(m) => m.correlation_id.as_deref(),
            Message::Acknowledge(m) => m.correlation_id.as_deref(),
            Message::Error(m) => m.correlation_id.as_deref(),
            Message::Remoting(_) => None,
        }
    }

    /// The full class alias (`flex.messaging.messages.*`).
    pub fn class_alias(&self) -> &'static str {
        match self {
            Message::Async(_) => alias::ASYNC_MESSAGE,
            Message::Command(_) => alias::COMMAND_MESSAGE,
            Message::Acknowledge(_) => alias::ACKNOWLEDGE_MESSAGE,
            Message::Error(_) => alias::ERROR_MESSAGE,
            Message::Remoting(_) => alias::REMOTING_MESSAGE,
        }
    }

    /// The message id.
    pub fn message_id(&self) -> Option<&str> {
        self.base().message_id.as_deref()
    }

    /// The client id.
    pub fn client_id(&self) -> Option<&str> {
        self.base().client_id.as_deref()
    }

    /// The destination.
    pub fn destination(&self) -> Option<&str> {
        self.base().destination.as_deref()
    }

    /// The value of header `name`.
    pub fn header(&self, name: &str) -> Option<&Value> {
        self.base().headers.get(name)
    }

    /// The body.
    pub fn body(&self) -> &Value {
        &self.base().body
    }
}

macro_rules! into_message {
    ($($ty:ident => $variant:ident),*) => {$(
        impl From<$ty> for Message {
            fn from(m: $ty) -> Self {
                Message::$variant(m)
            }
        }
    )*};
}
into_message!(
    AsyncMessage => Async,
    CommandMessage => Command,
    AcknowledgeMessage => Acknowledge,
    ErrorMessage => Error,
    RemotingMessage => Remoting
);
