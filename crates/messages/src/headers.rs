//! Message header names and the ordered header map.
//!
//! Names are those of `flex.messaging.messages.Message`/`CommandMessage`/
//! `AsyncMessage` (BlazeDS) and `mx.messaging.messages.*` (Flex SDK).

use flexgate_amf::{Object, Str, Value};

/// `DSId`: the FlexClient id assigned by the server (`"nil"` before the first reply).
pub const DS_ID: &str = "DSId";
/// The `DSId` a Flex client sends before the server has assigned one.
pub const DS_ID_UNASSIGNED: &str = "nil";
/// `DSEndpoint`: the channel/endpoint id the client sends through.
pub const DS_ENDPOINT: &str = "DSEndpoint";
/// `DSValidateEndpoint`: ask the server to check the endpoint may serve the destination.
pub const DS_VALIDATE_ENDPOINT: &str = "DSValidateEndpoint";
/// `DSSubtopic`: subtopic of a subscribe, unsubscribe or publish.
pub const DS_SUBTOPIC: &str = "DSSubtopic";
/// `DSSelector`: SQL-92 style selector of a subscription.
pub const DS_SELECTOR: &str = "DSSelector";
/// `DSRemoteCredentials`: base64 `user:password` for the remote service.
pub const DS_REMOTE_CREDENTIALS: &str = "DSRemoteCredentials";
/// `DSRemoteCredentialsCharset`: charset of [`DS_REMOTE_CREDENTIALS`].
pub const DS_REMOTE_CREDENTIALS_CHARSET: &str = "DSRemoteCredentialsCharset";
/// `DSCredentialsCharset`: charset of the credentials of a login command.
pub const DS_CREDENTIALS_CHARSET: &str = "DSCredentialsCharset";
/// Whether a header carries credentials or describes them
/// ([`DS_REMOTE_CREDENTIALS`], [`DS_REMOTE_CREDENTIALS_CHARSET`],
/// [`DS_CREDENTIALS_CHARSET`], a legacy `Credentials`, or any other name
/// containing "credentials", case-insensitively): such headers must never
/// be stored or passed on to other clients.
pub fn is_credentials_header(name: &str) -> bool {
    const WORD: &[u8] = b"credentials";
    name.as_bytes()
        .windows(WORD.len())
        .any(|w| w.eq_ignore_ascii_case(WORD))
}

/// `DSDstClientId`: the client id of the message's consumer/producer at the destination.
pub const DS_DST_CLIENT_ID: &str = "DSDstClientId";
/// `DSAddSub`: multi-subscribe: array of `subtopic + "_;_" + selector` to add.
pub const DS_ADD_SUB: &str = "DSAddSub";
/// `DSRemSub`: multi-subscribe: array of `subtopic + "_;_" + selector` to remove.
pub const DS_REM_SUB: &str = "DSRemSub";
/// Separator between subtopic and selector in [`DS_ADD_SUB`]/[`DS_REM_SUB`] entries.
pub const SUBTOPIC_SEPARATOR: &str = "_;_";
/// `DSPollWait`: on a poll reply, milliseconds the client should wait before polling again.
pub const DS_POLL_WAIT: &str = "DSPollWait";
/// `DSNoOpPoll`: on a poll reply, the poll was not processed (another poll is pending).
pub const DS_NO_OP_POLL: &str = "DSNoOpPoll";
/// `DSSuppressPollWait`: ask the server not to wait on this poll (BlazeDS only).
pub const DS_SUPPRESS_POLL_WAIT: &str = "DSSuppressPollWait";
/// `DSMessagingVersion`: messaging feature level; on ping/login and their ack (see [`crate::Form`]).
pub const DS_MESSAGING_VERSION: &str = "DSMessagingVersion";
/// `DSRequestTimeout`: request timeout in seconds, as the Flex SDK names it
/// (`AbstractMessage.REQUEST_TIMEOUT_HEADER`).
pub const DS_REQUEST_TIMEOUT: &str = "DSRequestTimeout";
/// `DSRequestTimeoutMillis`: BlazeDS's name for the request timeout
/// (`Message.REQUEST_TIMEOUT_MILLIS_HEADER`); differs from [`DS_REQUEST_TIMEOUT`].
pub const DS_REQUEST_TIMEOUT_MILLIS: &str = "DSRequestTimeoutMillis";
/// `DSStatusCode`: HTTP status code of an error (set on ErrorMessages).
pub const DS_STATUS_CODE: &str = "DSStatusCode";
/// `DSNeedsConfig`: the ping/login asks for the server's dynamic configuration.
pub const DS_NEEDS_CONFIG: &str = "DSNeedsConfig";
/// `DSPriority`: message priority 0-9 (default 4).
pub const DS_PRIORITY: &str = "DSPriority";
/// `DSPreserveDurable`: keep a durable subscription on unsubscribe.
pub const DS_PRESERVE_DURABLE: &str = "DSPreserveDurable";
/// `DSSubscriptionInvalidated`: marks a subscription as invalidated.
pub const DS_SUBSCRIPTION_INVALIDATED: &str = "DSSubscriptionInvalidated";
/// `DSMaxFrequency`: maximum messages per second the consumer wants.
pub const DS_MAX_FREQUENCY: &str = "DSMaxFrequency";
/// `DS<3`: heartbeat command header.
pub const DS_HEARTBEAT: &str = "DS<3";
/// `DSErrorHint`: hint on an acknowledgement (Flex SDK `AcknowledgeMessage`).
pub const DS_ERROR_HINT: &str = "DSErrorHint";
/// `DSRetryableErrorHint`: the error may be retried (Flex SDK `ErrorMessage`).
pub const DS_RETRYABLE_ERROR_HINT: &str = "DSRetryableErrorHint";
/// `DSMessageStore`: message store header (Flex SDK).
pub const DS_MESSAGE_STORE: &str = "DSMessageStore";
/// `DSMPII`: message performance info, inbound.
pub const DS_MPI_IN: &str = "DSMPII";
/// `DSMPIO`: message performance info, outbound.
pub const DS_MPI_OUT: &str = "DSMPIO";
/// `DSMPIP`: message performance info, pushed.
pub const DS_MPI_PUSH: &str = "DSMPIP";
/// `DSApplicationRegisteredForPush` (BlazeDS push notifications).
pub const DS_APPLICATION_REGISTERED_FOR_PUSH: &str = "DSApplicationRegisteredForPush";
/// `DSPushRegisteredInformation` (BlazeDS push notifications).
pub const DS_PUSH_REGISTERED_INFORMATION: &str = "DSPushRegisteredInformation";
/// `sync`: BlazeDS `Message.SYNC_HEADER`.
pub const SYNC: &str = "sync";

