//! Store-generic scenarios. Each is written once over `S: MessageStore`
//! and instantiated per store by `store_suite!` in `store_suite.rs`; a
//! Redis store adds one more `store_suite!` line.

#![allow(dead_code)]

pub(crate) mod concurrency;
#[cfg(feature = "redis")]
pub(crate) mod redis;
pub(crate) mod scenarios;

use std::time::Duration;

use flexgate_amf::Value;
use flexgate_broker::{Broker, BrokerConfig, DestinationConfig, Message, MessageStore, Payload};

/// A store whose whole state can be lost, as a Redis restart without
/// persistence (or a FLUSHDB) loses it.
pub(crate) trait Wipe {
    /// Forgets every connection, subscription and message.
    fn wipe(&self) -> impl std::future::Future<Output = ()>;
}

impl Wipe for flexgate_broker::MemoryStore {
    async fn wipe(&self) {
        for c in self.connections().await.unwrap() {
            self.remove_connection(&c.id).await.unwrap();
        }
    }
}

/// The test broker with at most `max` connections.
pub(crate) fn broker_with_max_connections<S: MessageStore>(store: S, max: usize) -> Broker<S> {
    Broker::new(
        store,
        BrokerConfig::default()
            .with_max_connections(max)
            .with_destination("news", DestinationConfig::default()),
    )
}

/// A broker with the destinations the scenarios use.
pub(crate) fn broker<S: MessageStore>(store: S) -> Broker<S> {
    let config = BrokerConfig::default()
        .with_idle_timeout(Duration::from_secs(60))
        .with_destination("news", DestinationConfig::default())
        .with_destination("chat", DestinationConfig::default().allow_subtopics(true))
        .with_destination(
            "slash",
            DestinationConfig::default()
                .allow_subtopics(true)
                .subtopic_separator("/"),
        )
        .with_destination("noecho", DestinationConfig::default().echo_to_sender(false))
        .with_destination(
            "short",
            DestinationConfig::default()
                .default_ttl_ms(100)
                .max_messages(3),
        );
    Broker::new(store, config)
}

/// A broker for the bounds scenarios: `bytes` retains at most
/// `per_destination` bytes, `ttl` caps TTLs at 1 s, everything retains at
/// most `total` bytes; clients idle for 30 minutes, new ones for 2.
pub(crate) fn bounded_broker<S: MessageStore>(
    store: S,
    per_destination: usize,
    total: usize,
) -> Broker<S> {
    let config = BrokerConfig::default()
        .with_idle_timeout(Duration::from_secs(30 * 60))
        .with_new_client_timeout(Duration::from_secs(2 * 60))
        .with_max_total_retained_bytes(total)
        .with_destination(
            "bytes",
            DestinationConfig::default().max_retained_bytes(per_destination),
        )
        .with_destination("other", DestinationConfig::default())
        .with_destination("ttl", DestinationConfig::default().max_ttl_ms(1_000));
    Broker::new(store, config)
}

/// A client-published message with a string body.
pub(crate) fn msg(destination: &str, body: &str) -> Message {
    Message::new(destination, Payload::Message(Value::from(body)))
}

/// The bodies of deliveries, as strings.
pub(crate) fn bodies(ds: &[flexgate_broker::Delivery]) -> Vec<String> {
    ds.iter()
        .map(|d| d.message.payload.value().as_str().unwrap_or("?").to_owned())
        .collect()
}
