//! Subscriptions: one per consumer (the Flex `clientId` of a `Consumer`)
//! per connection and destination, holding one or more filters.
//!
//! A plain `Consumer` has one filter (its subtopic and selector); a
//! `MultiTopicConsumer` may add several. A message is delivered to a
//! consumer once when *any* of its filters accepts it, as BlazeDS delivers
//! once per `MessageClient`.

use crate::message::Message;
use crate::selector::Selector;
use crate::subtopic::Subtopic;

/// Identifies one consumer's subscription.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SubscriptionKey {
    /// The connection (Flex client id) the consumer lives in.
    pub connection_id: String,
    /// The destination subscribed to.
    pub destination: String,
    /// The consumer's client id; delivered messages carry it as `clientId`.
    pub client_id: String,
}

impl SubscriptionKey {
    /// Builds a key.
    pub fn new(
        connection_id: impl Into<String>,
        destination: impl Into<String>,
        client_id: impl Into<String>,
    ) -> Self {
        SubscriptionKey {
            connection_id: connection_id.into(),
            destination: destination.into(),
            client_id: client_id.into(),
        }
    }
}

/// One subtopic/selector pair of a subscription.
#[derive(Debug, Clone, PartialEq)]
pub struct SubscriptionFilter {
    /// Subtopic pattern; `None` receives only messages without a subtopic.
    pub subtopic: Option<Subtopic>,
    /// Selector over the message headers; `None` accepts all.
    pub selector: Option<Selector>,
    /// The destination's last sequence number when this filter was added:
    /// it only accepts later messages.
    pub since_seq: u64,
}

impl SubscriptionFilter {
    /// `true` when this filter was made from the same subtopic and selector
    /// strings.
    pub fn same_spec(&self, subtopic: Option<&str>, selector: Option<&str>) -> bool {
        self.subtopic.as_ref().map(Subtopic::as_str) == subtopic
            && self.selector.as_ref().map(Selector::as_str) == selector
    }

    /// Whether the message with sequence number `seq` passes this filter.
    /// Either the filter has a subtopic and one of the message's subtopics
    /// matches it, or neither has any; then the selector must be TRUE,
    /// reading string headers of up to `max_header_bytes`.
    pub fn accepts(&self, seq: u64, message: &Message, max_header_bytes: usize) -> bool {
        if seq <= self.since_seq {
            return false;
        }
        let subtopic_ok = match &self.subtopic {
            None => message.subtopics.is_empty(),
            Some(pattern) => message.subtopics.iter().any(|s| pattern.matches_str(s)),
        };
        subtopic_ok
            && self
                .selector
                .as_ref()
                .is_none_or(|sel| sel.matches_within(message, max_header_bytes))
    }
}

/// A consumer's subscription.
#[derive(Debug, Clone, PartialEq)]
pub struct Subscription {
    /// Who and where.
    pub key: SubscriptionKey,
    /// The endpoint (channel id) it was made over, whose polls deliver
    /// it; `None`: any endpoint's (subscribed without one, or a Redis
    /// record written before endpoints were stored).
    pub endpoint: Option<String>,
    /// What (never empty while stored).
    pub filters: Vec<SubscriptionFilter>,
}

impl Subscription {
    /// Whether a poll over `endpoint` delivers this subscription's
    /// messages (BlazeDS keeps one outbound queue per endpoint).
    pub fn is_over(&self, endpoint: &str) -> bool {
        self.endpoint.as_deref().is_none_or(|e| e == endpoint)
    }

    /// Whether any filter accepts the message (see
    /// [`SubscriptionFilter::accepts`]).
    pub fn accepts(&self, seq: u64, message: &Message, max_header_bytes: usize) -> bool {
        self.filters
            .iter()
            .any(|f| f.accepts(seq, message, max_header_bytes))
    }
}

/// What [`MessageStore::subscribe`](crate::store::MessageStore::subscribe)
/// did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscribeOutcome {
    /// A new consumer subscription was created.
    Created {
        /// Messages with a higher sequence number will be delivered.
        since_seq: u64,
    },
    /// A filter was added to an existing consumer.
    FilterAdded {
        /// Messages with a higher sequence number may match the new filter.
        since_seq: u64,
    },
    /// The consumer already had exactly this filter; nothing changed
    /// (BlazeDS accepts a repeated subscribe too).
    AlreadySubscribed,
    /// The connection does not exist.
    NotConnected,
}

/// Which part of a subscription to remove.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unsubscribe<'a> {
    /// The filter made from these strings; the subscription goes when its
    /// last filter does.
    Filter {
        /// Subtopic as subscribed.
        subtopic: Option<&'a str>,
        /// Selector as subscribed.
        selector: Option<&'a str>,
    },
    /// The whole consumer subscription.
    All,
}