/// Message headers: names to values, in wire order.
///
/// On the wire headers are an anonymous object (Flex) or a `Map` (BlazeDS).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Headers(Vec<(Str, Value)>);

impl Headers {
    /// No headers.
    pub fn new() -> Self {
        Self::default()
    }

    /// The value of `name`.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0
            .iter()
            .find(|(k, _)| k.as_str() == name)
            .map(|(_, v)| v)
    }

    /// The value of `name` when it is a string.
    pub fn get_str(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(Value::as_str)
    }

    /// Whether `name` is present.
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Sets `name`, replacing its value in place or appending it.
    pub fn set(&mut self, name: impl Into<Str>, value: impl Into<Value>) -> &mut Self {
        let name = name.into();
        let value = value.into();
        match self.0.iter_mut().find(|(k, _)| *k == name) {
            Some(slot) => slot.1 = value,
            None => self.0.push((name, value)),
        }
        self
    }

    /// Removes `name`, returning its value.
    pub fn remove(&mut self, name: &str) -> Option<Value> {
        let i = self.0.iter().position(|(k, _)| k.as_str() == name)?;
        Some(self.0.remove(i).1)
    }

    /// Keeps only the headers for which `keep(name, value)` holds.
    pub fn retain(&mut self, mut keep: impl FnMut(&str, &Value) -> bool) {
        self.0.retain(|(k, v)| keep(k.as_str(), v));
    }

    /// Number of headers.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The headers in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The headers as an anonymous object, as Flex writes them.
    pub fn to_value(&self) -> Value {
        Value::object(Object::anonymous(self.0.iter().cloned()))
    }

    /// Reads headers from an object (any class; sealed then dynamic members),
    /// an array's associative part, or a dictionary with string keys.
    /// `null`/`undefined` give no headers; anything else is `None`.
    pub fn from_value(v: &Value) -> Option<Headers> {
        let entries = match v {
            Value::Null | Value::Undefined => Vec::new(),
            Value::Object(o) => o.members().map(|(k, v)| (k.clone(), v.clone())).collect(),
            Value::Array(a) => a.assoc.clone(),
            Value::Dictionary(d) => d
                .entries
                .iter()
                .filter_map(|(k, v)| match k {
                    Value::String(s) => Some((s.clone(), v.clone())),
                    _ => None,
                })
                .collect(),
            _ => return None,
        };
        Some(Headers(entries))
    }
}

impl<K: Into<Str>, V: Into<Value>> FromIterator<(K, V)> for Headers {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut h = Headers::new();
        for (k, v) in iter {
            h.set(k, v);
        }
        h
    }
}
