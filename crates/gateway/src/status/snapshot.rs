//! One consistent-enough picture of the gateway for the operator pages,
//! serialized as `/status.json` and rendered as `/metrics`.

use crate::config::{ChannelKind, DestinationKind, StoreConfig};
use crate::metrics::{epoch_ms, RateSample};
use crate::state::State;
use flexgate_broker::{Connection, MessageStore, Subscription};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

/// At most this many clients are listed (the most recently active); the
/// counts always cover all of them.
pub const MAX_CLIENTS_LISTED: usize = 500;

/// The current rates average this many seconds of history.
pub const RATE_WINDOW_SECONDS: usize = 5;

/// Everything the status page shows.
#[derive(Debug, Clone, Serialize)]
pub struct Snapshot {
    /// flexgate's version.
    pub version: &'static str,
    /// When the snapshot was taken, epoch milliseconds.
    pub now_ms: u64,
    /// When the gateway started, epoch milliseconds.
    pub started_ms: u64,
    /// The broker's store.
    pub store: StoreStatus,
    /// Running totals.
    pub totals: Totals,
    /// Long polls waiting now.
    pub waiting_polls: usize,
    /// Streaming connections open now.
    pub streams: usize,
    /// Connected Flex clients, all of them.
    pub clients_total: usize,
    /// Connected Flex clients, most recently active first, at most
    /// [`MAX_CLIENTS_LISTED`].
    pub clients: Vec<ClientRow>,
    /// Configured channels with their client counts.
    pub channels: Vec<ChannelRow>,
    /// Messaging destinations with their subscriber counts.
    pub destinations: Vec<DestinationRow>,
    /// Messages per second.
    pub rates: Rates,
    /// Destinations bridged to an external broker, with their health.
    pub links: Vec<crate::broker_link::LinkRow>,
}

/// Which store, and whether it answered.
#[derive(Debug, Clone, Serialize)]
pub struct StoreStatus {
    /// `memory`, ...
    pub kind: &'static str,
    /// The store listed its connections and subscriptions.
    pub healthy: bool,
    /// Why not, when it did not.
    pub error: Option<String>,
}

/// Totals since the gateway started.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Totals {
    /// Messages published.
    pub published: u64,
    /// Messages delivered to consumers.
    pub delivered: u64,
    /// Retained messages dropped to keep the retention bounds, whether or
    /// not a consumer still lacked them (`BrokerCounters::dropped`).
    pub dropped: u64,
    /// Poll requests.
    pub polls: u64,
}

/// One connected Flex client.
#[derive(Debug, Clone, Serialize)]
pub struct ClientRow {
    /// The `DSId`.
    pub id: String,
    /// The channel id it connected through.
    pub channel: String,
    /// The logged-in user.
    pub principal: Option<String>,
    /// Connected at, epoch milliseconds.
    pub created_ms: u64,
    /// Last request, epoch milliseconds.
    pub last_active_ms: u64,
    /// Last poll, epoch milliseconds; `None` if it never polled.
    pub last_poll_ms: Option<u64>,
    /// Its consumer subscriptions.
    pub subscriptions: usize,
}

/// One channel.
#[derive(Debug, Clone, Serialize)]
pub struct ChannelRow {
    /// Channel id.
    pub id: String,
    /// `amf`, `long-polling` or `streaming`.
    pub kind: &'static str,
    /// URL path.
    pub path: String,
    /// Clients connected through it.
    pub clients: usize,
}

/// One messaging destination.
#[derive(Debug, Clone, Serialize)]
pub struct DestinationRow {
    /// Destination id.
    pub id: String,
    /// Consumer subscriptions to it.
    pub subscribers: usize,
    /// Subscribed subtopic patterns with their subscriber counts.
    pub subtopics: Vec<SubtopicRow>,
}

/// One subscribed subtopic pattern.
#[derive(Debug, Clone, Serialize)]
pub struct SubtopicRow {
    /// The pattern as subscribed (`room.*`).
    pub subtopic: String,
    /// Consumer subscriptions with a filter on it.
    pub subscribers: usize,
}

/// Message rates.
#[derive(Debug, Clone, Serialize)]
pub struct Rates {
    /// Seconds averaged by `in_per_s` and `out_per_s`.
    pub window_s: usize,
    /// Messages published per second, recently.
    pub in_per_s: f64,
    /// Messages delivered per second, recently.
    pub out_per_s: f64,
    /// One sample per second, oldest first.
    pub history: Vec<RateSample>,
}

impl Snapshot {
    /// Reads the state and the store.
    pub(crate) async fn take(state: &State) -> Snapshot {
        let broker = &state.broker;
        let listed = async {
            let conns = broker.store().connections().await?;
            let subs = broker.store().all_subscriptions().await?;
            Ok::<_, flexgate_broker::StoreError>((conns, subs))
        }
        .await;
        let (connections, subscriptions, store_error) = match listed {
            Ok((c, s)) => (c, s, None),
            Err(e) => {
                tracing::warn!(error = %e, "status: the store did not list its state");
                (Vec::new(), Vec::new(), Some(e.to_string()))
            }
        };
        let counters = broker.counters();
        let history = state.metrics.history();
        Snapshot {
            version: env!("CARGO_PKG_VERSION"),
            now_ms: epoch_ms(),
            started_ms: state.metrics.started_ms(),
            store: StoreStatus {
                kind: store_kind(&state.config.store),
                healthy: store_error.is_none(),
                error: store_error,
            },
            totals: Totals {
                published: counters.published,
                delivered: counters.delivered,
                dropped: counters.dropped,
                polls: state.metrics.polls(),
            },
            waiting_polls: state.waiting.total(),
            streams: state.streams.open(),
            clients_total: connections.len(),
            channels: channels(state, &connections),
            destinations: destinations(state, &subscriptions),
            clients: clients(&connections, &subscriptions),
            rates: rates(history),
            links: state.links.rows(),
        }
    }
}

