//! Behavioural scenarios, generic over the store.

use std::sync::Arc;
use std::time::Duration;

use flexgate_amf::Value;
use flexgate_broker::{
    BrokerError, Cleaner, ConnectionUpdate, DrainBudget, IfUnsubscribed, MessageStore, Payload,
    SubscribeOutcome,
};
use tokio::time::{advance, Instant};

use super::{bodies, bounded_broker, broker, broker_with_max_connections, msg};

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

pub(crate) async fn subtopic_routing<S: MessageStore>(store: S) {
    let b = broker(store);
    let c = b.connect(Some("c"), "ch").await.unwrap();
    b.subscribe("c", "plain", "chat", None, None).await.unwrap();
    b.subscribe("c", "all", "chat", Some("*"), None)
        .await
        .unwrap();
    b.subscribe("c", "rooms", "chat", Some("rooms.*"), None)
        .await
        .unwrap();
    b.subscribe("c", "lobby", "chat", Some("rooms.lobby"), None)
        .await
        .unwrap();
    b.subscribe("c", "empty", "chat", Some(""), None)
        .await
        .unwrap(); // same as none
    for (sub, body) in [
        (None, "none"),
        (Some("rooms.lobby"), "lobby"),
        (Some("rooms.a.b"), "deep"),
        (Some("rooms"), "rooms"),
        (Some("other"), "other"),
    ] {
        let mut m = msg("chat", body);
        m.subtopic = sub.map(str::to_owned);
        b.publish_message(m).await.unwrap();
    }
    let ds = b.poll(&c.id, DrainBudget::default()).await.unwrap();
    let got = |client: &str| -> Vec<String> {
        bodies(
            &ds.iter()
                .filter(|d| d.client_id == client)
                .cloned()
                .collect::<Vec<_>>(),
        )
    };
    assert_eq!(got("plain"), ["none"]);
    assert_eq!(got("empty"), ["none"]);
    assert_eq!(got("all"), ["lobby", "deep", "rooms", "other"]);
    assert_eq!(got("rooms"), ["lobby", "deep"]);
    assert_eq!(got("lobby"), ["lobby"]);

    // Another separator.
    b.subscribe("c", "s", "slash", Some("a/*"), None)
        .await
        .unwrap();
    b.publish_message(msg("slash", "x").with_subtopic("a/b/c"))
        .await
        .unwrap();
    b.publish_message(msg("slash", "y").with_subtopic("a.b"))
        .await
        .unwrap();
    assert_eq!(
        bodies(&b.poll("c", DrainBudget::default()).await.unwrap()),
        ["x"]
    );
}

pub(crate) async fn subtopic_errors<S: MessageStore>(store: S) {
    let b = broker(store);
    b.connect(Some("c"), "ch").await.unwrap();
    assert!(matches!(
        b.subscribe("c", "x", "news", Some("a"), None).await,
        Err(BrokerError::SubtopicsNotAllowed { .. })
    ));
    assert!(matches!(
        b.publish_message(msg("news", "x").with_subtopic("a")).await,
        Err(BrokerError::SubtopicsNotAllowed { .. })
    ));
    assert!(matches!(
        b.subscribe("c", "x", "chat", Some("a..b"), None).await,
        Err(BrokerError::Subtopic(_))
    ));
    assert!(matches!(
        b.subscribe("c", "x", "chat", Some("a.b*"), None).await,
        Err(BrokerError::Subtopic(_))
    ));
    assert!(matches!(
        b.publish_message(msg("chat", "x").with_subtopic("a.*"))
            .await,
        Err(BrokerError::WildcardPublish(_))
    ));
    assert!(b.subscriptions("c").await.unwrap().is_empty());
}

