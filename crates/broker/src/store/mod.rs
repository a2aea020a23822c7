//! The state several gateway nodes would share, behind one async trait.
//!
//! # Layout: one ordered log per destination, filtered at drain
//!
//! Every destination has a single append-only log; each message gets the
//! next sequence number of its destination. Every consumer subscription
//! has a cursor: the last sequence number it has been handed. A drain for
//! a connection reads, for each of its subscriptions, the log entries after
//! the cursor and moves the cursor past what it handed out (see Bounds),
//! so it costs O(new messages),
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
//!
//! # Bounds
//!
//! Retention is bounded per destination by count and bytes and across
//! destinations by bytes ([`Retention`]); the oldest entries go first
//! (across destinations: in global append order). A drain is bounded by a
//! [`DrainBudget`] shared by all subscriptions of the connection: entries
//! are handed out in global append order until the budget is spent, and
//! each cursor moves only past what was handed out, so the rest waits for
//! the next drain. The budget counts *raw* entries (before the broker's
//! filters): a drain may yield fewer deliveries than the budget after
//! filtering, never loses one, and the store needs no filter logic.

mod any;
mod api;
mod memory;
#[cfg(feature = "redis")]
mod redis;

#[cfg(feature = "redis")]
pub use self::redis::{RedisStore, EXPIRY_GRACE};
pub use any::AnyStore;
pub use api::{
    Appended, Create, DrainBudget, DrainScope, Drained, MessageStore, Opened, Pending, Retention,
};
pub use memory::MemoryStore;
