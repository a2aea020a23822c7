//! A store chosen at run time (from configuration).

use std::sync::Arc;

use super::api::{
    Appended, Create, DrainBudget, DrainScope, Drained, MessageStore, Opened, Retention,
};
use super::memory::MemoryStore;
#[cfg(feature = "redis")]
use super::redis::RedisStore;
use crate::connection::{Connection, ConnectionUpdate};
use crate::error::StoreError;
use crate::message::Message;
use crate::selector::Selector;
use crate::subscription::{SubscribeOutcome, Subscription, SubscriptionKey, Unsubscribe};
use crate::subtopic::Subtopic;

/// Either store, delegating every method; what a server builds from its
/// configuration.
#[derive(Debug)]
pub enum AnyStore {
    /// The embedded single-node store.
    Memory(MemoryStore),
    /// The shared Redis store.
    #[cfg(feature = "redis")]
    Redis(RedisStore),
}

impl From<MemoryStore> for AnyStore {
    fn from(s: MemoryStore) -> Self {
        AnyStore::Memory(s)
    }
}

#[cfg(feature = "redis")]
impl From<RedisStore> for AnyStore {
    fn from(s: RedisStore) -> Self {
        AnyStore::Redis(s)
    }
}

/// Calls `$call` on whichever store this is.
macro_rules! delegate {
    ($self:ident, $s:ident => $call:expr) => {
        match $self {
            AnyStore::Memory($s) => $call.await,
            #[cfg(feature = "redis")]
            AnyStore::Redis($s) => $call.await,
        }
    };
}

impl MessageStore for AnyStore {
    async fn open_connection(
        &self,
        connection: Connection,
        create: Create,
    ) -> Result<Opened, StoreError> {
        delegate!(self, s => s.open_connection(connection, create))
    }

    async fn connection_count(&self) -> Result<usize, StoreError> {
        delegate!(self, s => s.connection_count())
    }

    async fn connection(&self, id: &str) -> Result<Option<Connection>, StoreError> {
        delegate!(self, s => s.connection(id))
    }

    async fn update_connection(
        &self,
        id: &str,
        update: ConnectionUpdate,
    ) -> Result<bool, StoreError> {
        delegate!(self, s => s.update_connection(id, update))
    }

    async fn remove_connection(&self, id: &str) -> Result<Option<Connection>, StoreError> {
        delegate!(self, s => s.remove_connection(id))
    }

    async fn idle_connections(&self, now_ms: u64) -> Result<Vec<String>, StoreError> {
        delegate!(self, s => s.idle_connections(now_ms))
    }

    async fn subscribe(
        &self,
        key: SubscriptionKey,
        endpoint: Option<String>,
        subtopic: Option<Subtopic>,
        selector: Option<Selector>,
    ) -> Result<SubscribeOutcome, StoreError> {
        delegate!(self, s => s.subscribe(key, endpoint, subtopic, selector))
    }

    async fn unsubscribe(
        &self,
        key: &SubscriptionKey,
        what: Unsubscribe<'_>,
    ) -> Result<bool, StoreError> {
        delegate!(self, s => s.unsubscribe(key, what))
    }

    async fn subscriptions(
        &self,
        connection_id: &str,
    ) -> Result<Vec<Arc<Subscription>>, StoreError> {
        delegate!(self, s => s.subscriptions(connection_id))
    }

    async fn append(
        &self,
        message: Arc<Message>,
        size_bytes: usize,
        retention: Retention,
    ) -> Result<Appended, StoreError> {
        delegate!(self, s => s.append(message, size_bytes, retention))
    }

    async fn take_pending(
        &self,
        connection_id: &str,
        scope: &DrainScope,
        now_ms: u64,
        budget: DrainBudget,
    ) -> Result<Drained, StoreError> {
        delegate!(self, s => s.take_pending(connection_id, scope, now_ms, budget))
    }

    async fn purge(&self, now_ms: u64) -> Result<usize, StoreError> {
        delegate!(self, s => s.purge(now_ms))
    }

    async fn connections(&self) -> Result<Vec<Connection>, StoreError> {
        delegate!(self, s => s.connections())
    }

    async fn all_subscriptions(&self) -> Result<Vec<Arc<Subscription>>, StoreError> {
        delegate!(self, s => s.all_subscriptions())
    }
}
