//! A gateway on the Redis store survives a Redis restart: while Redis is
//! down requests get Flex faults (no hang, no crash); once it is back, a
//! consumer's poll is told `Server.Processing.NotSubscribed`, and after it
//! subscribes again it receives every later message. Redis here keeps nothing on
//! disk, so what the old server held (clients, subscriptions, messages) is
//! gone, as docs/redis.md says.
//!
//! Needs the `redis-server` binary; without it the test is ignored, and
//! under `CI=true` it runs and fails.

mod common;

use common::*;
use flexgate_amf::Value;
use flexgate_gateway::config::{Config, StoreConfig};
use flexgate_messages::{uid, CommandOperation, Message};
use flexgate_testkit::ports::restartable_port;
use flexgate_testkit::redis::RedisServer;
use std::time::Duration;

/// A private redis-server on `port`, once it answers (started off the
/// runtime: the start waits for it synchronously).
async fn redis_on(port: u16) -> RedisServer {
    tokio::task::spawn_blocking(move || RedisServer::start(port))
        .await
        .expect("redis start task")
        .unwrap_or_else(|e| panic!("{e}"))
}

/// One request that must be answered (with a result or a fault) in time.
async fn answered(client: &mut FlexClient, m: Message) -> Reply {
    tokio::time::timeout(Duration::from_secs(30), client.send_one(m))
        .await
        .expect("the gateway answered while Redis was away")
}

#[tokio::test]
#[cfg_attr(
    not(flexgate_redis_server),
    ignore = "needs redis-server on the PATH (scripts/test installs it)"
)]
async fn the_gateway_survives_a_redis_restart() {
    let port = restartable_port();
    let mut redis = redis_on(port).await;
    let config = Config {
        store: StoreConfig::Redis {
            url: format!("redis://127.0.0.1:{port}/0"),
            prefix: format!("flexgate-test:{}:", uid::new_uid()),
        },
        ..Config::default()
    };
    let server = TestServer::start(config).await;
    let mut client = FlexClient::subscribed(server.url(AMF), "chat", "C").await;

    redis.kill();
    let down = answered(&mut client, publish("chat", Value::from("lost"), None)).await;
    assert_eq!(down.fault_code(), Some("Server.Processing"), "{down:?}");
    let poll = answered(&mut client, command(CommandOperation::Poll, "")).await;
    assert_eq!(poll.fault_code(), Some("Server.Processing"), "{poll:?}");

    let redis = redis_on(port).await;
    // The empty Redis forgot the client: its next poll (once the store
    // answers again) is NotSubscribed, never an empty success that would
    // leave it polling a client without subscriptions and missing every
    // later message.
    let lost = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            let reply = client.send_one(command(CommandOperation::Poll, "")).await;
            assert!(
                !reply.is_result(),
                "a poll of a lost client succeeded: {reply:?}"
            );
            if reply.fault_code() != Some("Server.Processing") {
                break reply;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await
    .expect("the store answered again after Redis came back");
    assert_eq!(
        lost.fault_code(),
        Some("Server.Processing.NotSubscribed"),
        "{lost:?}"
    );
    // The consumer resubscribes with its DSId, as a Flex Consumer does on
    // that fault, and receives every later message.
    assert!(client
        .send_one(subscribe("chat", "C", None, None))
        .await
        .is_result());
    let mut producer = FlexClient::new(server.url(AMF));
    producer.ping().await;
    let sent: Vec<Value> = (0..5).map(|i| Value::from(format!("after {i}"))).collect();
    for body in &sent {
        assert!(producer
            .send_one(publish("chat", body.clone(), None))
            .await
            .is_result());
    }
    let got = polled(&client.send_one(command(CommandOperation::Poll, "")).await);
    let bodies: Vec<&Value> = got.iter().map(Message::body).collect();
    assert_eq!(bodies, sent.iter().collect::<Vec<_>>());
    server.running.shutdown().await;
    drop(redis);
}