/// The store's name as configured.
fn store_kind(store: &StoreConfig) -> &'static str {
    match store {
        StoreConfig::Memory => "memory",
        StoreConfig::Redis { .. } => "redis",
    }
}

/// The config name of a channel kind.
pub(crate) fn channel_kind(kind: ChannelKind) -> &'static str {
    match kind {
        ChannelKind::Amf => "amf",
        ChannelKind::LongPolling => "long-polling",
        ChannelKind::Streaming => "streaming",
    }
}

fn channels(state: &State, connections: &[Connection]) -> Vec<ChannelRow> {
    let mut per_channel: BTreeMap<&str, usize> = BTreeMap::new();
    for c in connections {
        *per_channel.entry(c.channel.as_str()).or_default() += 1;
    }
    state
        .config
        .channels
        .iter()
        .map(|(id, c)| ChannelRow {
            id: id.clone(),
            kind: channel_kind(c.kind),
            path: c.path.clone(),
            clients: per_channel.get(id.as_str()).copied().unwrap_or(0),
        })
        .collect()
}

fn destinations(state: &State, subscriptions: &[Arc<Subscription>]) -> Vec<DestinationRow> {
    // Every configured messaging destination shows, subscribed or not.
    let mut rows: BTreeMap<String, (usize, BTreeMap<String, usize>)> = state
        .config
        .destinations
        .iter()
        .filter(|(_, d)| d.kind == DestinationKind::Messaging)
        .map(|(id, _)| (id.clone(), Default::default()))
        .collect();
    for s in subscriptions {
        // Look up before inserting: no String allocated per subscription.
        let dest = &s.key.destination;
        if !rows.contains_key(dest) {
            rows.insert(dest.clone(), Default::default());
        }
        let Some((count, subtopics)) = rows.get_mut(dest) else {
            continue;
        };
        *count += 1;
        // A consumer with several filters on one subtopic counts once.
        let patterns: BTreeSet<&str> = s
            .filters
            .iter()
            .filter_map(|f| f.subtopic.as_ref().map(|t| t.as_str()))
            .collect();
        for p in patterns {
            *subtopics.entry(p.to_owned()).or_default() += 1;
        }
    }
    rows.into_iter()
        .map(|(id, (subscribers, subtopics))| DestinationRow {
            id,
            subscribers,
            subtopics: subtopics
                .into_iter()
                .map(|(subtopic, subscribers)| SubtopicRow {
                    subtopic,
                    subscribers,
                })
                .collect(),
        })
        .collect()
}

fn clients(connections: &[Connection], subscriptions: &[Arc<Subscription>]) -> Vec<ClientRow> {
    let mut per_connection: HashMap<&str, usize> = HashMap::with_capacity(subscriptions.len());
    for s in subscriptions {
        *per_connection
            .entry(s.key.connection_id.as_str())
            .or_default() += 1;
    }
    let most_recent_first = |a: &&Connection, b: &&Connection| {
        b.last_active_ms
            .cmp(&a.last_active_ms)
            .then_with(|| a.id.cmp(&b.id))
    };
    // Order references, not the (large) connections; select the listed
    // ones in linear time, then sort only those.
    let mut listed: Vec<&Connection> = connections.iter().collect();
    if listed.len() > MAX_CLIENTS_LISTED {
        listed.select_nth_unstable_by(MAX_CLIENTS_LISTED - 1, most_recent_first);
        listed.truncate(MAX_CLIENTS_LISTED);
    }
    listed.sort_unstable_by(most_recent_first);
    listed
        .into_iter()
        .map(|c| ClientRow {
            id: c.id.clone(),
            channel: c.channel.clone(),
            principal: c.principal.clone(),
            created_ms: c.created_ms,
            last_active_ms: c.last_active_ms,
            last_poll_ms: (c.last_polled_ms != 0).then_some(c.last_polled_ms),
            subscriptions: per_connection.get(c.id.as_str()).copied().unwrap_or(0),
        })
        .collect()
}

fn rates(history: Vec<RateSample>) -> Rates {
    let recent = &history[history.len().saturating_sub(RATE_WINDOW_SECONDS)..];
    let average = |f: fn(&RateSample) -> u64| {
        if recent.is_empty() {
            0.0
        } else {
            recent.iter().map(f).sum::<u64>() as f64 / recent.len() as f64
        }
    };
    Rates {
        window_s: RATE_WINDOW_SECONDS,
        in_per_s: average(|s| s.published),
        out_per_s: average(|s| s.delivered),
        history,
    }
}
