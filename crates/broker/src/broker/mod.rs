//! The broker: validation, routing rules and waiting, over a
//! [`MessageStore`].

mod connections;
mod outcome;
mod polling;
mod publishing;
mod subscriptions;

pub use outcome::{BrokerCounters, Delivery, IfUnsubscribed, Published, PurgeStats};

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::clock::Clock;
use crate::destination::{BrokerConfig, DestinationConfig};
use crate::error::BrokerError;
use crate::store::MessageStore;
use crate::wake::{ClusterNotifier, WakeEvent, WakeHub};

/// The messaging core. Generic over the shared state so that the
/// in-memory and a Redis store run the same rules.
pub struct Broker<S: MessageStore> {
    store: S,
    config: BrokerConfig,
    hub: WakeHub,
    clock: Clock,
    cluster: Option<Arc<dyn ClusterNotifier>>,
    // Plain atomics, outside the store: counting must not take its lock.
    published: AtomicU64,
    delivered: AtomicU64,
    dropped: AtomicU64,
}

impl<S: MessageStore> std::fmt::Debug for Broker<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Broker")
            .field("config", &self.config)
            .field("hub", &self.hub)
            .finish_non_exhaustive()
    }
}

impl<S: MessageStore> Broker<S> {
    /// A broker over `store` with the system clock.
    pub fn new(store: S, config: BrokerConfig) -> Self {
        Broker {
            store,
            config,
            hub: WakeHub::new(),
            clock: Clock::system(),
            cluster: None,
            published: AtomicU64::new(0),
            delivered: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
        }
    }

    /// Forwards wake-ups to other nodes through `notifier`.
    pub fn with_cluster_notifier(mut self, notifier: Arc<dyn ClusterNotifier>) -> Self {
        self.cluster = Some(notifier);
        self
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Publishes and deliveries so far on this node.
    pub fn counters(&self) -> BrokerCounters {
        BrokerCounters {
            published: self.published.load(Ordering::Relaxed),
            delivered: self.delivered.load(Ordering::Relaxed),
            dropped: self.dropped.load(Ordering::Relaxed),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &BrokerConfig {
        &self.config
    }

    /// The node-local wake hub; a cluster listener feeds remote
    /// [`WakeEvent`]s into it.
    pub fn wake_hub(&self) -> &WakeHub {
        &self.hub
    }

    /// Current time in epoch milliseconds, as the broker sees it.
    pub fn now_ms(&self) -> u64 {
        self.clock.now_ms()
    }

    /// The settings of a destination.
    pub fn destination(&self, id: &str) -> Result<&DestinationConfig, BrokerError> {
        self.config
            .destinations
            .get(id)
            .ok_or_else(|| BrokerError::UnknownDestination(id.to_owned()))
    }

    fn announce(&self, event: WakeEvent) {
        self.hub.wake(&event);
        if let Some(c) = &self.cluster {
            c.announce(&event);
        }
    }

    // ----- maintenance -----

    /// Drops expired and fully consumed messages and expires idle
    /// connections (their waiting polls are woken and fail).
    pub async fn purge(&self) -> Result<PurgeStats, BrokerError> {
        let now = self.now_ms();
        let messages = self.store.purge(now).await?;
        let mut connections = 0;
        for id in self.store.idle_connections(now).await? {
            if self.store.remove_connection(&id).await?.is_some() {
                tracing::debug!(connection = %id, "idle connection expired");
                connections += 1;
                self.announce(WakeEvent::Connection(id));
            }
        }
        Ok(PurgeStats {
            messages,
            connections,
        })
    }
}
