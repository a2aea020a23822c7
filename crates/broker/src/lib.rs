//! The messaging core of flexgate: connections, subscriptions with
//! subtopics and selectors, and a store-and-drain message log.
//!
//! The model is AmFast's: a publish stores the message in its
//! destination's log; a poll drains, for one connection, whatever arrived
//! for its subscriptions since its last drain. Long polls wait on a
//! notification instead of sleeping in a loop. Routing rules (subtopic
//! syntax and wildcards, selector semantics, defaults) are BlazeDS's.
//!
//! * [`Broker`] — the entry point, generic over a [`MessageStore`].
//! * [`MemoryStore`] — the embedded single-node store.
//! * [`RedisStore`], [`RedisWake`] — the shared store and cross-node
//!   wake-ups of a cluster (feature `redis`, on by default).
//! * [`AnyStore`] — either store, chosen at run time.
//! * [`Selector`], [`Subtopic`] — parsed once at subscribe time.
//! * [`WakeHub`], [`ClusterNotifier`] — long-poll wake-ups, pluggable
//!   across nodes.
//! * [`Cleaner`] — background purge of expired messages and idle
//!   connections.
//!
//! The crate knows nothing about HTTP or Flex message classes: a message's
//! [`Payload`] is an opaque AMF value.

mod broker;
mod cleaner;
mod clock;
mod connection;
mod delivery_cache;
mod destination;
mod error;
mod message;
#[cfg(feature = "redis")]
mod redis_wake;
pub mod selector;
mod size;
pub mod store;
mod subscription;
pub mod subtopic;
mod wake;

pub use broker::{Broker, BrokerCounters, Delivery, IfUnsubscribed, Published, PurgeStats};
pub use cleaner::Cleaner;
pub use clock::Clock;
pub use connection::{new_connection_id, Connection, ConnectionUpdate};
pub use delivery_cache::DeliveryCache;
pub use destination::{
    BrokerConfig, DestinationConfig, DEFAULT_MAX_RETAINED_BYTES, DEFAULT_MAX_TOTAL_RETAINED_BYTES,
    DEFAULT_MAX_TTL_MS, DEFAULT_NEW_CLIENT_TIMEOUT,
};
pub use error::{BrokerError, StoreError};
pub use message::{Message, Payload, DESTINATION_CLIENT_ID_HEADER, SUBTOPIC_HEADER};
#[cfg(feature = "redis")]
pub use redis_wake::RedisWake;
pub use selector::{HeaderSource, Selector, SelectorError, SelectorErrorKind};
#[cfg(feature = "redis")]
pub use store::RedisStore;
pub use store::{
    AnyStore, Appended, Create, DrainBudget, DrainScope, Drained, MemoryStore, MessageStore,
    Opened, Pending, Retention,
};
pub use subscription::{
    SubscribeOutcome, Subscription, SubscriptionFilter, SubscriptionKey, Unsubscribe,
};
pub use subtopic::{Subtopic, SubtopicError};
pub use wake::{ClusterNotifier, WaitRegistration, WakeEvent, WakeHub};
