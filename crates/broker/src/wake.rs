//! Waking long polls.
//!
//! A waiting poll registers with the node-local [`WakeHub`] under its
//! connection id and the destinations it is subscribed to, *then* checks
//! the store, and only then sleeps on its own [`Notify`]. A publish appends
//! to the store first and wakes second. Whichever order the two race in,
//! the poll either sees the message in its check or receives the wake-up:
//! `Notify::notify_one` stores a permit when nobody is waiting yet, so a
//! wake that lands between the check and the sleep is not lost.
//!
//! Across nodes, the broker hands every [`WakeEvent`] to an optional
//! [`ClusterNotifier`]; a Redis implementation publishes it on a pub/sub
//! channel, and a listener task on every node feeds received events to its
//! own hub with [`WakeHub::wake`]. Nothing else changes: the hub is the
//! only place waiting polls listen.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::Notify;

/// Something a waiting poll may care about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WakeEvent {
    /// New messages were appended to this destination.
    Destination(String),
    /// This connection's subscriptions changed or it was disconnected.
    Connection(String),
}

/// Forwards wake events to the other nodes of a cluster. Called after the
/// local hub was woken, from the publishing task; it must not block (queue
/// the event to a background publisher).
pub trait ClusterNotifier: Send + Sync + 'static {
    /// Announces `event` to the other nodes.
    fn announce(&self, event: &WakeEvent);
}

#[derive(Default)]
struct HubState {
    next_id: u64,
    waiters: HashMap<u64, Waiter>,
    by_destination: HashMap<String, HashSet<u64>>,
    by_connection: HashMap<String, HashSet<u64>>,
}

struct Waiter {
    notify: Arc<Notify>,
    /// Set by a connection wake-up (and `wake_all`): the waiter's
    /// subscriptions may have changed, so its destinations must be read
    /// again; a destination wake-up leaves them as they were.
    changed: Arc<AtomicBool>,
    connection: String,
    destinations: Vec<String>,
}

/// The node-local registry of waiting polls. Cheap to clone.
#[derive(Clone, Default)]
pub struct WakeHub {
    state: Arc<Mutex<HubState>>,
}

impl std::fmt::Debug for WakeHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WakeHub")
            .field("waiters", &self.lock().waiters.len())
            .finish()
    }
}

impl WakeHub {
    /// A hub with no waiters.
    pub fn new() -> Self {
        WakeHub::default()
    }

    fn lock(&self) -> MutexGuard<'_, HubState> {
        // The state stays consistent even if a holder panicked: every
        // critical section is a handful of map operations.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers a waiter for `connection` interested in `destinations`.
    /// The registration ends when the returned value is dropped.
    pub fn register(&self, connection: &str, destinations: Vec<String>) -> WaitRegistration {
        let notify = Arc::new(Notify::new());
        let changed = Arc::new(AtomicBool::new(false));
        let mut st = self.lock();
        let id = st.next_id;
        st.next_id += 1;
        for d in &destinations {
            st.by_destination.entry(d.clone()).or_default().insert(id);
        }
        st.by_connection
            .entry(connection.to_owned())
            .or_default()
            .insert(id);
        st.waiters.insert(
            id,
            Waiter {
                notify: notify.clone(),
                changed: changed.clone(),
                connection: connection.to_owned(),
                destinations,
            },
        );
        WaitRegistration {
            hub: self.clone(),
            id,
            notify,
            changed,
        }
    }

    fn unregister(&self, id: u64) {
        let mut st = self.lock();
        let Some(w) = st.waiters.remove(&id) else {
            return;
        };
        for d in &w.destinations {
            if let Some(set) = st.by_destination.get_mut(d) {
                set.remove(&id);
                if set.is_empty() {
                    st.by_destination.remove(d);
                }
            }
        }
        if let Some(set) = st.by_connection.get_mut(&w.connection) {
            set.remove(&id);
            if set.is_empty() {
                st.by_connection.remove(&w.connection);
            }
        }
    }

