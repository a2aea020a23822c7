//! Subtopics and selectors: routing, errors and bounds.

use flexgate_broker::{BrokerError, DrainBudget, MessageStore};

use crate::common::{bodies, broker, msg};

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
        m.subtopics = sub.map(str::to_owned).into_iter().collect();
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
