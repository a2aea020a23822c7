//! Long-poll waits: deadlines, wake-ups, disconnects, the cleaner.

use std::sync::Arc;
use std::time::Duration;

use flexgate_broker::{BrokerError, Cleaner, DrainBudget, IfUnsubscribed, MessageStore};
use tokio::time::Instant;

use crate::common::{bodies, broker, msg};

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
