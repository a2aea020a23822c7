//! What the broker hands back: deliveries, publish results, counters.

use std::sync::Arc;

use crate::message::Message;

/// One message handed to one consumer.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The consumer's client id: the gateway sets the delivered message's
    /// `clientId` to it (and `DSDstClientId`-style batching relies on it).
    pub client_id: String,
    /// The message's sequence number in its destination's log.
    pub seq: u64,
    /// The message (shared with every other consumer receiving it).
    pub message: Arc<Message>,
}

/// The result of a publish.
#[derive(Debug, Clone)]
pub struct Published {
    /// Sequence number in the destination's log.
    pub seq: u64,
    /// The message as stored (timestamp and TTL stamped).
    pub message: Arc<Message>,
}

/// What one [`Broker::purge`] pass removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PurgeStats {
    /// Log entries dropped (expired or consumed by every subscriber).
    pub messages: usize,
    /// Idle connections expired.
    pub connections: usize,
}

/// Running totals of this broker (this node), since it was created.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BrokerCounters {
    /// Messages stored by a publish.
    pub published: u64,
    /// Deliveries handed to consumers by polls (one per message and
    /// matching consumer).
    pub delivered: u64,
    /// Retained messages dropped, by this node's publishes, to keep the
    /// retention bounds (count, bytes per destination, total bytes); any
    /// consumer that had not drained them misses them.
    pub dropped: u64,
}

/// What [`Broker::wait_for_messages`] does for a connection without
/// subscriptions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IfUnsubscribed {
    /// Fail at once with [`BrokerError::NotSubscribed`]: a Flex long poll,
    /// whose client must resubscribe (its subscriptions were lost).
    Fail,
    /// Wait anyway, for a subscribe or the deadline: a stream, which a
    /// Flex client opens before it subscribes.
    Wait,
}