    /// Wakes every waiter registered for `destination`.
    pub fn wake_destination(&self, destination: &str) {
        let st = self.lock();
        if let Some(ids) = st.by_destination.get(destination) {
            for id in ids {
                if let Some(w) = st.waiters.get(id) {
                    w.notify.notify_one();
                }
            }
        }
    }

    /// Wakes every waiter of `connection`.
    pub fn wake_connection(&self, connection: &str) {
        let st = self.lock();
        if let Some(ids) = st.by_connection.get(connection) {
            for id in ids {
                if let Some(w) = st.waiters.get(id) {
                    w.changed.store(true, Ordering::Release);
                    w.notify.notify_one();
                }
            }
        }
    }

    /// Wakes every waiter (a cluster listener that may have missed events
    /// while reconnecting makes every poll check the store again).
    pub fn wake_all(&self) {
        let st = self.lock();
        for w in st.waiters.values() {
            w.changed.store(true, Ordering::Release);
            w.notify.notify_one();
        }
    }

    /// Dispatches an event (for a cluster listener).
    pub fn wake(&self, event: &WakeEvent) {
        match event {
            WakeEvent::Destination(d) => self.wake_destination(d),
            WakeEvent::Connection(c) => self.wake_connection(c),
        }
    }

    /// Number of registered waiters.
    pub fn waiter_count(&self) -> usize {
        self.lock().waiters.len()
    }
}

/// A registered waiter; unregisters on drop.
pub struct WaitRegistration {
    hub: WakeHub,
    id: u64,
    notify: Arc<Notify>,
    changed: Arc<AtomicBool>,
}

impl WaitRegistration {
    /// Whether a connection wake-up (or [`WakeHub::wake_all`]) arrived
    /// since registration or the last call: the connection's
    /// subscriptions may differ from those registered. Clears the mark.
    pub fn take_connection_changed(&self) -> bool {
        self.changed.swap(false, Ordering::AcqRel)
    }

    /// Resolves once a wake-up was delivered after registration (at once
    /// if one already was).
    pub async fn notified(&self) {
        self.notify.notified().await;
    }
}

impl Drop for WaitRegistration {
    fn drop(&mut self) {
        self.hub.unregister(self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn wake_before_wait_is_not_lost() {
        let hub = WakeHub::new();
        let reg = hub.register("c1", vec!["d".into()]);
        hub.wake_destination("d");
        tokio::time::timeout(std::time::Duration::from_secs(5), reg.notified())
            .await
            .expect("permit was stored");
        drop(reg);
        assert_eq!(hub.waiter_count(), 0);
        hub.wake_destination("d");
    }

    #[tokio::test]
    async fn only_connection_wakes_mark_a_change() {
        let hub = WakeHub::new();
        let reg = hub.register("c1", vec!["d".into()]);
        hub.wake_destination("d");
        reg.notified().await;
        assert!(!reg.take_connection_changed());
        hub.wake_connection("c1");
        reg.notified().await;
        assert!(reg.take_connection_changed());
        assert!(!reg.take_connection_changed(), "taking clears the mark");
        hub.wake_all();
        reg.notified().await;
        assert!(reg.take_connection_changed());
    }

    #[tokio::test]
    async fn wakes_only_interested_waiters() {
        let hub = WakeHub::new();
        let a = hub.register("c1", vec!["d1".into()]);
        let b = hub.register("c2", vec!["d2".into()]);
        hub.wake(&WakeEvent::Destination("d1".into()));
        hub.wake(&WakeEvent::Connection("c2".into()));
        a.notified().await;
        b.notified().await;
        let c = hub.register("c3", vec!["d3".into()]);
        hub.wake_destination("d1");
        let r = tokio::time::timeout(std::time::Duration::from_millis(20), c.notified()).await;
        assert!(r.is_err());
    }
}
