//! Drain budgets, and an empty poll told from no subscriptions.

use std::sync::Arc;
use std::time::Duration;

use flexgate_broker::{BrokerError, DrainBudget, IfUnsubscribed, MessageStore};
use tokio::time::{advance, Instant};

use super::retention::{body_names, sized};
use crate::common::{bodies, broker, msg};

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
