//! Consumer ids bound to the Flex client that created them.
//!
//! A consumer's id (the subscribe's `clientId`) names it as the target of
//! `DSDstClientId` messages, so a second Flex client (`DSId`) subscribing
//! under someone else's consumer id would receive what is targeted at it.
//! BlazeDS refuses such a subscribe (`SubscriptionManager.addSubscriber`,
//! errors.properties 10559, a `ServiceException`, i.e.
//! `Server.Processing`); so does flexgate.
//!
//! The record of who claimed a consumer id of a destination is kept here,
//! on this node, bounded in count. A record can outlive its subscription
//! (the client expired, unsubscribed, or the claim's subscribe failed), so a
//! conflicting claim is checked against the store before it is refused:
//! only an owner that still holds that subscription keeps the id. The
//! normal case (a fresh id, or the owner's own resubscribe) costs no store
//! call.

use crate::config::Limits;
use flexgate_broker::{AnyStore, Broker, BrokerError};
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

/// Records kept per subscription place: a client may hold
/// `max_subscriptions_per_client` filters, but usually one per consumer.
const RECORDS_PER_CLIENT: usize = 2;

/// (destination, consumer id).
type Key = (String, String);

#[derive(Debug, Default)]
struct Table {
    owners: HashMap<Key, String>,
    /// Claim order, oldest first, for eviction (may hold keys already gone).
    order: VecDeque<Key>,
}

/// Which Flex client each consumer id of a destination belongs to.
#[derive(Debug)]
pub(crate) struct ConsumerOwners {
    max_records: usize,
    table: Mutex<Table>,
}

impl ConsumerOwners {
    /// A table sized for `max_clients`.
    pub(crate) fn new(limits: &Limits) -> Self {
        ConsumerOwners {
            max_records: limits.max_clients.saturating_mul(RECORDS_PER_CLIENT).max(1),
            table: Mutex::default(),
        }
    }

    fn owner(&self, key: &Key) -> Option<String> {
        let t = self.table.lock().unwrap_or_else(|e| e.into_inner());
        t.owners.get(key).cloned()
    }

    fn record(&self, key: Key, client: &str) {
        let mut t = self.table.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(owner) = t.owners.get_mut(&key) {
            client.clone_into(owner);
            return;
        }
        while t.owners.len() >= self.max_records {
            let Some(old) = t.order.pop_front() else {
                break;
            };
            t.owners.remove(&old);
        }
        t.order.push_back(key.clone());
        t.owners.insert(key, client.to_owned());
        // Keys removed by `release` stay in `order`; keep it bounded too.
        if t.order.len() > 2 * self.max_records {
            let Table { owners, order } = &mut *t;
            order.retain(|k| owners.contains_key(k));
        }
    }

    /// Forgets `client`'s claim of `consumer` on `destination` (an
    /// unsubscribe of the whole consumer).
    pub(crate) fn release(&self, client: &str, consumer: &str, destination: &str) {
        let mut t = self.table.lock().unwrap_or_else(|e| e.into_inner());
        let key = (destination.to_owned(), consumer.to_owned());
        if t.owners.get(&key).is_some_and(|o| o == client) {
            t.owners.remove(&key);
        }
    }
}

/// Why a consumer id was not claimed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ClaimError {
    /// Another Flex client holds a subscription under this consumer id.
    #[error("This consumer id is in use by another Flex client.")]
    Taken,
    /// The store could not be asked who holds it.
    #[error(transparent)]
    Broker(BrokerError),
}

impl ConsumerOwners {
    /// Claims `consumer` of `destination` for Flex client `client`, or
    /// refuses it when another Flex client holds a subscription under that
    /// id (asked of `broker` only when the record names another client).
    pub(crate) async fn claim(
        &self,
        broker: &Broker<AnyStore>,
        client: &str,
        consumer: &str,
        destination: &str,
    ) -> Result<(), ClaimError> {
        let key = (destination.to_owned(), consumer.to_owned());
        if let Some(owner) = self.owner(&key).filter(|o| o != client) {
            let held = match broker.subscriptions(&owner).await {
                Ok(subs) => subs
                    .iter()
                    .any(|s| s.key.client_id == consumer && s.key.destination == destination),
                Err(BrokerError::NotConnected(_)) => false,
                Err(e) => return Err(ClaimError::Broker(e)),
            };
            if held {
                tracing::warn!(
                    client_id = client,
                    "subscribe under a consumer id of another Flex client; refused"
                );
                return Err(ClaimError::Taken);
            }
        }
        self.record(key, client);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_bounded_oldest_first() {
        let owners = ConsumerOwners {
            max_records: 3,
            table: Mutex::default(),
        };
        for i in 0..5 {
            owners.record(("d".into(), format!("c{i}")), "ds");
        }
        let key = |i: usize| ("d".to_owned(), format!("c{i}"));
        assert_eq!(owners.owner(&key(0)), None);
        assert_eq!(owners.owner(&key(1)), None);
        assert_eq!(owners.owner(&key(4)).as_deref(), Some("ds"));
        owners.release("other", "c4", "d");
        assert_eq!(owners.owner(&key(4)).as_deref(), Some("ds"));
        owners.release("ds", "c4", "d");
        assert_eq!(owners.owner(&key(4)), None);
    }
}
