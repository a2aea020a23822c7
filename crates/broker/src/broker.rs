//! The broker: validation, routing rules and waiting, over a
//! [`MessageStore`].

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use flexgate_amf::Value;
use tokio::time::Instant;

use crate::clock::Clock;
use crate::connection::{new_connection_id, Connection, ConnectionUpdate};
use crate::destination::{BrokerConfig, DestinationConfig};
use crate::error::{BrokerError, StoreError};
use crate::message::{Message, Payload};
use crate::selector::Selector;
use crate::store::{Create, DrainBudget, Drained, MessageStore, Opened, Pending, Retention};
use crate::subscription::{SubscribeOutcome, Subscription, SubscriptionKey, Unsubscribe};
use crate::subtopic::Subtopic;
use crate::wake::{ClusterNotifier, WakeEvent, WakeHub};

/// One message handed to one consumer.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The consumer's client id: the gateway sets the delivered message's
    /// `clientId` to it (and `DSDstClientId`-style batching relies on it).
    pub client_id: String,
    /// The message's sequence number in its destination's log.
    pub seq: u64,
    /// The message (shared with every other consumer receiving it).
    pub message: Arc<Message>,
}

/// The result of a publish.
#[derive(Debug, Clone)]
pub struct Published {
    /// Sequence number in the destination's log.
    pub seq: u64,
    /// The message as stored (timestamp and TTL stamped).
    pub message: Arc<Message>,
}

/// What one [`Broker::purge`] pass removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PurgeStats {
    /// Log entries dropped (expired or consumed by every subscriber).
    pub messages: usize,
    /// Idle connections expired.
    pub connections: usize,
}

/// Running totals of this broker (this node), since it was created.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BrokerCounters {
    /// Messages stored by a publish.
    pub published: u64,
    /// Deliveries handed to consumers by polls (one per message and
    /// matching consumer).
    pub delivered: u64,
    /// Retained messages dropped, by this node's publishes, to keep the
    /// retention bounds (count, bytes per destination, total bytes); any
    /// consumer that had not drained them misses them.
    pub dropped: u64,
}

