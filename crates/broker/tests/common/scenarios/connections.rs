//! Connections: expiry, limits, attributes, listings, counters and lost state.

use std::time::Duration;

use flexgate_broker::{BrokerError, ConnectionUpdate, DrainBudget, MessageStore};
use tokio::time::advance;

use crate::common::{bodies, bounded_broker, broker, broker_with_max_connections, msg};

pub(crate) async fn connection_expiry<S: MessageStore>(store: S) {
    let b = broker(store);
    b.connect(Some("idle"), "ch").await.unwrap();
    b.connect(Some("busy"), "ch").await.unwrap();
    b.subscribe("idle", "i", "news", None, None).await.unwrap();
    b.subscribe("busy", "b", "news", None, None).await.unwrap();
    b.publish_message(msg("news", "pending").with_ttl_ms(600_000))
        .await
        .unwrap();
    advance(Duration::from_secs(40)).await;
    b.touch("busy").await.unwrap();
    advance(Duration::from_secs(40)).await;
    let stats = b.purge().await.unwrap();
    assert_eq!(stats.connections, 1);
    assert!(matches!(
        b.connection("idle").await,
        Err(BrokerError::NotConnected(_))
    ));
    assert!(matches!(
        b.poll("idle", DrainBudget::default()).await,
        Err(BrokerError::NotConnected(_))
    ));
    assert!(b.subscriptions("idle").await.unwrap().is_empty());
    assert_eq!(
        bodies(&b.poll("busy", DrainBudget::default()).await.unwrap()),
        ["pending"]
    );
    // Reconnecting with the old id starts afresh, without the old
    // subscriptions or deliveries.
    b.connect(Some("idle"), "ch").await.unwrap();
    assert!(matches!(
        b.poll("idle", DrainBudget::default()).await,
        Err(BrokerError::NotSubscribed(_))
    ));
    assert!(b.disconnect("idle").await.unwrap());
    assert!(!b.disconnect("idle").await.unwrap());
}

pub(crate) async fn connections_are_limited<S: MessageStore>(store: S) {
    let b = broker_with_max_connections(store, 2);
    b.connect(Some("one"), "ch").await.unwrap();
    b.connect(None, "ch").await.unwrap();
    assert!(matches!(
        b.connect(Some("three"), "ch").await,
        Err(BrokerError::TooManyConnections(2))
    ));
    assert!(matches!(
        b.connect(None, "ch").await,
        Err(BrokerError::TooManyConnections(2))
    ));
    // The refused ones were not kept; a known client still connects.
    assert!(matches!(
        b.connection("three").await,
        Err(BrokerError::NotConnected(_))
    ));
    b.connect(Some("one"), "ch").await.unwrap();
    // A freed place can be taken again.
    assert!(b.disconnect("one").await.unwrap());
    b.connect(Some("three"), "ch").await.unwrap();
}

pub(crate) async fn connection_attributes_and_principal<S: MessageStore>(store: S) {
    let b = broker(store);
    b.connect(Some("c"), "ch").await.unwrap();
    b.update_connection("c", ConnectionUpdate::Principal(Some("alice".into())))
        .await
        .unwrap();
    b.update_connection(
        "c",
        ConnectionUpdate::Attribute {
            name: "k".into(),
            value: Some("v".into()),
        },
    )
    .await
    .unwrap();
    let c = b.connection("c").await.unwrap();
    assert_eq!(c.principal.as_deref(), Some("alice"));
    assert_eq!(c.attributes.get("k").map(String::as_str), Some("v"));
    advance(Duration::from_millis(5)).await;
    // Refused for want of subscriptions, the poll is still recorded.
    assert!(matches!(
        b.poll("c", DrainBudget::default()).await,
        Err(BrokerError::NotSubscribed(_))
    ));
    let c2 = b.connection("c").await.unwrap();
    assert!(c2.last_polled_ms > c.last_polled_ms);
    assert!(matches!(
        b.update_connection("x", ConnectionUpdate::Principal(None))
            .await,
        Err(BrokerError::NotConnected(_))
    ));
}

pub(crate) async fn listing_connections_and_subscriptions<S: MessageStore>(store: S) {
    let b = broker(store);
    assert!(b.store().connections().await.unwrap().is_empty());
    b.connect(Some("a"), "amf").await.unwrap();
    b.connect(Some("b"), "polling").await.unwrap();
    b.update_connection("b", ConnectionUpdate::Principal(Some("bob".into())))
        .await
        .unwrap();
    b.subscribe("a", "a1", "chat", Some("room.1"), None)
        .await
        .unwrap();
    b.subscribe("a", "a1", "chat", Some("room.2"), None)
        .await
        .unwrap();
    b.subscribe("b", "b1", "news", None, None).await.unwrap();

    let mut conns = b.store().connections().await.unwrap();
    conns.sort_by(|x, y| x.id.cmp(&y.id));
    let summary: Vec<_> = conns
        .iter()
        .map(|c| (c.id.as_str(), c.channel.as_str(), c.principal.as_deref()))
        .collect();
    assert_eq!(summary, [("a", "amf", None), ("b", "polling", Some("bob"))]);

    let mut subs = b.store().all_subscriptions().await.unwrap();
    subs.sort_by(|x, y| x.key.cmp(&y.key));
    let keys: Vec<_> = subs
        .iter()
        .map(|s| (s.key.connection_id.as_str(), s.key.destination.as_str()))
        .collect();
    assert_eq!(keys, [("a", "chat"), ("b", "news")]);
    // One consumer, two filters: still one subscription.
    assert_eq!(subs[0].filters.len(), 2);

    b.disconnect("a").await.unwrap();
    assert_eq!(b.store().connections().await.unwrap().len(), 1);
    assert_eq!(b.store().all_subscriptions().await.unwrap().len(), 1);
}

