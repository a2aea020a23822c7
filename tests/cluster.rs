//! Two gateway nodes sharing one Redis act as one server: a client
//! subscribed on node 1 receives what a client publishes on node 2, by
//! long poll and by stream, woken across nodes (not at the next deadline).
//!
//! The Redis is a private redis-server, else `FLEXGATE_TEST_REDIS`
//! (`flexgate_testkit::redis::url`); without either the test is ignored,
//! and under `CI=true` it runs and fails.

mod common;

use common::stream::open_stream;
use common::*;
use flexgate_amf::Value;
use flexgate_broker::AnyStore;
use flexgate_gateway::config::{Config, StoreConfig};
use flexgate_gateway::Gateway;
use flexgate_messages::{uid, ArrayCollection, CommandOperation};
use flexgate_testkit::redis::KeyCleanup;
use std::time::Duration;

/// Longer than any wait below: a poll or stream that is not woken across
/// nodes would only answer after this.
const LONG_WAIT_MS: u64 = 120_000;

/// How long the test waits for a cross-node delivery before failing.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(20);

/// The demo config on a shared Redis prefix, with waits long enough that
/// only a wake-up ends them within the test.
fn node_config(url: &str, prefix: &str) -> Config {
    let mut config = Config {
        store: StoreConfig::Redis {
            url: url.to_owned(),
            prefix: prefix.to_owned(),
        },
        ..Config::default()
    };
    for channel in config.channels.values_mut() {
        channel.wait_interval_ms = LONG_WAIT_MS;
        channel.heartbeat_ms = LONG_WAIT_MS;
    }
    config
}

#[tokio::test]
#[cfg_attr(
    not(flexgate_redis),
    ignore = "needs Redis: redis-server on the PATH or FLEXGATE_TEST_REDIS (scripts/test installs it)"
)]
async fn publish_on_one_node_reaches_long_polls_and_streams_on_another() {
    let url = flexgate_testkit::redis::url();
    let prefix = format!("flexgate-test:{}:", uid::new_uid());
    let _cleanup = KeyCleanup::new(&url, &prefix);
    let node1 = TestServer::start(node_config(&url, &prefix)).await;
    let node2 = TestServer::start(node_config(&url, &prefix)).await;
    assert!(matches!(node1.running.broker().store(), AnyStore::Redis(_)));

    // A long-polling consumer and a streaming consumer on node 1.
    let mut consumer = FlexClient::new(node1.url(LONG_POLLING));
    consumer.ping().await;
    let sub = consumer
        .send_one(subscribe("chat", "LP-CONSUMER", None, None))
        .await;
    assert!(sub.is_result(), "{sub:?}");
    let mut streamer = FlexClient::new(node1.url(STREAMING));
    streamer.ping().await;
    let sub = streamer
        .send_one(subscribe("chat", "STREAMER", None, None))
        .await;
    assert!(sub.is_result(), "{sub:?}");
    let mut stream = open_stream(&node1.url(STREAMING), &streamer).await;
    let open = tokio::time::timeout(DELIVERY_TIMEOUT, stream.next_message())
        .await
        .expect("open ack in time")
        .expect("open ack");
    assert_eq!(open.correlation_id(), Some("open"));

    let mut poller = consumer.same_session(node1.url(LONG_POLLING));
    let waiting =
        tokio::spawn(async move { poller.send_one(command(CommandOperation::Poll, "")).await });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!waiting.is_finished(), "the poll must wait for a message");

    // The producer talks to node 2 only. Its body holds an externalizable
    // (ArrayCollection), which node 1 must decode from Redis.
    let mut producer = FlexClient::new(node2.url(AMF));
    producer.ping().await;
    let body =
        ArrayCollection::new(Value::array(vec![Value::from("cross"), Value::from(2)])).into_value();
    let ack = producer.send_one(publish("chat", body.clone(), None)).await;
    assert!(ack.is_result(), "{ack:?}");

    let reply = tokio::time::timeout(DELIVERY_TIMEOUT, waiting)
        .await
        .expect("the long poll on node 1 was woken by the publish on node 2")
        .expect("poll task");
    let got = polled(&reply);
    assert_eq!(got.len(), 1, "{reply:?}");
    assert_eq!(got[0].client_id(), Some("LP-CONSUMER"));
    assert_eq!(got[0].body(), &body);

    let pushed = tokio::time::timeout(DELIVERY_TIMEOUT, stream.next_message())
        .await
        .expect("the stream on node 1 was woken by the publish on node 2")
        .expect("a push");
    assert_eq!(pushed.client_id(), Some("STREAMER"));
    assert_eq!(pushed.body(), &body);

    // Connections are shared too: node 2 knows node 1's client (and the
    // session it is bound to). A poll there over the channel the consumer
    // subscribed over (long polling: answered at once, a message is
    // pending) gets the next message only: the first was taken on node 1.
    let ack = producer
        .send_one(publish("chat", Value::from("next"), None))
        .await;
    assert!(ack.is_result(), "{ack:?}");
    let mut same_client_on_node2 = consumer.same_session(node2.url(LONG_POLLING));
    let poll = tokio::time::timeout(
        DELIVERY_TIMEOUT,
        same_client_on_node2.send_one(command(CommandOperation::Poll, "")),
    )
    .await
    .expect("answered at once");
    let got = polled(&poll);
    assert_eq!(got.len(), 1, "{poll:?}");
    assert_eq!(got[0].body(), &Value::from("next"));

    node1.running.shutdown().await;
    node2.running.shutdown().await;
}

#[tokio::test]
async fn startup_fails_clearly_when_redis_is_unreachable() {
    // Port 1 on loopback: nothing listens there.
    let config = Config {
        listen: "127.0.0.1:0".parse().expect("address"),
        store: StoreConfig::Redis {
            url: "redis://127.0.0.1:1/0".into(),
            prefix: "flexgate:".into(),
        },
        ..Config::default()
    };
    let err = match Gateway::new(config).start().await {
        Ok(_) => panic!("started without Redis"),
        Err(e) => e.to_string(),
    };
    assert!(
        err.contains("Redis store at redis://127.0.0.1:1/0"),
        "{err}"
    );
}
