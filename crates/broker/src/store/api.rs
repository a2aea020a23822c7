//! The store contract: [`MessageStore`] and the values it takes and
//! returns (layout and bounds: the [module docs](super)).

use std::future::Future;
use std::sync::Arc;

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

/// How much one drain may hand out, over all subscriptions of the
/// connection. At least one entry is handed out whenever one is pending,
/// even if it alone passes `max_bytes`, so a large message cannot block
/// its consumers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DrainBudget {
    /// Most entries (one per message and subscription).
    pub max_messages: usize,
    /// Most bytes, summed over [`Message::size_bytes`] of those entries.
    pub max_bytes: usize,
}

impl DrainBudget {
    /// Default byte budget of one drain: 16 MiB, the default largest
    /// request body, so a reply is of the order of what a client may send.
    pub const DEFAULT_MAX_BYTES: usize = 16 << 20;

    /// A budget of `max_messages` entries and the default bytes.
    pub fn messages(max_messages: usize) -> Self {
        DrainBudget {
            max_messages,
            max_bytes: Self::DEFAULT_MAX_BYTES,
        }
    }

    /// Sets the byte budget.
    pub fn with_max_bytes(mut self, max_bytes: usize) -> Self {
        self.max_bytes = max_bytes;
        self
    }
}

impl Default for DrainBudget {
    /// 1,000 entries (the gateway's default `max_queued_messages_per_client`)
    /// and [`DrainBudget::DEFAULT_MAX_BYTES`].
    fn default() -> Self {
        DrainBudget::messages(1_000)
    }
}

/// Which subscriptions of a connection a drain takes from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum DrainScope {
    /// Every subscription of the connection: a FlexClient-wide poll.
    #[default]
    All,
    /// One consumer's subscription only (`Consumer.receive()`); the
    /// connection's other consumers keep what is pending for them.
    Consumer {
        /// The destination it subscribed to.
        destination: String,
        /// The consumer's client id.
        client_id: String,
    },
    /// The subscriptions made over this endpoint (channel id), and those
    /// recorded without one: a poll over that endpoint. BlazeDS keeps one
    /// outbound queue per FlexClient and endpoint, so what was subscribed
    /// over another channel waits for that channel's polls.
    Endpoint(String),
}

impl DrainScope {
    /// Whether the subscription `sub` of the draining connection is in scope.
    pub fn includes(&self, sub: &Subscription) -> bool {
        match self {
            DrainScope::All => true,
            DrainScope::Consumer {
                destination,
                client_id,
            } => sub.key.destination == *destination && sub.key.client_id == *client_id,
            DrainScope::Endpoint(endpoint) => sub.is_over(endpoint),
        }
    }
}

/// What a drain found.
#[derive(Debug, Clone)]
pub enum Drained {
    /// No connection has this id.
    NotConnected,
    /// The connection exists and holds no subscription in the drain's
    /// [`DrainScope`] (checked in the same atomic step as the drain).
    NotSubscribed,
    /// The entries handed out, per subscription with something new.
    Pending(Vec<Pending>),
}

/// The retention bounds an append enforces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Most entries in the destination's log.
    pub max_messages: usize,
    /// Most bytes in the destination's log.
    pub max_bytes: usize,
    /// Most bytes over every destination's log.
    pub max_total_bytes: usize,
}

/// The result of an append.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Appended {
    /// The message's sequence number in its destination.
    pub seq: u64,
    /// Entries dropped (of any destination) to keep the retention bounds.
    pub dropped: u64,
}

/// Whether [`MessageStore::open_connection`] may create the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Create {
    /// Create it when absent.
    IfAbsent,
    /// Only touch an existing one.
    No,
}

/// What [`MessageStore::open_connection`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opened {
    /// Created, as given.
    Created(Connection),
    /// It existed; touched (and promoted), as now stored.
    Existing(Connection),
    /// It did not exist and [`Create::No`] was asked.
    Absent,
}

/// Shared broker state: connections, subscriptions with cursors, and
/// per-destination ordered logs.
///
/// Every method is one atomic step with respect to the others (the memory
/// store holds a lock; a Redis store uses `MULTI`/Lua). Methods receive the
/// current time from the broker instead of reading a clock.
pub trait MessageStore: Send + Sync + 'static {
    /// Inserts `connection` unless one with its id exists (or `create` is
    /// [`Create::No`]); an existing one is touched at
    /// `connection.last_active_ms` instead, which also promotes it to its
    /// full idle timeout ([`Connection::promoted_timeout_ms`]).
    fn open_connection(
        &self,
        connection: Connection,
        create: Create,
    ) -> impl Future<Output = Result<Opened, StoreError>> + Send;

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
    /// `since_seq` is set to that end. The subscription is delivered over
    /// `endpoint` from now on, all its filters and what is pending for it
    /// included (a resubscribe over another channel moves it, as BlazeDS's
    /// `MessageClient.resetEndpoint` does on a ChannelSet failover);
    /// `None` leaves an existing subscription where it is.
    fn subscribe(
        &self,
        key: SubscriptionKey,
        endpoint: Option<String>,
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

    /// Appends to the message's destination log (`size_bytes` is its
    /// [`Message::size_bytes`]), then drops the oldest entries until the
    /// `retention` bounds hold. Nothing is retained while the destination
    /// has no subscriber (nobody could ever receive it).
    fn append(
        &self,
        message: Arc<Message>,
        size_bytes: usize,
        retention: Retention,
    ) -> impl Future<Output = Result<Appended, StoreError>> + Send;

    /// Hands out, in global append order and within `budget`, the entries
    /// after the cursor of each subscription in `scope`, and advances each
    /// of those cursors past what it handed out only; records a poll (and
    /// activity) at `now_ms`.
    fn take_pending(
        &self,
        connection_id: &str,
        scope: &DrainScope,
        now_ms: u64,
        budget: DrainBudget,
    ) -> impl Future<Output = Result<Drained, StoreError>> + Send;

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
