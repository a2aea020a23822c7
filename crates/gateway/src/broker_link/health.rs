//! A link's health: its connection state, last error and message counts,
//! for /status.json and /metrics.

use serde::Serialize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::watch;

/// Where a link's connection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LinkState {
    /// Not connected yet since the gateway started.
    Connecting,
    /// Connected and subscribed.
    Connected,
    /// Lost the server; the client retries with back-off.
    Reconnecting,
    /// Stopped (the gateway is shutting down).
    Closed,
}

/// Longest last-error text kept: a server's error lines are short, and
/// the status page must stay bounded.
const MAX_ERROR_CHARS: usize = 512;

/// Shared by the link's task, the Producer path and the status pages.
#[derive(Debug)]
pub(crate) struct LinkHealth {
    /// A watch, so that a Producer's message can wait for a reconnect.
    state: watch::Sender<LinkState>,
    last_error: Mutex<Option<String>>,
    received: AtomicU64,
    sent: AtomicU64,
    failed: AtomicU64,
}

/// Which counter a message goes to.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Count {
    /// Came in from the broker and was stored.
    Received,
    /// A Producer's message published out to the broker.
    Sent,
    /// Lost either way (refused by the store, unmappable, publish failed).
    Failed,
}

impl Default for LinkHealth {
    fn default() -> Self {
        LinkHealth {
            state: watch::Sender::new(LinkState::Connecting),
            last_error: Mutex::new(None),
            received: AtomicU64::new(0),
            sent: AtomicU64::new(0),
            failed: AtomicU64::new(0),
        }
    }
}

impl LinkHealth {
    /// Records a state change.
    pub(crate) fn set_state(&self, state: LinkState) {
        self.state.send_replace(state);
    }

    /// Whether the link is connected now or becomes so within `wait`.
    pub(crate) async fn connected_within(&self, wait: Duration) -> bool {
        let mut state = self.state.subscribe();
        let connected = state.wait_for(|s| *s == LinkState::Connected);
        let within = tokio::time::timeout(wait, connected).await;
        matches!(within, Ok(Ok(_)))
    }

    /// Records the latest error (kept until the next one).
    pub(crate) fn set_error(&self, error: &str) {
        if let Ok(mut last) = self.last_error.lock() {
            *last = Some(error.chars().take(MAX_ERROR_CHARS).collect());
        }
    }

    /// Counts one message.
    pub(crate) fn count(&self, which: Count) {
        let counter = match which {
            Count::Received => &self.received,
            Count::Sent => &self.sent,
            Count::Failed => &self.failed,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// The status row for `destination`.
    pub(crate) fn row(&self, destination: &str, kind: &'static str) -> LinkRow {
        let state = *self.state.borrow();
        let last_error = self.last_error.lock().ok().and_then(|e| e.clone());
        LinkRow {
            destination: destination.to_owned(),
            kind,
            state,
            last_error,
            received: self.received.load(Ordering::Relaxed),
            sent: self.sent.load(Ordering::Relaxed),
            failed: self.failed.load(Ordering::Relaxed),
        }
    }
}

/// One broker link on the status pages.
#[derive(Debug, Clone, Serialize)]
pub struct LinkRow {
    /// The messaging destination it bridges.
    pub destination: String,
    /// The broker kind (`"nats"`).
    pub kind: &'static str,
    /// Its connection state.
    pub state: LinkState,
    /// The latest error, if there was one.
    pub last_error: Option<String>,
    /// Messages received from the broker and stored.
    pub received: u64,
    /// Producer messages published out to the broker.
    pub sent: u64,
    /// Messages lost either way.
    pub failed: u64,
}