pub(crate) async fn counters_count_publishes_and_deliveries<S: MessageStore>(store: S) {
    let b = broker(store);
    b.connect(Some("c"), "ch").await.unwrap();
    b.subscribe("c", "one", "news", None, None).await.unwrap();
    b.subscribe("c", "two", "news", None, None).await.unwrap();
    for body in ["1", "2", "3"] {
        b.publish_message(msg("news", body)).await.unwrap();
    }
    // A failed publish is not counted.
    assert!(b.publish_message(msg("nowhere", "x")).await.is_err());
    assert_eq!(b.counters().published, 3);
    assert_eq!(b.counters().delivered, 0);
    // Three messages to two consumers: six deliveries.
    assert_eq!(b.poll("c", DrainBudget::default()).await.unwrap().len(), 6);
    assert!(b
        .poll("c", DrainBudget::default())
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        b.counters(),
        flexgate_broker::BrokerCounters {
            published: 3,
            delivered: 6,
            dropped: 0,
        }
    );
}

pub(crate) async fn connect_existing_never_creates<S: MessageStore>(store: S) {
    let b = broker(store);
    assert!(matches!(
        b.connect_existing("ghost").await,
        Err(BrokerError::NotConnected(id)) if id == "ghost"
    ));
    assert!(matches!(
        b.connection("ghost").await,
        Err(BrokerError::NotConnected(_))
    ));
    assert_eq!(b.store().connection_count().await.unwrap(), 0);
    let c = b.connect(Some("c"), "amf").await.unwrap();
    advance(Duration::from_secs(5)).await;
    let again = b.connect_existing("c").await.unwrap();
    assert_eq!(again.channel, "amf");
    assert_eq!(again.created_ms, c.created_ms);
    assert!(again.last_active_ms > c.last_active_ms, "touched");
}

pub(crate) async fn lost_store_state_is_not_an_empty_success<
    S: MessageStore + crate::common::Wipe,
>(
    store: S,
) {
    let b = broker(store);
    b.connect(Some("c"), "ch").await.unwrap();
    b.subscribe("c", "x", "news", None, None).await.unwrap();
    b.publish_message(msg("news", "lost")).await.unwrap();
    // The store restarts empty (Redis without persistence; FLUSHDB).
    b.store().wipe().await;
    assert!(matches!(
        b.connect_existing("c").await,
        Err(BrokerError::NotConnected(_))
    ));
    assert!(matches!(
        b.poll("c", DrainBudget::default()).await,
        Err(BrokerError::NotConnected(_))
    ));
    assert_eq!(b.store().connection_count().await.unwrap(), 0);
    // Re-created by a ping, the client has no subscriptions: its poll says
    // so instead of answering "nothing new".
    b.connect(Some("c"), "ch").await.unwrap();
    assert!(matches!(
        b.poll("c", DrainBudget::default()).await,
        Err(BrokerError::NotSubscribed(_))
    ));
}

pub(crate) async fn one_shot_clients_expire_quickly<S: MessageStore>(store: S) {
    let b = bounded_broker(store, usize::MAX, usize::MAX);
    let once = b.connect(Some("once"), "ch").await.unwrap();
    assert_eq!(once.idle_timeout_ms, 120_000);
    b.connect(Some("twice"), "ch").await.unwrap();
    b.connect(Some("polled"), "ch").await.unwrap();
    b.connect(Some("touched"), "ch").await.unwrap();
    advance(Duration::from_secs(60)).await;
    let twice = b.connect(Some("twice"), "ch").await.unwrap();
    assert_eq!(twice.idle_timeout_ms, 30 * 60 * 1000, "promoted");
    assert_eq!(twice.promoted_timeout_ms, None);
    b.subscribe("polled", "p", "other", None, None)
        .await
        .unwrap();
    b.poll("polled", DrainBudget::default()).await.unwrap();
    b.touch("touched").await.unwrap();
    advance(Duration::from_secs(90)).await;
    let stats = b.purge().await.unwrap();
    assert_eq!(stats.connections, 1);
    assert!(matches!(
        b.connection("once").await,
        Err(BrokerError::NotConnected(_))
    ));
    for id in ["twice", "polled", "touched"] {
        let c = b.connection(id).await.unwrap();
        assert_eq!(c.idle_timeout_ms, 30 * 60 * 1000, "{id}");
    }
    // Promoted clients keep the full idle timeout.
    advance(Duration::from_secs(20 * 60)).await;
    assert_eq!(b.purge().await.unwrap().connections, 0);
    advance(Duration::from_secs(15 * 60)).await;
    assert_eq!(b.purge().await.unwrap().connections, 3);
}
