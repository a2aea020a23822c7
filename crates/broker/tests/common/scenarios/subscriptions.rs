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