pub(crate) async fn selector_routing<S: MessageStore>(store: S) {
    let b = broker(store);
    b.connect(Some("c"), "ch").await.unwrap();
    b.subscribe(
        "c",
        "cheap",
        "news",
        None,
        Some("price < 10 AND sym LIKE 'A%'"),
    )
    .await
    .unwrap();
    b.subscribe("c", "all", "news", None, Some("  "))
        .await
        .unwrap(); // blank: no selector
    b.publish_message(
        msg("news", "1")
            .with_header("price", 5)
            .with_header("sym", "ADBE"),
    )
    .await
    .unwrap();
    b.publish_message(
        msg("news", "2")
            .with_header("price", 50)
            .with_header("sym", "ADBE"),
    )
    .await
    .unwrap();
    b.publish_message(msg("news", "3").with_header("sym", "ADBE"))
        .await
        .unwrap();
    b.publish_message(
        msg("news", "4")
            .with_header("price", 1.5)
            .with_header("sym", "AMZN"),
    )
    .await
    .unwrap();
    let ds = b.poll("c", DrainBudget::default()).await.unwrap();
    let cheap: Vec<_> = ds
        .iter()
        .filter(|d| d.client_id == "cheap")
        .cloned()
        .collect();
    assert_eq!(bodies(&cheap), ["1", "4"]);
    assert_eq!(ds.iter().filter(|d| d.client_id == "all").count(), 4);
}

pub(crate) async fn bad_selector_fails_subscribe<S: MessageStore>(store: S) {
    let b = broker(store);
    b.connect(Some("c"), "ch").await.unwrap();
    match b.subscribe("c", "x", "news", None, Some("price >")).await {
        Err(BrokerError::Selector(e)) => {
            assert_eq!(e.position, 7);
            assert!(e.to_string().contains("position 7"), "{e}");
        }
        other => panic!("expected a selector error, got {other:?}"),
    }
    assert!(b.subscriptions("c").await.unwrap().is_empty());
}

/// Selectors past the bounds are refused at subscribe, each with its kind,
/// and nothing is stored; the largest legal ones subscribe.
pub(crate) async fn selector_bounds_are_enforced_at_subscribe<S: MessageStore>(store: S) {
    use flexgate_broker::SelectorErrorKind::{TooDeep, TooLong, TooManyNodes};
    let b = broker(store);
    b.connect(Some("c"), "ch").await.unwrap();
    let long = format!("a = '{}'", "x".repeat(5_000));
    let chain = format!("a = 1{}", "+1".repeat(1_000));
    let deep = format!("{}a = 1{}", "(".repeat(40), ")".repeat(40));
    for (selector, kind) in [
        (long.as_str(), TooLong),
        (chain.as_str(), TooManyNodes),
        (deep.as_str(), TooDeep),
    ] {
        match b.subscribe("c", "x", "news", None, Some(selector)).await {
            Err(BrokerError::Selector(e)) => assert_eq!(e.kind, kind, "{e}"),
            other => panic!("expected a selector error, got {other:?}"),
        }
    }
    assert!(b.subscriptions("c").await.unwrap().is_empty());
    let legal = format!("a = '{}'", "x".repeat(4_096 - 6));
    b.subscribe("c", "x", "news", None, Some(&legal))
        .await
        .unwrap();
    b.publish_message(msg("news", "1").with_header("a", "x".repeat(4_090)))
        .await
        .unwrap();
    assert_eq!(
        bodies(&b.poll("c", DrainBudget::default()).await.unwrap()),
        ["1"]
    );
}

/// A string header longer than `max_selector_header_bytes` is present but
/// not compared: `LIKE` on it is unknown, `IS NOT NULL` true.
pub(crate) async fn long_string_headers_are_not_inspected<S: MessageStore>(store: S) {
    let b = broker(store);
    b.connect(Some("c"), "ch").await.unwrap();
    b.subscribe("c", "like", "news", None, Some("h LIKE '%b'"))
        .await
        .unwrap();
    b.subscribe("c", "present", "news", None, Some("h IS NOT NULL"))
        .await
        .unwrap();
    let max = b.config().max_selector_header_bytes;
    let fits = format!("{}b", "a".repeat(max - 1));
    let over = format!("{}b", "a".repeat(max));
    b.publish_message(msg("news", "fits").with_header("h", fits))
        .await
        .unwrap();
    b.publish_message(msg("news", "over").with_header("h", over))
        .await
        .unwrap();
    let ds = b.poll("c", DrainBudget::default()).await.unwrap();
    let of = |consumer: &str| {
        bodies(
            &ds.iter()
                .filter(|d| d.client_id == consumer)
                .cloned()
                .collect::<Vec<_>>(),
        )
    };
    assert_eq!(of("like"), ["fits"]);
    assert_eq!(of("present"), ["fits", "over"]);
}

