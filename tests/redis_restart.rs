//! A gateway on the Redis store survives a Redis restart: while Redis is
//! down requests get Flex faults (no hang, no crash); once it is back,
//! clients ping, subscribe and receive again. Redis here keeps nothing on
//! disk, so what the old server held (clients, subscriptions, messages) is
//! gone, as docs/redis.md says.
//!
//! Needs the `redis-server` binary; without it the test says it was skipped,
//! except under `CI=true`, where that is a failure.

mod common;

use common::*;
use flexgate_amf::Value;
use flexgate_gateway::config::{Config, StoreConfig};
use flexgate_messages::{uid, CommandOperation, Message};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A private redis-server on a free port, killed on drop.
struct Redis {
    child: Child,
    port: u16,
}

impl Redis {
    fn start(port: u16) -> Option<Redis> {
        let child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(["--port", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        Some(Redis { child, port })
    }

    async fn ready(&self) {
        let addr = format!("127.0.0.1:{}", self.port);
        let up = tokio::time::timeout(Duration::from_secs(10), async {
            while tokio::net::TcpStream::connect(&addr).await.is_err() {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await;
        assert!(up.is_ok(), "redis-server did not come up on {addr}");
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.kill();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// One request that must be answered (with a result or a fault) in time.
async fn answered(client: &mut FlexClient, m: Message) -> Reply {
    tokio::time::timeout(Duration::from_secs(30), client.send_one(m))
        .await
        .expect("the gateway answered while Redis was away")
}

#[tokio::test]
async fn the_gateway_survives_a_redis_restart() {
    let port = free_port();
    let Some(mut redis) = Redis::start(port) else {
        assert!(
            !std::env::var("CI").is_ok_and(|v| v == "true"),
            "CI=true but redis-server cannot be started"
        );
        eprintln!("skipped: no redis-server binary");
        return;
    };
    redis.ready().await;
    let config = Config {
        store: StoreConfig::Redis {
            url: format!("redis://127.0.0.1:{port}/0"),
            prefix: format!("flexgate-test:{}:", uid::new_uid()),
        },
        ..Config::default()
    };
    let server = TestServer::start(config).await;
    let mut client = FlexClient::new(server.url(AMF));
    client.ping().await;
    assert!(client
        .send_one(subscribe("chat", "C", None, None))
        .await
        .is_result());

    redis.kill();
    let down = answered(&mut client, publish("chat", Value::from("lost"), None)).await;
    assert_eq!(down.fault_code(), Some("Server.Processing"), "{down:?}");
    let poll = answered(&mut client, command(CommandOperation::Poll, "")).await;
    assert_eq!(poll.fault_code(), Some("Server.Processing"), "{poll:?}");

    let redis = Redis::start(port).expect("redis-server restarts");
    redis.ready().await;
    // The client reconnects as a Flex channel does: ping until it answers,
    // then subscribe again (the empty Redis remembers nothing).
    let back = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            let mut ping = command(CommandOperation::ClientPing, "");
            ping.base_mut()
                .headers
                .set(flexgate_messages::headers::DS_MESSAGING_VERSION, 1.0);
            if client.send_one(ping).await.is_result() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
    assert!(back.is_ok(), "pings never succeeded after Redis came back");
    assert!(client
        .send_one(subscribe("chat", "C", None, None))
        .await
        .is_result());
    assert!(client
        .send_one(publish("chat", Value::from("after"), None))
        .await
        .is_result());
    let got = polled(&client.send_one(command(CommandOperation::Poll, "")).await);
    let bodies: Vec<&Value> = got.iter().map(Message::body).collect();
    assert_eq!(bodies, [&Value::from("after")]);
    server.running.shutdown().await;
    drop(redis);
}
