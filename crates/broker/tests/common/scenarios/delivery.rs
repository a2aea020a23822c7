//! Publishing and polling: who receives what.

use std::time::Duration;

use flexgate_amf::Value;
use flexgate_broker::{BrokerError, DrainBudget, MessageStore, Payload, SubscribeOutcome};
use tokio::time::advance;

use crate::common::{bodies, broker, msg};

pub(crate) async fn publish_and_poll<S: MessageStore>(store: S) {
    let b = broker(store);
    let c = b.connect(None, "my-amf").await.unwrap();
    assert_eq!(c.channel, "my-amf");
    let out = b
        .subscribe(&c.id, "consumer-1", "news", None, None)
        .await
        .unwrap();
    assert!(matches!(out, SubscribeOutcome::Created { .. }));
    b.publish_message(msg("news", "a")).await.unwrap();
    b.publish_message(msg("news", "b")).await.unwrap();
    let ds = b.poll(&c.id, DrainBudget::default()).await.unwrap();
    assert_eq!(bodies(&ds), ["a", "b"]);
    assert!(ds.iter().all(|d| d.client_id == "consumer-1"));
    assert!(ds[0].seq < ds[1].seq);
    assert!(ds[0].message.timestamp_ms > 0);
    // Each message once.
    assert!(b
        .poll(&c.id, DrainBudget::default())
        .await
        .unwrap()
        .is_empty());
    assert!(matches!(
        b.poll("nope", DrainBudget::default()).await,
        Err(BrokerError::NotConnected(_))
    ));
    // Connecting again with the same id returns the same connection.
    let again = b.connect(Some(&c.id), "my-amf").await.unwrap();
    assert_eq!(again.created_ms, c.created_ms);
}

pub(crate) async fn no_messages_from_before_subscribe<S: MessageStore>(store: S) {
    let b = broker(store);
    let early = b.connect(Some("early"), "ch").await.unwrap();
    b.subscribe(&early.id, "e", "news", None, None)
        .await
        .unwrap();
    b.publish_message(msg("news", "old")).await.unwrap();
    let late = b.connect(Some("late"), "ch").await.unwrap();
    b.subscribe(&late.id, "l", "news", None, None)
        .await
        .unwrap();
    b.publish_message(msg("news", "new")).await.unwrap();
    assert_eq!(
        bodies(&b.poll("late", DrainBudget::default()).await.unwrap()),
        ["new"]
    );
    assert_eq!(
        bodies(&b.poll("early", DrainBudget::default()).await.unwrap()),
        ["old", "new"]
    );
}

pub(crate) async fn unknown_destination<S: MessageStore>(store: S) {
    let b = broker(store);
    let c = b.connect(None, "ch").await.unwrap();
    assert!(matches!(
        b.subscribe(&c.id, "x", "nowhere", None, None).await,
        Err(BrokerError::UnknownDestination(d)) if d == "nowhere"
    ));
    assert!(matches!(
        b.publish_message(msg("nowhere", "a")).await,
        Err(BrokerError::UnknownDestination(_))
    ));
    assert!(matches!(
        b.subscribe("ghost", "x", "news", None, None).await,
        Err(BrokerError::NotConnected(_))
    ));
}

pub(crate) async fn targeted_messages<S: MessageStore>(store: S) {
    let b = broker(store);
    for c in ["c1", "c2"] {
        b.connect(Some(c), "ch").await.unwrap();
    }
    b.subscribe("c1", "c1-a", "news", None, None).await.unwrap();
    b.subscribe("c1", "c1-b", "news", None, None).await.unwrap();
    b.subscribe("c2", "c2-a", "news", None, None).await.unwrap();
    b.publish_message(msg("news", "to-c2").with_target("c2"))
        .await
        .unwrap();
    b.publish_message(msg("news", "to-c1-b").with_target("c1-b"))
        .await
        .unwrap();
    b.publish_message(msg("news", "to-nobody").with_target("c3"))
        .await
        .unwrap();
    let c1 = b.poll("c1", DrainBudget::default()).await.unwrap();
    assert_eq!(bodies(&c1), ["to-c1-b"]);
    assert_eq!(c1[0].client_id, "c1-b");
    let c2 = b.poll("c2", DrainBudget::default()).await.unwrap();
    assert_eq!(bodies(&c2), ["to-c2"]);
}

pub(crate) async fn publisher_echo_rule<S: MessageStore>(store: S) {
    let b = broker(store);
    for c in ["pub", "other"] {
        b.connect(Some(c), "ch").await.unwrap();
        b.subscribe(c, &format!("{c}-news"), "news", None, None)
            .await
            .unwrap();
        b.subscribe(c, &format!("{c}-noecho"), "noecho", None, None)
            .await
            .unwrap();
    }
    b.publish_message(msg("news", "n").with_sender("pub"))
        .await
        .unwrap();
    b.publish_message(msg("noecho", "q").with_sender("pub"))
        .await
        .unwrap();
    // BlazeDS default: the sender receives its own message.
    assert_eq!(
        bodies(&b.poll("pub", DrainBudget::default()).await.unwrap()),
        ["n"]
    );
    assert_eq!(
        bodies(&b.poll("other", DrainBudget::default()).await.unwrap()),
        ["n", "q"]
    );
}

pub(crate) async fn server_side_publish<S: MessageStore>(store: S) {
    let b = broker(store);
    b.connect(Some("c"), "ch").await.unwrap();
    b.subscribe("c", "x", "chat", Some("prices.*"), Some("sym = 'ADBE'"))
        .await
        .unwrap();
    let published = b
        .publish(
            "chat",
            Some("prices.nasdaq"),
            Value::Number(42.0),
            [("sym", Value::from("ADBE"))],
        )
        .await
        .unwrap();
    b.publish(
        "chat",
        Some("prices.nasdaq"),
        Value::Number(1.0),
        [("sym", Value::from("MSFT"))],
    )
    .await
    .unwrap();
    let ds = b.poll("c", DrainBudget::default()).await.unwrap();
    assert_eq!(ds.len(), 1);
    assert_eq!(ds[0].message.id, published.message.id);
    assert_eq!(ds[0].message.payload, Payload::Body(Value::Number(42.0)));
    assert_eq!(ds[0].message.subtopics, ["prices.nasdaq"]);
    assert_eq!(ds[0].message.ttl_ms, 30_000);
}

pub(crate) async fn deliveries_across_destinations<S: MessageStore>(store: S) {
    let b = broker(store);
    b.connect(Some("c"), "ch").await.unwrap();
    b.subscribe("c", "n", "news", None, None).await.unwrap();
    b.subscribe("c", "h", "chat", None, None).await.unwrap();
    for (d, body) in [("news", "1"), ("chat", "2"), ("news", "3"), ("chat", "4")] {
        b.publish_message(msg(d, body)).await.unwrap();
        advance(Duration::from_millis(1)).await;
    }
    assert_eq!(
        bodies(&b.poll("c", DrainBudget::default()).await.unwrap()),
        ["1", "2", "3", "4"]
    );
}
