//! The embedded, single-node store.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use super::{MessageStore, Pending};
use crate::connection::{Connection, ConnectionUpdate};
use crate::error::StoreError;
use crate::message::Message;
use crate::selector::Selector;
use crate::subscription::{
    SubscribeOutcome, Subscription, SubscriptionFilter, SubscriptionKey, Unsubscribe,
};
use crate::subtopic::Subtopic;

/// In-memory [`MessageStore`]: all state behind one mutex that is never
/// held across an `.await`, so every method completes without suspending.
#[derive(Default)]
pub struct MemoryStore {
    state: Mutex<State>,
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let st = self.lock();
        f.debug_struct("MemoryStore")
            .field("connections", &st.connections.len())
            .field("subscriptions", &st.subscriptions.len())
            .field("destinations", &st.logs.len())
            .finish()
    }
}

#[derive(Default)]
struct State {
    connections: HashMap<String, ConnectionEntry>,
    subscriptions: HashMap<SubscriptionKey, SubscriptionEntry>,
    logs: HashMap<String, DestinationLog>,
}

struct ConnectionEntry {
    connection: Connection,
    consumers: BTreeSet<SubscriptionKey>,
}

struct SubscriptionEntry {
    subscription: Arc<Subscription>,
    /// Last sequence number handed out.
    cursor: u64,
}

#[derive(Default)]
struct DestinationLog {
    /// Entries in ascending sequence order (not necessarily contiguous:
    /// purging removes expired entries from the middle too).
    entries: VecDeque<(u64, Arc<Message>)>,
    /// Sequence number of the last append (0: none yet).
    last_seq: u64,
    /// Highest sequence number dropped by the retention limit.
    evicted_upto: u64,
    /// Number of subscriptions on this destination.
    subscribers: usize,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryStore::default()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Every critical section leaves the maps consistent, so a panic in
        // another holder does not invalidate the state.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Number of retained log entries over all destinations (for tests and
    /// metrics).
    pub fn retained_messages(&self) -> usize {
        self.lock().logs.values().map(|l| l.entries.len()).sum()
    }
}

impl State {
    fn drop_subscription(&mut self, key: &SubscriptionKey) -> bool {
        if self.subscriptions.remove(key).is_none() {
            return false;
        }
        if let Some(log) = self.logs.get_mut(&key.destination) {
            log.subscribers = log.subscribers.saturating_sub(1);
        }
        if let Some(c) = self.connections.get_mut(&key.connection_id) {
            c.consumers.remove(key);
        }
        true
    }
}

impl MessageStore for MemoryStore {
    async fn open_connection(
        &self,
        connection: Connection,
    ) -> Result<(Connection, bool), StoreError> {
        let mut st = self.lock();
        if let Some(existing) = st.connections.get_mut(&connection.id) {
            existing.connection.apply(ConnectionUpdate::Touch {
                now_ms: connection.last_active_ms,
            });
            return Ok((existing.connection.clone(), false));
        }
        st.connections.insert(
            connection.id.clone(),
            ConnectionEntry {
                connection: connection.clone(),
                consumers: BTreeSet::new(),
            },
        );
        Ok((connection, true))
    }

    async fn connection_count(&self) -> Result<usize, StoreError> {
        Ok(self.lock().connections.len())
    }

    async fn connection(&self, id: &str) -> Result<Option<Connection>, StoreError> {
        Ok(self
            .lock()
            .connections
            .get(id)
            .map(|c| c.connection.clone()))
    }

