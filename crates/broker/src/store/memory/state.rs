//! What the memory store keeps behind its mutex: connections,
//! subscriptions with their cursors, one log per destination, and the
//! bookkeeping of a drain.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::Arc;

use super::super::api::DrainBudget;
use crate::connection::Connection;
use crate::message::Message;
use crate::subscription::{Subscription, SubscriptionKey};

#[derive(Default)]
pub(super) struct State {
    pub(super) connections: HashMap<String, ConnectionEntry>,
    pub(super) subscriptions: HashMap<SubscriptionKey, SubscriptionEntry>,
    pub(super) logs: HashMap<String, DestinationLog>,
    /// Bytes retained over every log.
    pub(super) total_bytes: usize,
    /// Global append counter: orders entries across destinations.
    pub(super) last_order: u64,
}

pub(super) struct ConnectionEntry {
    pub(super) connection: Connection,
    pub(super) consumers: BTreeSet<SubscriptionKey>,
}

pub(super) struct SubscriptionEntry {
    pub(super) subscription: Arc<Subscription>,
    /// Last sequence number handed out.
    pub(super) cursor: u64,
}

/// One retained message.
pub(super) struct Entry {
    pub(super) seq: u64,
    /// Global append order (across destinations).
    pub(super) order: u64,
    pub(super) size: usize,
    pub(super) message: Arc<Message>,
}

#[derive(Default)]
pub(super) struct DestinationLog {
    /// Entries in ascending sequence order (not necessarily contiguous:
    /// purging removes expired entries from the middle too).
    pub(super) entries: VecDeque<Entry>,
    /// Sum of the entries' sizes.
    pub(super) bytes: usize,
    /// Sequence number of the last append (0: none yet).
    pub(super) last_seq: u64,
    /// Highest sequence number dropped by the retention limit.
    pub(super) evicted_upto: u64,
    /// Number of subscriptions on this destination.
    pub(super) subscribers: usize,
}

/// One subscription's part of a drain.
pub(super) struct SubDrain<'a> {
    pub(super) key: &'a SubscriptionKey,
    /// The log's last sequence number.
    pub(super) last_seq: u64,
    /// How many entries after the cursor were listed as candidates.
    pub(super) listed: usize,
    /// Whether those were all the entries after the cursor.
    pub(super) complete: bool,
    pub(super) missed: u64,
    pub(super) taken: Vec<(u64, Arc<Message>)>,
}

/// An entry one subscription could take.
pub(super) struct Candidate {
    pub(super) order: u64,
    /// Index into the drain's subscriptions.
    pub(super) sub: usize,
    pub(super) seq: u64,
    pub(super) size: usize,
    pub(super) message: Arc<Message>,
}

/// What a drain has handed out so far.
#[derive(Default)]
pub(super) struct Spent {
    pub(super) messages: usize,
    pub(super) bytes: usize,
}

impl Spent {
    /// Whether an entry of `size` still fits; the first always does.
    pub(super) fn admits(&self, size: usize, budget: DrainBudget) -> bool {
        self.messages < budget.max_messages
            && (self.messages == 0 || self.bytes.saturating_add(size) <= budget.max_bytes)
    }

    pub(super) fn add(&mut self, size: usize) {
        self.messages += 1;
        self.bytes = self.bytes.saturating_add(size);
    }
}

impl DestinationLog {
    /// Drops the oldest entry as evicted; returns its size.
    pub(super) fn evict_front(&mut self) -> Option<usize> {
        let e = self.entries.pop_front()?;
        self.evicted_upto = e.seq;
        self.bytes = self.bytes.saturating_sub(e.size);
        Some(e.size)
    }
}

impl State {
    /// Evicts the globally oldest entry; `false` when nothing is retained.
    pub(super) fn evict_oldest(&mut self) -> bool {
        let oldest = self
            .logs
            .values_mut()
            .filter_map(|l| l.entries.front().map(|e| e.order).zip(Some(l)))
            .min_by_key(|(order, _)| *order);
        let Some(size) = oldest.and_then(|(_, log)| log.evict_front()) else {
            return false;
        };
        self.total_bytes = self.total_bytes.saturating_sub(size);
        true
    }

    pub(super) fn drop_subscription(&mut self, key: &SubscriptionKey) -> bool {
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
