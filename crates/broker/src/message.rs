//! The broker's envelope for one published message.

use std::collections::HashMap;

use flexgate_amf::Value;

use crate::delivery_cache::DeliveryCache;
use crate::selector::HeaderSource;
use crate::size;

/// The Flex header naming the consumer a message is targeted at.
pub const DESTINATION_CLIENT_ID_HEADER: &str = "DSDstClientId";

/// The Flex header carrying a message's subtopic.
pub const SUBTOPIC_HEADER: &str = "DSSubtopic";

/// What the gateway delivers for a message.
#[derive(Debug, Clone, PartialEq)]
pub enum Payload {
    /// The complete `AsyncMessage` as a Flex producer sent it; the gateway
    /// only sets `clientId` (to the consumer id) before delivering it.
    Message(Value),
    /// Only a message body, published by a server-side service through
    /// [`Broker::publish`](crate::Broker::publish); the gateway wraps it in
    /// a new `AsyncMessage` built from this envelope (id, destination,
    /// headers, timestamp, TTL, subtopic).
    Body(Value),
}

impl Payload {
    /// The wrapped value, whichever the kind.
    pub fn value(&self) -> &Value {
        match self {
            Payload::Message(v) | Payload::Body(v) => v,
        }
    }
}

/// One published message. The broker stores it as `Arc<Message>` and hands
/// the same `Arc` to every consumer that receives it.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// Message id (Flex `messageId`).
    pub id: String,
    /// Destination id.
    pub destination: String,
    /// Subtopics (`DSSubtopic`), without wildcards; empty means none.
    /// A `MultiTopicProducer` sends several: the message then reaches each
    /// consumer once when any of them matches (BlazeDS collects the
    /// recipients of every subtopic into one set).
    pub subtopics: Vec<String>,
    /// Headers that selectors are evaluated against (scalars: strings,
    /// numbers, booleans, null).
    pub headers: HashMap<String, Value>,
    /// Publish time, milliseconds since the epoch; stamped by the broker.
    pub timestamp_ms: u64,
    /// Time to live in milliseconds; 0 means "use the destination default".
    pub ttl_ms: u64,
    /// Connection (Flex client id) that published it, if it came from a
    /// client.
    pub sender: Option<String>,
    /// `DSDstClientId`: when set, the message is delivered only to the
    /// connection with this id, or to the consumer with this client id.
    pub target_client_id: Option<String>,
    /// What to deliver.
    pub payload: Payload,
    /// What the consumer side derived from this message for delivery,
    /// shared by every consumer of the same stored `Arc`.
    pub delivery_cache: DeliveryCache,
}

impl Message {
    /// A message for `destination` with a fresh id and no subtopic,
    /// headers, sender or target; TTL 0 (destination default).
    pub fn new(destination: impl Into<String>, payload: Payload) -> Self {
        Message {
            id: crate::connection::upper_uuid(),
            destination: destination.into(),
            subtopics: Vec::new(),
            headers: HashMap::new(),
            timestamp_ms: 0,
            ttl_ms: 0,
            sender: None,
            target_client_id: None,
            payload,
            delivery_cache: DeliveryCache::default(),
        }
    }

    /// Replaces the id.
    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.id = id.into();
        self
    }

    /// Sets the one subtopic.
    pub fn with_subtopic(mut self, subtopic: impl Into<String>) -> Self {
        self.subtopics = vec![subtopic.into()];
        self
    }

    /// Sets several subtopics (a `MultiTopicProducer`'s send).
    pub fn with_subtopics<I, T>(mut self, subtopics: I) -> Self
    where
        I: IntoIterator<Item = T>,
        T: Into<String>,
    {
        self.subtopics = subtopics.into_iter().map(Into::into).collect();
        self
    }

    /// Adds a header.
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.headers.insert(name.into(), value.into());
        self
    }

    /// Sets the time to live in milliseconds (0: destination default).
    pub fn with_ttl_ms(mut self, ttl_ms: u64) -> Self {
        self.ttl_ms = ttl_ms;
        self
    }

    /// Sets the publishing connection.
    pub fn with_sender(mut self, connection_id: impl Into<String>) -> Self {
        self.sender = Some(connection_id.into());
        self
    }

    /// Targets one connection or consumer (`DSDstClientId`).
    pub fn with_target(mut self, client_id: impl Into<String>) -> Self {
        self.target_client_id = Some(client_id.into());
        self
    }

    /// When the message expires, in epoch milliseconds.
    pub fn expires_at_ms(&self) -> u64 {
        self.timestamp_ms.saturating_add(self.ttl_ms)
    }

    /// An estimate of the bytes this message holds: payload, headers and
    /// envelope strings (see the `size` module for what is counted). It
    /// walks the payload, so the broker computes it once per publish and
    /// the stores keep the figure beside the entry.
    pub fn size_bytes(&self) -> usize {
        let strings = [
            Some(self.id.as_str()),
            Some(self.destination.as_str()),
            self.sender.as_deref(),
            self.target_client_id.as_deref(),
        ]
        .into_iter()
        .flatten()
        .chain(self.subtopics.iter().map(String::as_str))
        .map(str::len)
        .fold(0usize, usize::saturating_add);
        let headers = self
            .headers
            .iter()
            .map(|(k, v)| k.len().saturating_add(size::value_size(v)))
            .fold(0usize, usize::saturating_add);
        // Each subtopic is a `String` of its own besides its bytes.
        let subtopic_overhead = self
            .subtopics
            .len()
            .saturating_mul(std::mem::size_of::<String>());
        size::ENVELOPE_OVERHEAD
            .saturating_add(strings)
            .saturating_add(subtopic_overhead)
            .saturating_add(headers)
            .saturating_add(size::value_size(self.payload.value()))
    }

    /// `true` once `now_ms` is past the expiry time.
    pub fn is_expired(&self, now_ms: u64) -> bool {
        now_ms > self.expires_at_ms()
    }
}

impl HeaderSource for Message {
    fn header(&self, name: &str) -> Option<&Value> {
        self.headers.get(name)
    }
}
