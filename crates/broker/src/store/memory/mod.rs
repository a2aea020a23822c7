//! The embedded, single-node store.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

mod state;
#[cfg(test)]
mod tests;

use super::api::{
    Appended, Create, DrainBudget, DrainScope, Drained, MessageStore, Opened, Pending, Retention,
};
use crate::connection::{Connection, ConnectionUpdate};
use crate::error::StoreError;
use crate::message::Message;
use crate::selector::Selector;
use crate::subscription::{
    SubscribeOutcome, Subscription, SubscriptionFilter, SubscriptionKey, Unsubscribe,
};
use crate::subtopic::Subtopic;
use state::{Candidate, ConnectionEntry, Entry, Spent, State, SubDrain, SubscriptionEntry};

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

    /// Bytes retained over all destinations (for tests and metrics).
    pub fn retained_bytes(&self) -> usize {
        self.lock().total_bytes
    }
}

impl MessageStore for MemoryStore {
    async fn open_connection(
        &self,
        connection: Connection,
        create: Create,
    ) -> Result<Opened, StoreError> {
        let mut st = self.lock();
        if let Some(existing) = st.connections.get_mut(&connection.id) {
            existing.connection.apply(ConnectionUpdate::Touch {
                now_ms: connection.last_active_ms,
            });
            return Ok(Opened::Existing(existing.connection.clone()));
        }
        if create == Create::No {
            return Ok(Opened::Absent);
        }
        st.connections.insert(
            connection.id.clone(),
            ConnectionEntry {
                connection: connection.clone(),
                consumers: BTreeSet::new(),
            },
        );
        Ok(Opened::Created(connection))
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
        endpoint: Option<String>,
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
            if endpoint.is_some() {
                sub.endpoint = endpoint;
            }
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
                    endpoint,
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

    async fn append(
        &self,
        message: Arc<Message>,
        size_bytes: usize,
        retention: Retention,
    ) -> Result<Appended, StoreError> {
        let mut guard = self.lock();
        let st = &mut *guard;
        let log = st.logs.entry(message.destination.clone()).or_default();
        log.last_seq += 1;
        let seq = log.last_seq;
        let mut dropped = 0;
        // Nobody subscribed: nobody can ever receive it (new subscriptions
        // start after the current end), so there is nothing to retain.
        if log.subscribers > 0 && retention.max_messages > 0 {
            st.last_order += 1;
            log.entries.push_back(Entry {
                seq,
                order: st.last_order,
                size: size_bytes,
                message,
            });
            log.bytes = log.bytes.saturating_add(size_bytes);
            st.total_bytes = st.total_bytes.saturating_add(size_bytes);
            while log.entries.len() > retention.max_messages || log.bytes > retention.max_bytes {
                let Some(size) = log.evict_front() else { break };
                st.total_bytes = st.total_bytes.saturating_sub(size);
                dropped += 1;
            }
            while st.total_bytes > retention.max_total_bytes && st.evict_oldest() {
                dropped += 1;
            }
        }
        Ok(Appended { seq, dropped })
    }

    async fn take_pending(
        &self,
        connection_id: &str,
        scope: &DrainScope,
        now_ms: u64,
        budget: DrainBudget,
    ) -> Result<Drained, StoreError> {
        let mut guard = self.lock();
        let st = &mut *guard;
        let Some(conn) = st.connections.get_mut(connection_id) else {
            return Ok(Drained::NotConnected);
        };
        conn.connection.last_polled_ms = now_ms;
        conn.connection.apply(ConnectionUpdate::Touch { now_ms });
        let subscriptions = &st.subscriptions;
        let in_scope = |key: &&SubscriptionKey| {
            subscriptions
                .get(*key)
                .is_some_and(|e| scope.includes(&e.subscription))
        };
        if !conn.consumers.iter().any(|key| in_scope(&key)) {
            return Ok(Drained::NotSubscribed);
        }
        // Per subscription (in key order): the first `max_messages` entries
        // after its cursor; then all of them merged by global order.
        let mut subs: Vec<SubDrain<'_>> = Vec::with_capacity(conn.consumers.len());
        let mut candidates: Vec<Candidate> = Vec::new();
        for key in conn.consumers.iter().filter(in_scope) {
            let (Some(entry), Some(log)) =
                (st.subscriptions.get(key), st.logs.get(&key.destination))
            else {
                continue;
            };
            if log.last_seq <= entry.cursor {
                continue;
            }
            let start = log.entries.partition_point(|e| e.seq <= entry.cursor);
            let after = log.entries.len() - start;
            let sub = subs.len();
            candidates.extend(
                log.entries
                    .range(start..)
                    .take(budget.max_messages)
                    .map(|e| Candidate {
                        order: e.order,
                        sub,
                        seq: e.seq,
                        size: e.size,
                        message: e.message.clone(),
                    }),
            );
            subs.push(SubDrain {
                key,
                last_seq: log.last_seq,
                listed: after.min(budget.max_messages),
                complete: after <= budget.max_messages,
                missed: log.evicted_upto.saturating_sub(entry.cursor),
                taken: Vec::new(),
            });
        }
        candidates.sort_by_key(|c| (c.order, c.sub));
        let mut spent = Spent::default();
        for c in candidates {
            if !spent.admits(c.size, budget) {
                break;
            }
            spent.add(c.size);
            subs[c.sub].taken.push((c.seq, c.message));
        }
        let mut out = Vec::new();
        for sub in subs {
            // Past everything listed, and nothing unlisted left: jump to the
            // log's end (past entries never retained or already purged).
            let new_cursor = if sub.taken.len() == sub.listed && sub.complete {
                Some(sub.last_seq)
            } else {
                sub.taken.last().map(|(seq, _)| *seq)
            };
            let (Some(cursor), Some(entry)) = (new_cursor, st.subscriptions.get_mut(sub.key))
            else {
                continue;
            };
            entry.cursor = cursor;
            // Reported once: the poll that moves the cursor past the gap.
            if !sub.taken.is_empty() || sub.missed > 0 {
                out.push(Pending {
                    subscription: entry.subscription.clone(),
                    messages: sub.taken,
                    missed: sub.missed,
                });
            }
        }
        Ok(Drained::Pending(out))
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
        let mut freed = 0usize;
        for (dest, log) in &mut st.logs {
            let consumed_by_all = min_cursor.get(dest.as_str()).copied().unwrap_or(u64::MAX);
            let before = log.entries.len();
            let mut log_freed = 0usize;
            log.entries.retain(|e| {
                let keep = e.seq > consumed_by_all && !e.message.is_expired(now_ms);
                if !keep {
                    log_freed = log_freed.saturating_add(e.size);
                }
                keep
            });
            log.bytes = log.bytes.saturating_sub(log_freed);
            freed = freed.saturating_add(log_freed);
            dropped += before - log.entries.len();
        }
        st.total_bytes = st.total_bytes.saturating_sub(freed);
        Ok(dropped)
    }
}
