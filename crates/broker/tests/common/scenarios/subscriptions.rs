//! Unsubscribing and several consumers on one connection.

use std::sync::Arc;

use flexgate_broker::{BrokerError, DrainBudget, MessageStore, SubscribeOutcome};

use crate::common::{bodies, broker, msg};

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

/// A message sent to several subtopics (MultiTopicProducer) reaches each
/// consumer once, whichever and however many of its filters match.
pub(crate) async fn multi_subtopic_publish_reaches_each_consumer_once<S: MessageStore>(store: S) {
    let b = broker(store);
    b.connect(Some("c"), "ch").await.unwrap();
    b.subscribe("c", "both", "chat", Some("a"), None)
        .await
        .unwrap();
    b.subscribe("c", "both", "chat", Some("b"), None)
        .await
        .unwrap();
    b.subscribe("c", "b-only", "chat", Some("b"), None)
        .await
        .unwrap();
    b.subscribe("c", "wild", "chat", Some("a.*"), None)
        .await
        .unwrap();
    b.subscribe("c", "other", "chat", Some("c"), None)
        .await
        .unwrap();
    b.subscribe("c", "none", "chat", None, None).await.unwrap();
    b.publish_message(msg("chat", "fan").with_subtopics(["a", "b", "a.x", "", "b"]))
        .await
        .unwrap();
    let ds = b.poll("c", DrainBudget::default()).await.unwrap();
    let mut got: Vec<&str> = ds.iter().map(|d| d.client_id.as_str()).collect();
    got.sort_unstable();
    assert_eq!(got, ["b-only", "both", "wild"]);
    assert_eq!(ds[0].message.subtopics, ["a", "b", "a.x"]);
    // Each entry is checked as a producer subtopic.
    assert!(matches!(
        b.publish_message(msg("chat", "x").with_subtopics(["a", "b.*"]))
            .await,
        Err(BrokerError::WildcardPublish(_))
    ));
}

/// `Consumer.receive()`: one consumer's deliveries; the connection's other
/// consumers keep theirs for the next poll.
pub(crate) async fn receive_drains_one_consumer_only<S: MessageStore>(store: S) {
    let b = broker(store);
    b.connect(Some("c"), "ch").await.unwrap();
    b.subscribe("c", "one", "chat", None, None).await.unwrap();
    b.subscribe("c", "two", "chat", None, None).await.unwrap();
    b.subscribe("c", "one", "news", None, None).await.unwrap();
    b.publish_message(msg("chat", "m1")).await.unwrap();
    b.publish_message(msg("news", "n1")).await.unwrap();
    let ds = b
        .receive("c", "chat", "one", DrainBudget::default())
        .await
        .unwrap();
    assert_eq!(bodies(&ds), ["m1"]);
    assert_eq!(ds[0].client_id, "one");
    assert!(b
        .receive("c", "chat", "one", DrainBudget::default())
        .await
        .unwrap()
        .is_empty());
    for (dest, consumer) in [("chat", "nobody"), ("other", "one"), ("news", "two")] {
        assert!(
            matches!(
                b.receive("c", dest, consumer, DrainBudget::default()).await,
                Err(BrokerError::NotSubscribed(_))
            ),
            "{dest}/{consumer}"
        );
    }
    assert!(matches!(
        b.receive("gone", "chat", "one", DrainBudget::default())
            .await,
        Err(BrokerError::NotConnected(_))
    ));
    let mut rest: Vec<(String, String)> = b
        .poll("c", DrainBudget::default())
        .await
        .unwrap()
        .iter()
        .map(|d| {
            (
                d.client_id.clone(),
                bodies(std::slice::from_ref(d)).concat(),
            )
        })
        .collect();
    rest.sort();
    assert_eq!(
        rest,
        [("one".into(), "n1".into()), ("two".into(), "m1".into())]
    );
}