pub(crate) async fn ttl_expiry<S: MessageStore>(store: S) {
    let b = broker(store);
    b.connect(Some("c"), "ch").await.unwrap();
    b.subscribe("c", "x", "news", None, None).await.unwrap();
    b.publish_message(msg("news", "short").with_ttl_ms(50))
        .await
        .unwrap();
    b.publish_message(msg("news", "long").with_ttl_ms(10_000))
        .await
        .unwrap();
    advance(Duration::from_millis(100)).await;
    assert_eq!(
        bodies(&b.poll("c", DrainBudget::default()).await.unwrap()),
        ["long"]
    );
    // An expired message is purged even though it was never delivered.
    b.publish_message(msg("news", "gone").with_ttl_ms(50))
        .await
        .unwrap();
    advance(Duration::from_millis(100)).await;
    let stats = b.purge().await.unwrap();
    assert!(stats.messages >= 1, "{stats:?}");
    assert!(b
        .poll("c", DrainBudget::default())
        .await
        .unwrap()
        .is_empty());
}

pub(crate) async fn ttl_override_and_default<S: MessageStore>(store: S) {
    let b = broker(store);
    b.connect(Some("c"), "ch").await.unwrap();
    b.subscribe("c", "x", "short", None, None).await.unwrap();
    let p = b.publish_message(msg("short", "d")).await.unwrap();
    assert_eq!(p.message.ttl_ms, 100, "TTL 0 takes the destination default");
    let p = b
        .publish_message(msg("short", "e").with_ttl_ms(500))
        .await
        .unwrap();
    assert_eq!(p.message.ttl_ms, 500);
    advance(Duration::from_millis(200)).await;
    assert_eq!(
        bodies(&b.poll("c", DrainBudget::default()).await.unwrap()),
        ["e"]
    );
}