/// What [`Broker::wait_for_messages`] does for a connection without
/// subscriptions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IfUnsubscribed {
    /// Fail at once with [`BrokerError::NotSubscribed`]: a Flex long poll,
    /// whose client must resubscribe (its subscriptions were lost).
    Fail,
    /// Wait anyway, for a subscribe or the deadline: a stream, which a
    /// Flex client opens before it subscribes.
    Wait,
}

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

    // ----- connections -----

    /// Returns the connection with `id`, creating it when absent (a Flex
    /// ping with an unknown or no `DSId`); an existing one is touched.
    /// `None` generates a new id. A created connection has the short
    /// `new_client_timeout` until its next request.
    pub async fn connect(
        &self,
        id: Option<&str>,
        channel: &str,
    ) -> Result<Connection, BrokerError> {
        let id = id.map_or_else(new_connection_id, str::to_owned);
        let conn = self.new_connection(id, channel);
        let conn = match self.store.open_connection(conn, Create::IfAbsent).await? {
            Opened::Existing(conn) => return Ok(conn),
            Opened::Created(conn) => conn,
            Opened::Absent => {
                return Err(StoreError::new("the store did not create a connection").into())
            }
        };
        // Counted after creating, so a known client costs nothing extra; two
        // racing creations may both be undone, never both kept past the limit.
        if self.store.connection_count().await? > self.config.max_connections {
            self.store.remove_connection(&conn.id).await?;
            return Err(BrokerError::TooManyConnections(self.config.max_connections));
        }
        tracing::debug!(connection = %conn.id, channel, "connection created");
        Ok(conn)
    }

    /// Returns and touches the existing connection `id`, never creating
    /// one: [`BrokerError::NotConnected`] when the store does not know it
    /// (expired, or lost in a store restart), so that a poll carrying an
    /// old `DSId` is not answered as if nothing had happened.
    pub async fn connect_existing(&self, id: &str) -> Result<Connection, BrokerError> {
        let conn = self.new_connection(id.to_owned(), "");
        match self.store.open_connection(conn, Create::No).await? {
            Opened::Existing(conn) | Opened::Created(conn) => Ok(conn),
            Opened::Absent => Err(BrokerError::NotConnected(id.to_owned())),
        }
    }

    fn new_connection(&self, id: String, channel: &str) -> Connection {
        let ms = |d: std::time::Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        Connection::new(
            id,
            channel,
            self.now_ms(),
            ms(self.config.connection_idle_timeout),
        )
        .with_first_timeout_ms(ms(self.config.new_client_timeout))
    }

    /// The connection with `id`.
    pub async fn connection(&self, id: &str) -> Result<Connection, BrokerError> {
        self.store
            .connection(id)
            .await?
            .ok_or_else(|| BrokerError::NotConnected(id.to_owned()))
    }

    /// Records activity on a connection.
    pub async fn touch(&self, id: &str) -> Result<(), BrokerError> {
        self.update_connection(
            id,
            ConnectionUpdate::Touch {
                now_ms: self.now_ms(),
            },
        )
        .await
    }

    /// Applies an update (principal, attribute, timeout) to a connection.
    pub async fn update_connection(
        &self,
        id: &str,
        update: ConnectionUpdate,
    ) -> Result<(), BrokerError> {
        if self.store.update_connection(id, update).await? {
            Ok(())
        } else {
            Err(BrokerError::NotConnected(id.to_owned()))
        }
    }

    /// Removes a connection with its subscriptions and undelivered
    /// messages, and wakes its waiting polls (which then fail with
    /// [`BrokerError::NotConnected`]). `false` if it did not exist.
    pub async fn disconnect(&self, id: &str) -> Result<bool, BrokerError> {
        let removed = self.store.remove_connection(id).await?.is_some();
        if removed {
            tracing::debug!(connection = id, "connection removed");
            self.announce(WakeEvent::Connection(id.to_owned()));
        }
        Ok(removed)
    }

    // ----- subscriptions -----

    fn parse_subtopic(
        &self,
        dest_id: &str,
        dest: &DestinationConfig,
        subtopic: Option<&str>,
    ) -> Result<Option<Subtopic>, BrokerError> {
        let Some(s) = subtopic.filter(|s| !s.is_empty()) else {
            return Ok(None);
        };
        if !dest.allow_subtopics {
            return Err(BrokerError::SubtopicsNotAllowed {
                destination: dest_id.to_owned(),
                subtopic: s.to_owned(),
            });
        }
        Ok(Some(Subtopic::parse(s, &dest.subtopic_separator)?))
    }

    /// Subscribes consumer `client_id` of `connection_id` to `destination`
    /// with an optional subtopic pattern and selector (empty strings mean
    /// none). Subscribing the same consumer again with another
    /// subtopic/selector adds a filter (`MultiTopicConsumer`).
    pub async fn subscribe(
        &self,
        connection_id: &str,
        client_id: &str,
        destination: &str,
        subtopic: Option<&str>,
        selector: Option<&str>,
    ) -> Result<SubscribeOutcome, BrokerError> {
        let dest = self.destination(destination)?;
        let subtopic = self.parse_subtopic(destination, dest, subtopic)?;
        if let Some(st) = &subtopic {
            if st.has_wildcard() && dest.disallow_wildcard_subtopics {
                return Err(BrokerError::WildcardSubtopicNotAllowed {
                    destination: destination.to_owned(),
                    subtopic: st.to_string(),
                });
            }
        }
        let selector = match selector.filter(|s| !s.trim().is_empty()) {
            Some(s) => Some(Selector::parse_bounded(s, self.config.max_selector_bytes)?),
            None => None,
        };
        let key = SubscriptionKey::new(connection_id, destination, client_id);
        let outcome = self.store.subscribe(key, subtopic, selector).await?;
        match outcome {
            SubscribeOutcome::NotConnected => {
                return Err(BrokerError::NotConnected(connection_id.to_owned()))
            }
            SubscribeOutcome::AlreadySubscribed => {
                tracing::warn!(
                    connection = connection_id,
                    client_id,
                    destination,
                    "already subscribed"
                );
            }
            _ => tracing::debug!(
                connection = connection_id,
                client_id,
                destination,
                "subscribed"
            ),
        }
        // A poll already waiting must start listening to this destination.
        self.announce(WakeEvent::Connection(connection_id.to_owned()));
        Ok(outcome)
    }

    /// Removes one subtopic/selector filter of a consumer (its
    /// subscription goes with its last filter). `false` if it was not
    /// subscribed so.
    pub async fn unsubscribe(
        &self,
        connection_id: &str,
        client_id: &str,
        destination: &str,
        subtopic: Option<&str>,
        selector: Option<&str>,
    ) -> Result<bool, BrokerError> {
        let what = Unsubscribe::Filter {
            subtopic: subtopic.filter(|s| !s.is_empty()),
            selector: selector.filter(|s| !s.trim().is_empty()),
        };
        self.unsubscribe_with(connection_id, client_id, destination, what)
            .await
    }

    /// Removes a consumer's whole subscription to `destination`.
    pub async fn unsubscribe_all(
        &self,
        connection_id: &str,
        client_id: &str,
        destination: &str,
    ) -> Result<bool, BrokerError> {
        self.unsubscribe_with(connection_id, client_id, destination, Unsubscribe::All)
            .await
    }

    async fn unsubscribe_with(
        &self,
        connection_id: &str,
        client_id: &str,
        destination: &str,
        what: Unsubscribe<'_>,
    ) -> Result<bool, BrokerError> {
        let key = SubscriptionKey::new(connection_id, destination, client_id);
        let removed = self.store.unsubscribe(&key, what).await?;
        if removed {
            tracing::debug!(
                connection = connection_id,
                client_id,
                destination,
                "unsubscribed"
            );
            self.announce(WakeEvent::Connection(connection_id.to_owned()));
        }
        Ok(removed)
    }

    /// The subscriptions of a connection.
    pub async fn subscriptions(
        &self,
        connection_id: &str,
    ) -> Result<Vec<Arc<Subscription>>, BrokerError> {
        Ok(self.store.subscriptions(connection_id).await?)
    }

    // ----- publishing -----

    /// Publishes a message: validates destination and subtopic, stamps the
    /// timestamp and TTL, stores it, then wakes waiting polls.
    pub async fn publish_message(&self, mut message: Message) -> Result<Published, BrokerError> {
        let dest = self.destination(&message.destination)?;
        if message.subtopic.as_deref() == Some("") {
            message.subtopic = None;
        }
        if let Some(st) =
            self.parse_subtopic(&message.destination, dest, message.subtopic.as_deref())?
        {
            if st.has_wildcard() {
                return Err(BrokerError::WildcardPublish(st.to_string()));
            }
        }
        message.timestamp_ms = self.now_ms();
        message.ttl_ms = dest.effective_ttl_ms(message.ttl_ms);
        let size = message.size_bytes();
        let retention = Retention {
            max_messages: dest.max_messages,
            max_bytes: dest.max_retained_bytes,
            max_total_bytes: self.config.max_total_retained_bytes,
        };
        let max = retention.max_bytes.min(retention.max_total_bytes);
        if size > max {
            return Err(BrokerError::MessageTooLarge {
                destination: message.destination,
                size,
                max,
            });
        }
        let message = Arc::new(message);
        let appended = self.store.append(message.clone(), size, retention).await?;
        self.published.fetch_add(1, Ordering::Relaxed);
        if appended.dropped > 0 {
            self.dropped.fetch_add(appended.dropped, Ordering::Relaxed);
            tracing::debug!(
                destination = %message.destination,
                dropped = appended.dropped,
                "retention bounds reached; the oldest messages were dropped"
            );
        }
        let seq = appended.seq;
        tracing::trace!(destination = %message.destination, seq, id = %message.id, "published");
        self.announce(WakeEvent::Destination(message.destination.clone()));
        Ok(Published { seq, message })
    }

    /// Server-side publish for Rust services: `body` becomes the body of an
    /// `AsyncMessage` the gateway builds ([`Payload::Body`]).
    pub async fn publish<I, K>(
        &self,
        destination: &str,
        subtopic: Option<&str>,
        body: Value,
        headers: I,
    ) -> Result<Published, BrokerError>
    where
        I: IntoIterator<Item = (K, Value)>,
        K: Into<String>,
    {
        let mut message = Message::new(destination, Payload::Body(body));
        message.subtopic = subtopic.map(str::to_owned);
        message.headers = headers.into_iter().map(|(k, v)| (k.into(), v)).collect();
        self.publish_message(message).await
    }

    // ----- polling -----

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
        Ok(self.drain(connection_id, budget).await?.0)
    }

    /// [`Broker::poll`], also returning how many log entries the store
    /// handed out (before filtering).
    async fn drain(
        &self,
        connection_id: &str,
        budget: DrainBudget,
    ) -> Result<(Vec<Delivery>, usize), BrokerError> {
        let now = self.now_ms();
        let pending = match self.store.take_pending(connection_id, now, budget).await? {
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
        loop {
            let mut destinations: Vec<String> = self
                .store
                .subscriptions(connection_id)
                .await?
                .iter()
                .map(|s| s.key.destination.clone())
                .collect();
            destinations.sort();
            destinations.dedup();
            // Register before checking, so a publish racing this check
            // either is seen by it or wakes the registration.
            let registration = self.hub.register(connection_id, destinations);
            let (deliveries, taken) = match self.drain(connection_id, budget).await {
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
                continue;
            }
            tokio::select! {
                () = registration.notified() => {}
                () = tokio::time::sleep_until(deadline) => return Ok(Vec::new()),
            }
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
