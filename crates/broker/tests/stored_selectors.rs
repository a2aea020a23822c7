//! Subscriptions in Redis that this node cannot read, written straight
//! into the key layout of docs/redis.md as an older node without selector
//! bounds (or corruption) would leave them: listing and polling drop them
//! with a warning and serve the rest, never crash or fail.
//!
//! Runs against the test process's own redis-server, else
//! `FLEXGATE_TEST_REDIS` (see `common::redis`).
#![cfg(feature = "redis")]

mod common;

use flexgate_amf::Registry;
use flexgate_broker::{Broker, BrokerConfig, DestinationConfig, MessageStore, RedisStore};
use redis::AsyncCommands;

use common::{bodies, msg};

/// A netstring, as the store frames strings in hash fields.
fn ns(s: &str) -> String {
    format!("{}:{s}", s.len())
}

/// The `s:<conn>` field of consumer `client` on `dest` with no subtopic.
fn filter_field(dest: &str, client: &str, selector: Option<&str>) -> String {
    let selector = selector.map_or_else(|| "-".to_owned(), ns);
    format!("{}{}-{selector}", ns(dest), ns(client))
}

#[tokio::test]
#[cfg_attr(
    not(flexgate_redis),
    ignore = "needs Redis: redis-server on the PATH or FLEXGATE_TEST_REDIS (scripts/test installs it)"
)]
async fn unreadable_stored_subscriptions_are_dropped_when_loaded() {
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
    broker.connect(Some("conn"), "ch").await.expect("connect");
    broker
        .subscribe("conn", "good", "news", None, Some("n = 1"))
        .await
        .expect("subscribe");

    // What an unbounded node stored: the 15,000-term chain (it used to
    // overflow the stack when evaluated, and a 200 KB one when dropped),
    // a selector that is not one, and a field whose value is garbage.
    let chain = format!("a = 1{}", "+1".repeat(15_000));
    let huge_chain = format!("a = 1{}", "+1".repeat(100_000));
    let bad = [
        ("chain", Some(chain.as_str()), "0:"),
        ("huge", Some(huge_chain.as_str()), "0:"),
        ("syntax", Some("n = = 1"), "0:"),
        ("garbage", None, "not-a-seq"),
    ];
    let mut redis = redis::Client::open(url.as_str())
        .expect("url")
        .get_multiplexed_async_connection()
        .await
        .expect("Redis");
    let subs_key = format!("{prefix}s:conn");
    let cursors_key = format!("{prefix}k:news");
    for (client, selector, value) in bad {
        let _: () = redis
            .hset(&subs_key, filter_field("news", client, selector), value)
            .await
            .expect("HSET");
        let _: () = redis
            .hset(&cursors_key, format!("{}{}", ns("conn"), ns(client)), 0)
            .await
            .expect("HSET");
    }

    let consumers = |subs: Vec<std::sync::Arc<flexgate_broker::Subscription>>| {
        subs.iter()
            .map(|s| s.key.client_id.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        consumers(broker.store().all_subscriptions().await.expect("listing")),
        ["good"]
    );
    assert_eq!(
        consumers(broker.subscriptions("conn").await.expect("listing")),
        ["good"]
    );
    broker
        .publish_message(msg("news", "one").with_header("n", 1).with_header("a", 1))
        .await
        .expect("publish");
    let delivered = broker
        .poll("conn", flexgate_broker::DrainBudget::default())
        .await
        .expect("poll");
    assert_eq!(bodies(&delivered), ["one"]);
    assert!(delivered.iter().all(|d| d.client_id == "good"));

    // Dropped from Redis too (with their cursors), so they warn once.
    let fields: Vec<String> = redis.hkeys(&subs_key).await.expect("HKEYS");
    assert_eq!(fields, [filter_field("news", "good", Some("n = 1"))]);
    let cursors: Vec<String> = redis.hkeys(&cursors_key).await.expect("HKEYS");
    assert_eq!(cursors, [format!("{}{}", ns("conn"), ns("good"))]);
}