pub(crate) async fn retention_limit<S: MessageStore>(store: S) {
    let b = broker(store);
    b.connect(Some("c"), "ch").await.unwrap();
    b.subscribe("c", "x", "short", None, None).await.unwrap();
    for i in 0..5 {
        b.publish_message(msg("short", &i.to_string()).with_ttl_ms(10_000))
            .await
            .unwrap();
    }
    assert_eq!(
        bodies(&b.poll("c", DrainBudget::default()).await.unwrap()),
        ["2", "3", "4"]
    );
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

pub(crate) async fn unsubscribe<S: MessageStore>(store: S) {
    let b = broker(store);
    b.connect(Some("c"), "ch").await.unwrap();
    b.subscribe("c", "x", "chat", Some("a"), Some("k = 1"))
        .await
        .unwrap();
    b.subscribe("c", "y", "chat", None, None).await.unwrap();
    // Wrong spec: nothing removed.
    assert!(!b
        .unsubscribe("c", "x", "chat", Some("a"), None)
        .await
        .unwrap());
    assert!(b
        .unsubscribe("c", "x", "chat", Some("a"), Some("k = 1"))
        .await
        .unwrap());
    assert!(!b
        .unsubscribe("c", "x", "chat", Some("a"), Some("k = 1"))
        .await
        .unwrap());
    b.publish_message(msg("chat", "m").with_subtopic("a").with_header("k", 1))
        .await
        .unwrap();
    b.publish_message(msg("chat", "n")).await.unwrap();
    let ds = b.poll("c", DrainBudget::default()).await.unwrap();
    assert_eq!(bodies(&ds), ["n"]);
    assert_eq!(ds[0].client_id, "y");
    assert!(b.unsubscribe_all("c", "y", "chat").await.unwrap());
    b.publish_message(msg("chat", "o")).await.unwrap();
    assert!(matches!(
        b.poll("c", DrainBudget::default()).await,
        Err(BrokerError::NotSubscribed(_))
    ));
    assert!(b.subscriptions("c").await.unwrap().is_empty());
}

pub(crate) async fn multiple_consumers_on_one_connection<S: MessageStore>(store: S) {
    let b = broker(store);
    b.connect(Some("c"), "ch").await.unwrap();
    b.subscribe("c", "one", "chat", Some("x.*"), None)
        .await
        .unwrap();
    b.subscribe("c", "two", "chat", Some("x.y"), None)
        .await
        .unwrap();
    b.subscribe("c", "three", "chat", Some("z"), None)
        .await
        .unwrap();
    b.publish_message(msg("chat", "m1").with_subtopic("x.y"))
        .await
        .unwrap();
    b.publish_message(msg("chat", "m2").with_subtopic("x.q"))
        .await
        .unwrap();
    let ds = b.poll("c", DrainBudget::default()).await.unwrap();
    let pairs: Vec<(String, String)> = ds
        .iter()
        .map(|d| {
            (
                d.client_id.clone(),
                d.message.payload.value().as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert_eq!(
        pairs,
        [
            ("one".to_owned(), "m1".to_owned()),
            ("two".to_owned(), "m1".to_owned()),
            ("one".to_owned(), "m2".to_owned())
        ]
    );
    // Both consumers got the very same stored message.
    assert!(Arc::ptr_eq(&ds[0].message, &ds[1].message));
}

pub(crate) async fn multi_filter_consumer_gets_each_message_once<S: MessageStore>(store: S) {
    let b = broker(store);
    b.connect(Some("c"), "ch").await.unwrap();
    let first = b
        .subscribe("c", "multi", "chat", Some("a.*"), None)
        .await
        .unwrap();
    assert!(matches!(first, SubscribeOutcome::Created { .. }));
    b.publish_message(msg("chat", "before-second").with_subtopic("b.x"))
        .await
        .unwrap();
    let second = b
        .subscribe("c", "multi", "chat", Some("*"), None)
        .await
        .unwrap();
    assert!(matches!(second, SubscribeOutcome::FilterAdded { .. }));
    let again = b
        .subscribe("c", "multi", "chat", Some("*"), None)
        .await
        .unwrap();
    assert_eq!(again, SubscribeOutcome::AlreadySubscribed);
    b.publish_message(msg("chat", "both").with_subtopic("a.x"))
        .await
        .unwrap();
    b.publish_message(msg("chat", "star-only").with_subtopic("b.x"))
        .await
        .unwrap();
    // "before-second" matched only the later filter, which began after it.
    assert_eq!(
        bodies(&b.poll("c", DrainBudget::default()).await.unwrap()),
        ["both", "star-only"]
    );
    assert_eq!(b.subscriptions("c").await.unwrap().len(), 1);
}

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

pub(crate) async fn wait_returns_empty_at_deadline<S: MessageStore>(store: S) {
    let b = broker(store);
    b.connect(Some("c"), "ch").await.unwrap();
    b.subscribe("c", "x", "news", None, None).await.unwrap();
    let start = Instant::now();
    let ds = b
        .wait_for_messages(
            "c",
            start + Duration::from_secs(30),
            DrainBudget::default(),
            IfUnsubscribed::Fail,
        )
        .await
        .unwrap();
    assert!(ds.is_empty());
    assert!(Instant::now() >= start + Duration::from_secs(30));
    assert_eq!(b.wake_hub().waiter_count(), 0);
}

pub(crate) async fn wait_woken_by_publish<S: MessageStore>(store: S) {
    let b = Arc::new(broker(store));
    b.connect(Some("c"), "ch").await.unwrap();
    b.subscribe("c", "x", "news", None, None).await.unwrap();
    let waiter = {
        let b = b.clone();
        tokio::spawn(async move {
            b.wait_for_messages(
                "c",
                Instant::now() + Duration::from_secs(30),
                DrainBudget::default(),
                IfUnsubscribed::Fail,
            )
            .await
        })
    };
    // Let the waiter register, then publish; the wait ends long before its
    // deadline (time is paused, so only a wake-up can end it early).
    tokio::task::yield_now().await;
    let start = Instant::now();
    b.publish_message(msg("news", "hello")).await.unwrap();
    let ds = waiter.await.unwrap().unwrap();
    assert_eq!(bodies(&ds), ["hello"]);
    assert!(Instant::now() < start + Duration::from_secs(30));
    // A message published before the wait starts is returned at once.
    b.publish_message(msg("news", "early")).await.unwrap();
    let ds = b
        .wait_for_messages(
            "c",
            Instant::now() + Duration::from_secs(30),
            DrainBudget::default(),
            IfUnsubscribed::Fail,
        )
        .await
        .unwrap();
    assert_eq!(bodies(&ds), ["early"]);
}

pub(crate) async fn wait_woken_by_subscribe<S: MessageStore>(store: S) {
    let b = Arc::new(broker(store));
    b.connect(Some("c"), "ch").await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let waiter = {
        let b = b.clone();
        tokio::spawn(async move {
            b.wait_for_messages("c", deadline, DrainBudget::default(), IfUnsubscribed::Wait)
                .await
        })
    };
    tokio::task::yield_now().await;
    // Subscribing while the poll waits makes it listen to the new
    // destination too.
    b.subscribe("c", "x", "news", None, None).await.unwrap();
    tokio::task::yield_now().await;
    b.publish_message(msg("news", "after-subscribe"))
        .await
        .unwrap();
    let ds = waiter.await.unwrap().unwrap();
    assert_eq!(bodies(&ds), ["after-subscribe"]);
    assert!(Instant::now() < deadline);
}

pub(crate) async fn wait_fails_on_disconnect<S: MessageStore>(store: S) {
    let b = Arc::new(broker(store));
    b.connect(Some("c"), "ch").await.unwrap();
    b.subscribe("c", "x", "news", None, None).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let waiter = {
        let b = b.clone();
        tokio::spawn(async move {
            b.wait_for_messages("c", deadline, DrainBudget::default(), IfUnsubscribed::Fail)
                .await
        })
    };
    tokio::task::yield_now().await;
    b.disconnect("c").await.unwrap();
    assert!(matches!(
        waiter.await.unwrap(),
        Err(BrokerError::NotConnected(_))
    ));
    assert!(Instant::now() < deadline);
}

pub(crate) async fn cleaner_purges_and_stops<S: MessageStore>(store: S) {
    let b = Arc::new(broker(store));
    b.connect(Some("c"), "ch").await.unwrap();
    let cleaner = Cleaner::spawn(&b, Duration::from_secs(10));
    // Idle timeout is 60 s: after 75 s a purge pass has expired it.
    tokio::time::sleep(Duration::from_secs(75)).await;
    assert!(matches!(
        b.connection("c").await,
        Err(BrokerError::NotConnected(_))
    ));
    cleaner.stop().await;
    // Stopped: a new idle connection survives further passes.
    b.connect(Some("d"), "ch").await.unwrap();
    tokio::time::sleep(Duration::from_secs(120)).await;
    assert!(b.connection("d").await.is_ok());
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
    assert_eq!(ds[0].message.subtopic.as_deref(), Some("prices.nasdaq"));
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

/// A message of about `n` bytes.
fn sized(destination: &str, body: &str, n: usize) -> flexgate_broker::Message {
    msg(destination, &format!("{body}{}", " ".repeat(n)))
}

fn body_names(ds: &[flexgate_broker::Delivery]) -> Vec<String> {
    bodies(ds)
        .into_iter()
        .map(|b| b.trim_end().to_owned())
        .collect()
}

pub(crate) async fn retained_bytes_per_destination<S: MessageStore>(store: S) {
    let one = sized("bytes", "0", 10_000).size_bytes();
    // Room for three and a half messages.
    let b = bounded_broker(store, 3 * one + one / 2, usize::MAX);
    b.connect(Some("c"), "ch").await.unwrap();
    b.subscribe("c", "x", "bytes", None, None).await.unwrap();
    for i in 0..5 {
        b.publish_message(sized("bytes", &i.to_string(), 10_000))
            .await
            .unwrap();
    }
    assert_eq!(b.counters().dropped, 2);
    assert_eq!(
        body_names(&b.poll("c", DrainBudget::default()).await.unwrap()),
        ["2", "3", "4"]
    );
    // One message larger than the whole bound is refused, not stored.
    match b.publish_message(sized("bytes", "huge", 4 * one)).await {
        Err(BrokerError::MessageTooLarge {
            destination,
            size,
            max,
        }) => {
            assert_eq!(destination, "bytes");
            assert!(size > max);
            assert_eq!(max, 3 * one + one / 2);
        }
        other => panic!("expected MessageTooLarge, got {other:?}"),
    }
    assert_eq!(b.counters().published, 5);
    assert!(b
        .poll("c", DrainBudget::default())
        .await
        .unwrap()
        .is_empty());
    // Consumed entries purged give their bytes back: three fit again.
    b.purge().await.unwrap();
    for i in 5..8 {
        b.publish_message(sized("bytes", &i.to_string(), 10_000))
            .await
            .unwrap();
    }
    assert_eq!(b.counters().dropped, 2);
    assert_eq!(
        body_names(&b.poll("c", DrainBudget::default()).await.unwrap()),
        ["5", "6", "7"]
    );
}

pub(crate) async fn retained_bytes_across_destinations<S: MessageStore>(store: S) {
    let one = sized("bytes", "a1", 10_000).size_bytes();
    assert_eq!(one, sized("other", "a1", 10_000).size_bytes());
    let b = bounded_broker(store, usize::MAX, 3 * one + one / 2);
    b.connect(Some("c"), "ch").await.unwrap();
    b.subscribe("c", "x", "bytes", None, None).await.unwrap();
    b.subscribe("c", "y", "other", None, None).await.unwrap();
    for (d, body) in [
        ("bytes", "a1"),
        ("other", "b1"),
        ("bytes", "a2"),
        ("other", "b2"),
    ] {
        b.publish_message(sized(d, body, 10_000)).await.unwrap();
        advance(Duration::from_millis(1)).await;
    }
    // The oldest of all, whatever its destination, went first.
    assert_eq!(b.counters().dropped, 1);
    assert_eq!(
        body_names(&b.poll("c", DrainBudget::default()).await.unwrap()),
        ["b1", "a2", "b2"]
    );
    // The total bound refuses a message alone larger than it.
    assert!(matches!(
        b.publish_message(sized("other", "huge", 4 * one)).await,
        Err(BrokerError::MessageTooLarge { .. })
    ));
}

pub(crate) async fn server_side_maximum_ttl<S: MessageStore>(store: S) {
    let b = bounded_broker(store, usize::MAX, usize::MAX);
    b.connect(Some("c"), "ch").await.unwrap();
    b.subscribe("c", "x", "ttl", None, None).await.unwrap();
    let capped = b
        .publish_message(msg("ttl", "forever-ish").with_ttl_ms(86_400_000))
        .await
        .unwrap();
    assert_eq!(capped.message.ttl_ms, 1_000);
    let short = b
        .publish_message(msg("ttl", "short").with_ttl_ms(500))
        .await
        .unwrap();
    assert_eq!(short.message.ttl_ms, 500);
    let default = b.publish_message(msg("ttl", "default")).await.unwrap();
    assert_eq!(default.message.ttl_ms, 30_000, "TTL 0 takes the default");
    advance(Duration::from_millis(1_500)).await;
    assert_eq!(
        bodies(&b.poll("c", DrainBudget::default()).await.unwrap()),
        ["default"]
    );
}

pub(crate) async fn drain_budget_is_shared_and_loses_nothing<S: MessageStore>(store: S) {
    let b = broker(store);
    b.connect(Some("c"), "ch").await.unwrap();
    b.subscribe("c", "n", "news", None, None).await.unwrap();
    b.subscribe("c", "h", "chat", None, None).await.unwrap();
    let total = 2_500;
    let mut sent = Vec::with_capacity(total);
    for i in 0..total {
        let d = if i % 3 == 0 { "chat" } else { "news" };
        b.publish_message(msg(d, &i.to_string()).with_ttl_ms(600_000))
            .await
            .unwrap();
        sent.push(i.to_string());
        advance(Duration::from_millis(1)).await;
    }
    let budget = DrainBudget::messages(1_000);
    let mut got = Vec::new();
    let mut sizes = Vec::new();
    loop {
        let ds = b.poll("c", budget).await.unwrap();
        if ds.is_empty() {
            break;
        }
        sizes.push(ds.len());
        got.extend(bodies(&ds));
    }
    assert_eq!(sizes, [1_000, 1_000, 500]);
    assert_eq!(got, sent, "all, in publish order, none twice");
    assert_eq!(b.counters().delivered, total as u64);
}

pub(crate) async fn drain_budget_in_bytes<S: MessageStore>(store: S) {
    let b = broker(store);
    b.connect(Some("c"), "ch").await.unwrap();
    b.subscribe("c", "x", "news", None, None).await.unwrap();
    let one = sized("news", "0", 1_000).size_bytes();
    for i in 0..3 {
        b.publish_message(sized("news", &i.to_string(), 1_000))
            .await
            .unwrap();
    }
    let two = DrainBudget::messages(100).with_max_bytes(2 * one);
    assert_eq!(body_names(&b.poll("c", two).await.unwrap()), ["0", "1"]);
    // A budget smaller than one message still hands one out.
    b.publish_message(sized("news", "3", 1_000)).await.unwrap();
    let tiny = DrainBudget::messages(100).with_max_bytes(1);
    assert_eq!(body_names(&b.poll("c", tiny).await.unwrap()), ["2"]);
    assert_eq!(body_names(&b.poll("c", tiny).await.unwrap()), ["3"]);
    assert!(b.poll("c", tiny).await.unwrap().is_empty());
}

pub(crate) async fn drain_budget_counts_entries_before_filtering<S: MessageStore>(store: S) {
    let b = Arc::new(broker(store));
    b.connect(Some("c"), "ch").await.unwrap();
    b.subscribe("c", "x", "chat", Some("wanted"), None)
        .await
        .unwrap();
    for i in 0..5 {
        b.publish_message(msg("chat", &format!("other-{i}")).with_subtopic("other"))
            .await
            .unwrap();
    }
    b.publish_message(msg("chat", "hit").with_subtopic("wanted"))
        .await
        .unwrap();
    let budget = DrainBudget::messages(2);
    // A plain poll may come back empty: its budget went to refused entries.
    assert!(b.poll("c", budget).await.unwrap().is_empty());
    // A long poll keeps draining instead of waiting for a publish that
    // will never come: it returns long before its deadline.
    let start = Instant::now();
    let ds = b
        .wait_for_messages(
            "c",
            start + Duration::from_secs(30),
            budget,
            IfUnsubscribed::Fail,
        )
        .await
        .unwrap();
    assert_eq!(bodies(&ds), ["hit"]);
    assert!(Instant::now() < start + Duration::from_secs(30));
}

pub(crate) async fn no_subscriptions_is_not_an_empty_poll<S: MessageStore>(store: S) {
    let b = broker(store);
    b.connect(Some("c"), "ch").await.unwrap();
    assert!(matches!(
        b.poll("c", DrainBudget::default()).await,
        Err(BrokerError::NotSubscribed(id)) if id == "c"
    ));
    // A long poll fails at once instead of waiting (time is paused: only
    // the 30 s deadline could end a wait).
    let start = Instant::now();
    let waited = b
        .wait_for_messages(
            "c",
            start + Duration::from_secs(30),
            DrainBudget::default(),
            IfUnsubscribed::Fail,
        )
        .await;
    assert!(matches!(waited, Err(BrokerError::NotSubscribed(_))));
    assert_eq!(Instant::now(), start);
    assert_eq!(b.wake_hub().waiter_count(), 0);
    // Unknown connections stay NotConnected, on both paths.
    assert!(matches!(
        b.poll("ghost", DrainBudget::default()).await,
        Err(BrokerError::NotConnected(_))
    ));
    assert!(matches!(
        b.wait_for_messages(
            "ghost",
            start + Duration::from_secs(30),
            DrainBudget::default(),
            IfUnsubscribed::Wait,
        )
        .await,
        Err(BrokerError::NotConnected(_))
    ));
    // Once the last subscription goes, so does the right to poll.
    b.subscribe("c", "x", "news", None, None).await.unwrap();
    assert!(b
        .poll("c", DrainBudget::default())
        .await
        .unwrap()
        .is_empty());
    b.unsubscribe_all("c", "x", "news").await.unwrap();
    assert!(matches!(
        b.poll("c", DrainBudget::default()).await,
        Err(BrokerError::NotSubscribed(_))
    ));
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

pub(crate) async fn lost_store_state_is_not_an_empty_success<S: MessageStore + super::Wipe>(
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