    async fn update_connection(
        &self,
        id: &str,
        update: ConnectionUpdate,
    ) -> Result<bool, StoreError> {
        let mut st = self.lock();
        match st.connections.get_mut(id) {
            Some(c) => {
                c.connection.apply(update);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    async fn remove_connection(&self, id: &str) -> Result<Option<Connection>, StoreError> {
        let mut st = self.lock();
        let Some(entry) = st.connections.remove(id) else {
            return Ok(None);
        };
        for key in &entry.consumers {
            st.drop_subscription(key);
        }
        Ok(Some(entry.connection))
    }

    async fn connections(&self) -> Result<Vec<Connection>, StoreError> {
        Ok(self
            .lock()
            .connections
            .values()
            .map(|c| c.connection.clone())
            .collect())
    }

    async fn all_subscriptions(&self) -> Result<Vec<Arc<Subscription>>, StoreError> {
        Ok(self
            .lock()
            .subscriptions
            .values()
            .map(|e| e.subscription.clone())
            .collect())
    }

    async fn idle_connections(&self, now_ms: u64) -> Result<Vec<String>, StoreError> {
        Ok(self
            .lock()
            .connections
            .values()
            .filter(|c| c.connection.is_idle(now_ms))
            .map(|c| c.connection.id.clone())
            .collect())
    }

    async fn subscribe(
        &self,
        key: SubscriptionKey,
        subtopic: Option<Subtopic>,
        selector: Option<Selector>,
    ) -> Result<SubscribeOutcome, StoreError> {
        let mut guard = self.lock();
        let st = &mut *guard;
        let Some(conn) = st.connections.get_mut(&key.connection_id) else {
            return Ok(SubscribeOutcome::NotConnected);
        };
        let log = st.logs.entry(key.destination.clone()).or_default();
        let since_seq = log.last_seq;
        let filter = SubscriptionFilter {
            subtopic,
            selector,
            since_seq,
        };
        if let Some(entry) = st.subscriptions.get_mut(&key) {
            let sub = Arc::make_mut(&mut entry.subscription);
            let (t, s) = (
                filter.subtopic.as_ref().map(Subtopic::as_str),
                filter.selector.as_ref().map(Selector::as_str),
            );
            if sub.filters.iter().any(|f| f.same_spec(t, s)) {
                return Ok(SubscribeOutcome::AlreadySubscribed);
            }
            sub.filters.push(filter);
            return Ok(SubscribeOutcome::FilterAdded { since_seq });
        }
        log.subscribers += 1;
        conn.consumers.insert(key.clone());
        st.subscriptions.insert(
            key.clone(),
            SubscriptionEntry {
                subscription: Arc::new(Subscription {
                    key,
                    filters: vec![filter],
                }),
                cursor: since_seq,
            },
        );
        Ok(SubscribeOutcome::Created { since_seq })
    }

    async fn unsubscribe(
        &self,
        key: &SubscriptionKey,
        what: Unsubscribe<'_>,
    ) -> Result<bool, StoreError> {
        let mut st = self.lock();
        match what {
            Unsubscribe::All => Ok(st.drop_subscription(key)),
            Unsubscribe::Filter { subtopic, selector } => {
                let Some(entry) = st.subscriptions.get_mut(key) else {
                    return Ok(false);
                };
                let sub = Arc::make_mut(&mut entry.subscription);
                let before = sub.filters.len();
                sub.filters.retain(|f| !f.same_spec(subtopic, selector));
                let removed = sub.filters.len() != before;
                if sub.filters.is_empty() {
                    st.drop_subscription(key);
                }
                Ok(removed)
            }
        }
    }

    async fn subscriptions(
        &self,
        connection_id: &str,
    ) -> Result<Vec<Arc<Subscription>>, StoreError> {
        let st = self.lock();
        let Some(conn) = st.connections.get(connection_id) else {
            return Ok(Vec::new());
        };
        Ok(conn
            .consumers
            .iter()
            .filter_map(|k| st.subscriptions.get(k).map(|e| e.subscription.clone()))
            .collect())
    }

    async fn append(&self, message: Arc<Message>, max_retained: usize) -> Result<u64, StoreError> {
        let mut st = self.lock();
        let log = st.logs.entry(message.destination.clone()).or_default();
        log.last_seq += 1;
        let seq = log.last_seq;
        // Nobody subscribed: nobody can ever receive it (new subscriptions
        // start after the current end), so there is nothing to retain.
        if log.subscribers > 0 && max_retained > 0 {
            log.entries.push_back((seq, message));
            while log.entries.len() > max_retained {
                if let Some((dropped, _)) = log.entries.pop_front() {
                    log.evicted_upto = dropped;
                }
            }
        }
        Ok(seq)
    }

    async fn take_pending(
        &self,
        connection_id: &str,
        now_ms: u64,
    ) -> Result<Option<Vec<Pending>>, StoreError> {
        let mut guard = self.lock();
        let st = &mut *guard;
        let Some(conn) = st.connections.get_mut(connection_id) else {
            return Ok(None);
        };
        conn.connection.last_polled_ms = now_ms;
        conn.connection.apply(ConnectionUpdate::Touch { now_ms });
        let mut out = Vec::with_capacity(conn.consumers.len());
        for key in &conn.consumers {
            let (Some(entry), Some(log)) =
                (st.subscriptions.get_mut(key), st.logs.get(&key.destination))
            else {
                continue;
            };
            if log.last_seq <= entry.cursor {
                continue;
            }
            let start = log.entries.partition_point(|(s, _)| *s <= entry.cursor);
            let messages: Vec<(u64, Arc<Message>)> = log.entries.range(start..).cloned().collect();
            let missed = log.evicted_upto.saturating_sub(entry.cursor);
            entry.cursor = log.last_seq;
            if !messages.is_empty() || missed > 0 {
                out.push(Pending {
                    subscription: entry.subscription.clone(),
                    messages,
                    missed,
                });
            }
        }
        Ok(Some(out))
    }

    async fn purge(&self, now_ms: u64) -> Result<usize, StoreError> {
        let mut guard = self.lock();
        let st = &mut *guard;
        let mut min_cursor: HashMap<&str, u64> = HashMap::new();
        for (key, entry) in &st.subscriptions {
            let c = min_cursor
                .entry(key.destination.as_str())
                .or_insert(u64::MAX);
            *c = (*c).min(entry.cursor);
        }
        let mut dropped = 0;
        for (dest, log) in st.logs.iter_mut() {
            let consumed_by_all = min_cursor.get(dest.as_str()).copied().unwrap_or(u64::MAX);
            let before = log.entries.len();
            log.entries
                .retain(|(seq, m)| *seq > consumed_by_all && !m.is_expired(now_ms));
            dropped += before - log.entries.len();
        }
        Ok(dropped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::Payload;
    use flexgate_amf::Value;

    fn m(dest: &str, ttl_ms: u64) -> Arc<Message> {
        Arc::new(Message::new(dest, Payload::Message(Value::Null)).with_ttl_ms(ttl_ms))
    }

    #[tokio::test]
    async fn retention_follows_subscribers() {
        let s = MemoryStore::new();
        // Nobody subscribed: sequence advances, nothing retained.
        assert_eq!(s.append(m("d", 1000), 10).await.unwrap(), 1);
        assert_eq!(s.retained_messages(), 0);
        s.open_connection(Connection::new("c", "ch", 0, 1000))
            .await
            .unwrap();
        let key = SubscriptionKey::new("c", "d", "x");
        let out = s.subscribe(key, None, None).await.unwrap();
        assert_eq!(out, SubscribeOutcome::Created { since_seq: 1 });
        s.append(m("d", 1000), 10).await.unwrap();
        s.append(m("d", 1000), 10).await.unwrap();
        assert_eq!(s.retained_messages(), 2);
        // Purge keeps what the subscriber has not consumed yet...
        assert_eq!(s.purge(0).await.unwrap(), 0);
        let pending = s.take_pending("c", 0).await.unwrap().unwrap();
        assert_eq!(pending[0].messages.len(), 2);
        // ...and drops it once consumed by every subscriber.
        assert_eq!(s.purge(0).await.unwrap(), 2);
        assert_eq!(s.retained_messages(), 0);
        // Removing the connection removes the subscription.
        s.remove_connection("c").await.unwrap();
        s.append(m("d", 1000), 10).await.unwrap();
        assert_eq!(s.retained_messages(), 0);
    }

    #[tokio::test]
    async fn expired_entries_in_the_middle_are_purged() {
        let s = MemoryStore::new();
        s.open_connection(Connection::new("c", "ch", 0, 1000))
            .await
            .unwrap();
        s.subscribe(SubscriptionKey::new("c", "d", "x"), None, None)
            .await
            .unwrap();
        s.append(m("d", 1000), 10).await.unwrap();
        s.append(m("d", 10), 10).await.unwrap();
        s.append(m("d", 1000), 10).await.unwrap();
        assert_eq!(s.purge(100).await.unwrap(), 1);
        let pending = s.take_pending("c", 100).await.unwrap().unwrap();
        let seqs: Vec<u64> = pending[0].messages.iter().map(|(q, _)| *q).collect();
        assert_eq!(seqs, [1, 3]);
    }
}
