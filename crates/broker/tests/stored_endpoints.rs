//! The endpoint a subscription was made over, as Redis keeps it (`n:<conn>`
//! in docs/redis.md): a record written before endpoints were stored has
//! none and is delivered over any endpoint; the field goes with the
//! subscription.
//!
//! Runs against the test process's own redis-server, else
//! `FLEXGATE_TEST_REDIS` (see `common::redis`).
#![cfg(feature = "redis")]

mod common;

use flexgate_amf::Registry;
use flexgate_broker::{
    Broker, BrokerConfig, DestinationConfig, DrainBudget, DrainScope, MessageStore, RedisStore,
};
use redis::AsyncCommands;

use common::{bodies, msg};

/// A netstring, as the store frames strings in hash fields.
fn ns(s: &str) -> String {
    format!("{}:{s}", s.len())
}

#[tokio::test]
#[cfg_attr(
    not(flexgate_redis),
    ignore = "needs Redis: redis-server on the PATH or FLEXGATE_TEST_REDIS (scripts/test installs it)"
)]
async fn subscriptions_stored_without_an_endpoint_are_delivered_over_any() {
    let url = flexgate_testkit::redis::url();
    let prefix = common::redis::unique_prefix();
    let _cleanup = flexgate_testkit::redis::KeyCleanup::new(&url, &prefix);
    let store = RedisStore::connect(&url, &prefix, Registry::empty())
        .await
        .expect("Redis");
    let broker = Broker::new(
        store,
        BrokerConfig::default().with_destination("news", DestinationConfig::default()),
    );
    let mut redis = redis::Client::open(url.as_str())
        .expect("url")
        .get_multiplexed_async_connection()
        .await
        .expect("Redis");
    let endpoints_key = format!("{prefix}n:conn");
    let field = format!("{}{}", ns("news"), ns("old"));
    broker.connect(Some("conn"), "amf").await.expect("connect");
    broker
        .subscribe_over("amf", "conn", "old", "news", None, None)
        .await
        .expect("subscribe");
    let stored: Option<String> = redis.hget(&endpoints_key, &field).await.expect("HGET");
    assert_eq!(stored.as_deref(), Some("amf"));

    // What a node before endpoints left: the filter and cursor, no `n:`.
    let _: () = redis.hdel(&endpoints_key, &field).await.expect("HDEL");
    let subs = broker.subscriptions("conn").await.expect("listing");
    assert_eq!(subs.len(), 1);
    assert_eq!(subs[0].endpoint, None);
    broker
        .publish_message(msg("news", "one"))
        .await
        .expect("publish");
    let scope = DrainScope::Endpoint("streaming".to_owned());
    let delivered = broker
        .poll_in("conn", &scope, DrainBudget::default())
        .await
        .expect("poll");
    assert_eq!(bodies(&delivered), ["one"]);

    // The field goes with the subscription and with the connection.
    broker
        .subscribe_over("amf", "conn", "old", "news", Some("x"), None)
        .await
        .expect_err("news allows no subtopics");
    broker
        .subscribe_over("amf", "conn", "old", "news", None, Some("a = 1"))
        .await
        .expect("second filter");
    let stored: Option<String> = redis.hget(&endpoints_key, &field).await.expect("HGET");
    assert_eq!(stored.as_deref(), Some("amf"));
    broker
        .unsubscribe_all("conn", "old", "news")
        .await
        .expect("unsubscribe");
    let exists: bool = redis.exists(&endpoints_key).await.expect("EXISTS");
    assert!(!exists, "the endpoint field outlived its subscription");
    broker
        .subscribe_over("amf", "conn", "new", "news", None, None)
        .await
        .expect("subscribe");
    broker.disconnect("conn").await.expect("disconnect");
    let exists: bool = redis.exists(&endpoints_key).await.expect("EXISTS");
    assert!(!exists, "the endpoint field outlived its connection");
    assert!(broker
        .store()
        .all_subscriptions()
        .await
        .expect("listing")
        .is_empty());
}
