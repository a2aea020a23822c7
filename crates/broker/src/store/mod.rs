//! The state several gateway nodes would share, behind one async trait.
//!
//! # Layout: one ordered log per destination, filtered at drain
//!
//! Every destination has a single append-only log; each message gets the
//! next sequence number of its destination. Every consumer subscription
//! has a cursor: the last sequence number it has been handed. A drain for
//! a connection reads, for each of its subscriptions, the log entries after
//! the cursor and moves the cursor to the end, so it costs O(new messages),
//! however long the log or however many other subscribers exist. A new
//! subscription starts at the log's current end, so it never sees older
//! messages.
//!
//! Subtopics are *not* separate logs. A wildcard pattern (`chat.*`, `*`)
//! matches an open-ended set of subtopics, so per-subtopic logs would force
//! a wildcard subscriber to find and merge many logs (and to keep a cursor
//! in each, including logs created after it subscribed), and would lose the
//! single publish order per destination. With one log per destination a
//! subscription is one integer, ordering is total, and a Redis store maps
//! it directly onto one stream (`XADD`/`XRANGE` from the cursor) or sorted
//! set per destination. The price is that a subscriber to a narrow subtopic
//! reads past other subtopics' messages of the same destination; the
//! subtopic test is a string comparison (or an allocation-free token walk
//! for wildcards), and destinations in Flex applications are typically
//! partitioned by subtopic only lightly.
//!
//! Filtering (subtopic, selector, `DSDstClientId`, publisher echo, expiry)
//! happens in the broker after the store hands entries out, so stores
//! stay dumb and every store applies exactly the same rules.

mod any;
mod memory;
#[cfg(feature = "redis")]
mod redis;

use std::future::Future;
use std::sync::Arc;

#[cfg(feature = "redis")]
pub use self::redis::{RedisStore, EXPIRY_GRACE};
pub use any::AnyStore;
pub use memory::MemoryStore;

use crate::connection::{Connection, ConnectionUpdate};
use crate::error::StoreError;
use crate::message::Message;
use crate::selector::Selector;
use crate::subscription::{SubscribeOutcome, Subscription, SubscriptionKey, Unsubscribe};
use crate::subtopic::Subtopic;

/// New log entries for one subscription, in sequence order.
#[derive(Debug, Clone)]
pub struct Pending {
    /// The subscription as it was when the entries were taken.
    pub subscription: Arc<Subscription>,
    /// `(sequence number, message)` pairs after the old cursor.
    pub messages: Vec<(u64, Arc<Message>)>,
    /// How many entries after the old cursor had already been dropped
    /// (retention limit) and are therefore missed.
    pub missed: u64,
}

/// Shared broker state: connections, subscriptions with cursors, and
/// per-destination ordered logs.
///
/// Every method is one atomic step with respect to the others (the memory
/// store holds a lock; a Redis store uses `MULTI`/Lua). Methods receive the
/// current time from the broker instead of reading a clock.
pub trait MessageStore: Send + Sync + 'static {
    /// Inserts `connection` unless one with its id exists. Returns the
    /// stored connection and whether it was created; an existing one is
    /// touched at `connection.last_active_ms` instead.
    fn open_connection(
        &self,
        connection: Connection,
    ) -> impl Future<Output = Result<(Connection, bool), StoreError>> + Send;

    /// How many connections exist (cheap: a map length, a `ZCARD`).
    fn connection_count(&self) -> impl Future<Output = Result<usize, StoreError>> + Send;

    /// The connection with this id.
    fn connection(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<Connection>, StoreError>> + Send;

    /// Applies `update`; `false` when the connection does not exist.
    fn update_connection(
        &self,
        id: &str,
        update: ConnectionUpdate,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Removes the connection with its subscriptions and cursors.
    fn remove_connection(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<Connection>, StoreError>> + Send;

    /// Ids of connections idle at `now_ms`.
    fn idle_connections(
        &self,
        now_ms: u64,
    ) -> impl Future<Output = Result<Vec<String>, StoreError>> + Send;

    /// Adds a filter to the consumer `key` (creating its subscription with
    /// a cursor at the destination's current end). The filter's
    /// `since_seq` is set to that end.
    fn subscribe(
        &self,
        key: SubscriptionKey,
        subtopic: Option<Subtopic>,
        selector: Option<Selector>,
    ) -> impl Future<Output = Result<SubscribeOutcome, StoreError>> + Send;

    /// Removes a filter or the whole subscription; `false` when there was
    /// nothing to remove.
    fn unsubscribe(
        &self,
        key: &SubscriptionKey,
        what: Unsubscribe<'_>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// The subscriptions of a connection.
    fn subscriptions(
        &self,
        connection_id: &str,
    ) -> impl Future<Output = Result<Vec<Arc<Subscription>>, StoreError>> + Send;

    /// Appends to the message's destination log, keeping at most
    /// `max_retained` entries; returns the sequence number.
    fn append(
        &self,
        message: Arc<Message>,
        max_retained: usize,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// For every subscription of the connection, takes the entries after
    /// its cursor and advances the cursor past them; records a poll (and
    /// activity) at `now_ms`. `None` when the connection does not exist.
    fn take_pending(
        &self,
        connection_id: &str,
        now_ms: u64,
    ) -> impl Future<Output = Result<Option<Vec<Pending>>, StoreError>> + Send;

    /// Drops entries that expired at `now_ms` or that every current
    /// subscription has already consumed; returns how many were dropped.
    fn purge(&self, now_ms: u64) -> impl Future<Output = Result<usize, StoreError>> + Send;

    /// Every connection, in no particular order: for operators' views (a
    /// status page, metrics), never on a request's path. A shared store
    /// lists what all nodes share (a Redis store: its set of connection
    /// ids, then the hashes).
    ///
    /// The default reports that the store cannot list; stores override it.
    fn connections(&self) -> impl Future<Output = Result<Vec<Connection>, StoreError>> + Send {
        std::future::ready(Err(StoreError::new(
            "this store cannot list its connections",
        )))
    }

    /// Every subscription of every connection, in no particular order; for
    /// operators' views like [`MessageStore::connections`].
    ///
    /// The default reports that the store cannot list; stores override it.
    fn all_subscriptions(
        &self,
    ) -> impl Future<Output = Result<Vec<Arc<Subscription>>, StoreError>> + Send {
        std::future::ready(Err(StoreError::new(
            "this store cannot list its subscriptions",
        )))
    }
}
