//! Limits on what one client, or all of them, may hold on the server:
//! subscriptions per Flex client, messages per poll reply or stream flush,
//! open TCP connections. The decoding bounds (body size, depth, items,
//! bodies) are applied in http.rs and endpoint.rs; long-poll slots in
//! state.rs. docs/limits.md lists them all.

use crate::flex::fault;
use crate::state::State;
use flexgate_broker::DrainBudget;
use flexgate_messages::{Fault, FaultCode};
use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// One subscription filter a request would add: a subtopic and a selector.
pub(crate) type Filter<'a> = (Option<&'a str>, Option<&'a str>);

/// Refuses a subscribe that would take `client` past
/// `max_subscriptions_per_client` filters. Filters the consumer already
/// holds do not count again (a Flex client resubscribes after a reconnect).
pub(crate) async fn check_subscriptions(
    state: &State,
    client: &str,
    consumer: &str,
    destination: &str,
    adding: &[Filter<'_>],
) -> Result<(), Fault> {
    let max = state.config.limits.max_subscriptions_per_client;
    let subscriptions = state
        .broker
        .subscriptions(client)
        .await
        .map_err(fault::from_broker)?;
    let held: usize = subscriptions.iter().map(|s| s.filters.len()).sum();
    let mine = subscriptions
        .iter()
        .find(|s| s.key.client_id == consumer && s.key.destination == destination);
    let new = adding
        .iter()
        .filter(|(subtopic, selector)| {
            let subtopic = subtopic.filter(|s| !s.is_empty());
            let selector = selector.filter(|s| !s.trim().is_empty());
            !mine.is_some_and(|s| s.filters.iter().any(|f| f.same_spec(subtopic, selector)))
        })
        .count();
    if new > 0 && held + new > max {
        tracing::warn!(client_id = client, held, max, "subscription limit reached");
        return Err(Fault::new(
            FaultCode::ServerProcessing,
            format!("A Flex client may hold at most {max} subscriptions."),
        ));
    }
    Ok(())
}

/// What one poll reply or stream flush may take from the broker:
/// `max_queued_messages_per_client` entries (and the broker's default byte
/// budget). The broker leaves the rest for the next poll instead of the
/// reply dropping it.
pub(crate) fn drain_budget(state: &State) -> DrainBudget {
    DrainBudget::messages(state.config.limits.max_queued_messages_per_client)
}

/// Counts open TCP connections against `max_connections`.
#[derive(Debug, Clone)]
pub(crate) struct ConnectionLimiter(Arc<Semaphore>);

impl ConnectionLimiter {
    /// A limiter allowing `max` connections at once.
    pub(crate) fn new(max: usize) -> Self {
        ConnectionLimiter(Arc::new(Semaphore::new(max.min(Semaphore::MAX_PERMITS))))
    }

    /// A slot for one connection, held until the connection ends; `None`
    /// when all are taken.
    pub(crate) fn try_acquire(&self) -> Option<OwnedSemaphorePermit> {
        self.0.clone().try_acquire_owned().ok()
    }
}

/// What a connection over the limit is told before it is closed.
pub(crate) const BUSY_RESPONSE: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\n\
Content-Type: text/plain; charset=utf-8\r\nContent-Length: 26\r\nConnection: close\r\n\r\n\
too many open connections\n";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_response_length_matches() {
        let text = std::str::from_utf8(BUSY_RESPONSE).expect("ascii");
        let (_, body) = text.split_once("\r\n\r\n").expect("head and body");
        assert_eq!(body.len(), 26);
    }

    #[test]
    fn connection_slots_come_back() {
        let l = ConnectionLimiter::new(1);
        let held = l.try_acquire().expect("one slot");
        assert!(l.try_acquire().is_none());
        drop(held);
        assert!(l.try_acquire().is_some());
    }
}
