//! Polling: draining a connection's pending messages through the
//! routing rules, and waiting for them.

use std::sync::atomic::Ordering;

use tokio::time::Instant;

use crate::error::BrokerError;
use crate::store::{DrainBudget, DrainScope, Drained, MessageStore, Pending};
use crate::wake::WaitRegistration;

use super::outcome::{Delivery, IfUnsubscribed};
use super::Broker;

impl<S: MessageStore> Broker<S> {
    /// Takes the new deliveries of a connection: in publish order per
    /// destination (interleaved across destinations by timestamp), each
    /// message once per matching consumer, never one published before the
    /// consumer subscribed, never an expired one. At most `budget` log
    /// entries are taken (see [`DrainBudget`]); the rest stay for the next
    /// poll. Fails with [`BrokerError::NotSubscribed`] when the connection
    /// holds no subscription and [`BrokerError::NotConnected`] when it does
    /// not exist.
    pub async fn poll(
        &self,
        connection_id: &str,
        budget: DrainBudget,
    ) -> Result<Vec<Delivery>, BrokerError> {
        self.poll_in(connection_id, &DrainScope::All, budget).await
    }

    /// [`Broker::poll`] of the subscriptions in `scope` only (a poll over
    /// one endpoint: [`DrainScope::Endpoint`]); the others keep what is
    /// pending for them. [`BrokerError::NotSubscribed`] means none is in
    /// scope.
    pub async fn poll_in(
        &self,
        connection_id: &str,
        scope: &DrainScope,
        budget: DrainBudget,
    ) -> Result<Vec<Delivery>, BrokerError> {
        Ok(self.drain(connection_id, scope, budget).await?.0)
    }

    /// [`Broker::poll`] for one consumer only (`Consumer.receive()`): the
    /// new deliveries of consumer `client_id` of `connection_id` on
    /// `destination`; what is pending for the connection's other consumers
    /// stays for them. Fails with [`BrokerError::NotSubscribed`] when that
    /// consumer holds no subscription there.
    pub async fn receive(
        &self,
        connection_id: &str,
        destination: &str,
        client_id: &str,
        budget: DrainBudget,
    ) -> Result<Vec<Delivery>, BrokerError> {
        let scope = DrainScope::Consumer {
            destination: destination.to_owned(),
            client_id: client_id.to_owned(),
        };
        self.poll_in(connection_id, &scope, budget).await
    }

    /// Drains the subscriptions of `connection_id` in `scope`, also
    /// returning how many log entries the store handed out (before
    /// filtering).
    async fn drain(
        &self,
        connection_id: &str,
        scope: &DrainScope,
        budget: DrainBudget,
    ) -> Result<(Vec<Delivery>, usize), BrokerError> {
        let now = self.now_ms();
        let pending = match self
            .store
            .take_pending(connection_id, scope, now, budget)
            .await?
        {
            Drained::Pending(p) => p,
            Drained::NotConnected => {
                return Err(BrokerError::NotConnected(connection_id.to_owned()))
            }
            Drained::NotSubscribed => {
                return Err(BrokerError::NotSubscribed(connection_id.to_owned()))
            }
        };
        let taken = pending.iter().map(|p| p.messages.len()).sum();
        let deliveries = self.route(connection_id, now, pending);
        self.delivered
            .fetch_add(deliveries.len() as u64, Ordering::Relaxed);
        Ok((deliveries, taken))
    }

    fn route(&self, connection_id: &str, now: u64, pending: Vec<Pending>) -> Vec<Delivery> {
        let mut per_dest: Vec<(String, Vec<Delivery>)> = Vec::new();
        for p in pending {
            let key = &p.subscription.key;
            if p.missed > 0 {
                tracing::warn!(
                    connection = connection_id,
                    client_id = %key.client_id,
                    destination = %key.destination,
                    missed = p.missed,
                    "consumer fell behind the retention limit; messages were dropped"
                );
            }
            let Some(dest) = self.config.destinations.get(&key.destination) else {
                continue;
            };
            let slot = match per_dest.iter().position(|(d, _)| *d == key.destination) {
                Some(i) => i,
                None => {
                    per_dest.push((key.destination.clone(), Vec::new()));
                    per_dest.len() - 1
                }
            };
            for (seq, m) in p.messages {
                if m.is_expired(now) {
                    continue;
                }
                if !dest.echo_to_sender && m.sender.as_deref() == Some(connection_id) {
                    continue;
                }
                if let Some(target) = m.target_client_id.as_deref() {
                    if target != connection_id && target != key.client_id {
                        continue;
                    }
                }
                if p.subscription
                    .accepts(seq, &m, self.config.max_selector_header_bytes)
                {
                    per_dest[slot].1.push(Delivery {
                        client_id: key.client_id.clone(),
                        seq,
                        message: m,
                    });
                }
            }
        }
        for (_, list) in &mut per_dest {
            // Stable: consumers of the same message keep subscription order.
            list.sort_by_key(|d| d.seq);
        }
        merge_by_timestamp(per_dest.into_iter().map(|(_, l)| l).collect())
    }

