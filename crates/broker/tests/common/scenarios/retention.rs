//! Expiry and retention: TTLs, counts and bytes kept.

use std::time::Duration;

use flexgate_broker::{BrokerError, DrainBudget, MessageStore};
use tokio::time::advance;

use crate::common::{bodies, bounded_broker, broker, msg};

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

/// A message of about `n` bytes.
pub(crate) fn sized(destination: &str, body: &str, n: usize) -> flexgate_broker::Message {
    msg(destination, &format!("{body}{}", " ".repeat(n)))
}

pub(crate) fn body_names(ds: &[flexgate_broker::Delivery]) -> Vec<String> {
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