    /// Returns new deliveries (within `budget`) as soon as there are any,
    /// or an empty list at `deadline`. Woken by publishes to the
    /// connection's destinations and by changes to the connection
    /// (subscribe, unsubscribe, disconnect), never by polling in a loop.
    /// A connection without subscriptions fails at once or waits, as
    /// `unsubscribed` says.
    pub async fn wait_for_messages(
        &self,
        connection_id: &str,
        deadline: Instant,
        budget: DrainBudget,
        unsubscribed: IfUnsubscribed,
    ) -> Result<Vec<Delivery>, BrokerError> {
        self.wait_in(
            connection_id,
            &DrainScope::All,
            deadline,
            budget,
            unsubscribed,
        )
        .await
    }

    /// [`Broker::wait_for_messages`] for the subscriptions in `scope`
    /// only: a long poll or stream over one endpoint
    /// ([`DrainScope::Endpoint`]) returns nothing for the others; woken by
    /// a publish they alone receive, it looks again and waits on.
    /// "Unsubscribed" means no subscription in scope.
    pub async fn wait_in(
        &self,
        connection_id: &str,
        scope: &DrainScope,
        deadline: Instant,
        budget: DrainBudget,
        unsubscribed: IfUnsubscribed,
    ) -> Result<Vec<Delivery>, BrokerError> {
        let mut registered: Option<WaitRegistration> = None;
        loop {
            // The subscriptions are read at the start and again only after
            // the connection changed: a poll woken by a publish costs one
            // store call (the drain), one Redis round trip.
            let registration = match registered.take() {
                Some(r) if !r.take_connection_changed() => r,
                _ => {
                    let mut destinations: Vec<String> = self
                        .store
                        .subscriptions(connection_id)
                        .await?
                        .iter()
                        .filter(|s| scope.includes(s))
                        .map(|s| s.key.destination.clone())
                        .collect();
                    destinations.sort();
                    destinations.dedup();
                    // Register before checking, so a publish racing this
                    // check either is seen by it or wakes the registration.
                    self.hub.register(connection_id, destinations)
                }
            };
            let (deliveries, taken) = match self.drain(connection_id, scope, budget).await {
                Err(BrokerError::NotSubscribed(_)) if unsubscribed == IfUnsubscribed::Wait => {
                    (Vec::new(), 0)
                }
                other => other?,
            };
            if !deliveries.is_empty() {
                return Ok(deliveries);
            }
            if taken > 0 {
                // The budget was spent on entries the filters refused; more
                // may be pending, and no publish will announce them.
                registered = Some(registration);
                continue;
            }
            tokio::select! {
                () = registration.notified() => {}
                () = tokio::time::sleep_until(deadline) => return Ok(Vec::new()),
            }
            registered = Some(registration);
        }
    }
}

/// Merges per-destination lists (each already in order) by head
/// timestamp, keeping each list's internal order.
fn merge_by_timestamp(mut lists: Vec<Vec<Delivery>>) -> Vec<Delivery> {
    lists.retain(|l| !l.is_empty());
    match lists.len() {
        0 => return Vec::new(),
        1 => return lists.pop().unwrap_or_default(),
        _ => {}
    }
    let total = lists.iter().map(Vec::len).sum();
    let mut out = Vec::with_capacity(total);
    let mut iters: Vec<std::iter::Peekable<std::vec::IntoIter<Delivery>>> = lists
        .into_iter()
        .map(|l| l.into_iter().peekable())
        .collect();
    loop {
        let next = iters
            .iter_mut()
            .enumerate()
            .filter_map(|(i, it)| it.peek().map(|d| (d.message.timestamp_ms, i)))
            .min();
        let Some((_, i)) = next else { break };
        if let Some(d) = iters[i].next() {
            out.push(d);
        }
    }
    out
}
