//! A RabbitMQ restart loses nothing that was acknowledged (issue #17,
//! docs/brokers.md "Broker restarts"), against a private node
//! (common::rabbit) so the shared RabbitMQ on 5672 is not disturbed.
//!
//! Inbound: a publisher with confirms sends persistent messages; the node
//! is SIGKILLed mid-way, with publishes in flight, and started again on the
//! same data; the publisher reconnects and sends more. Every message whose
//! publish was confirmed reaches a long-polling Flex Consumer (at least
//! once: duplicates are counted, none may be missing).
//!
//! Outbound: while the node is down a Flex Producer's message gets a
//! `Server.Processing` fault after the bounded wait and is not delivered
//! locally; once the link is back, one is acknowledged and reaches an AMQP
//! consumer bound to the exchange.
//!
//! Needs a `rabbitmq-server` script (flexgate_testkit::rabbitmq_server);
//! without one the test is ignored, and under `CI=true` it fails.

mod common;

use common::links::{amqp_consumer, linked_gateway, until_connected, until_state};
use common::rabbit::RabbitNode;
use common::{polled, publish, FlexClient, TestServer, AMF, LONG_POLLING};
use flexgate_amf::Value;
use flexgate_gateway::config::{AmqpLinkConfig, DestinationConfig};
use flexgate_gateway::LinkState;
use flexgate_messages::{CommandOperation, FaultCode, Message};
use futures_util::StreamExt;
use lapin::options::{BasicAckOptions, BasicPublishOptions, ConfirmSelectOptions};
use lapin::{
    BasicProperties, Channel, Confirmation, Connection, ConnectionProperties, PublisherConfirm,
};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;

const EXCHANGE: &str = "flexgate-restart";
/// Published and confirmed one at a time before the kill.
const BEFORE: u32 = 20;
/// Published in a burst, confirms awaited together, right before the kill:
/// many more than the link's prefetch, so that some are likely still queued
/// or unacknowledged at the kill and must survive the restart.
const BURST: u32 = 500;
/// Published without waiting for confirms, then the node is killed.
const IN_FLIGHT: u32 = 20;
/// Published after the restart.
const AFTER: u32 = 20;
/// The Producer's message while the node is down, and once it is back.
const WHILE_DOWN: &str = "while-down";
const AFTER_RESTART: &str = "after-restart";
/// Hang guard for one confirm, a delivery, all deliveries.
const WAIT: Duration = Duration::from_secs(30);

/// A publishing connection with confirms on.
struct Publisher {
    connection: Connection,
    channel: Channel,
}

impl Publisher {
    /// Connects, retrying while the node is still starting.
    async fn connect(url: &str) -> Publisher {
        let deadline = Instant::now() + WAIT;
        loop {
            match Self::try_connect(url).await {
                Ok(p) => return p,
                Err(e) => assert!(Instant::now() < deadline, "publisher cannot connect: {e}"),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn try_connect(url: &str) -> Result<Publisher, lapin::Error> {
        let connection = Connection::connect(url, ConnectionProperties::default()).await?;
        let channel = connection.create_channel().await?;
        channel
            .confirm_select(ConfirmSelectOptions::default())
            .await?;
        Ok(Publisher {
            connection,
            channel,
        })
    }

    /// Sends message `n` persistent, with no routing key (the Flex
    /// consumer subscribes without a subtopic); the confirm is still to
    /// come.
    async fn send(&self, n: u32) -> Result<PublisherConfirm, lapin::Error> {
        let body = format!("\"{n}\"");
        self.channel
            .basic_publish(
                EXCHANGE.into(),
                "".into(),
                BasicPublishOptions::default(),
                body.as_bytes(),
                BasicProperties::default().with_delivery_mode(2),
            )
            .await
    }
}

/// Whether the broker confirmed the publish (a failed connection or a
/// nack is no confirm).
async fn confirmed(sent: Result<PublisherConfirm, lapin::Error>) -> bool {
    let Ok(confirm) = sent else { return false };
    matches!(
        tokio::time::timeout(WAIT, confirm).await,
        Ok(Ok(Confirmation::Ack(_)))
    )
}

/// Long-polls for ever, recording each message's body as text.
fn collect(mut consumer: FlexClient, seen: Arc<Mutex<Vec<String>>>) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let reply = consumer
                .send_one(common::command(CommandOperation::Poll, ""))
                .await;
            let bodies = polled(&reply).into_iter().map(|m| match &m.base().body {
                Value::String(s) => s.to_string(),
                other => format!("{other:?}"),
            });
            seen.lock().expect("seen").extend(bodies);
        }
    })
}

/// Waits until the consumer has seen every one of `wanted`.
async fn until_seen(seen: &Mutex<Vec<String>>, collector: &JoinHandle<()>, wanted: &[String]) {
    let deadline = Instant::now() + WAIT;
    loop {
        assert!(!collector.is_finished(), "the Flex consumer stopped");
        let seen = seen.lock().expect("seen").clone();
        let missing: Vec<&String> = wanted.iter().filter(|w| !seen.contains(w)).collect();
        if missing.is_empty() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "acknowledged but never delivered: {missing:?}; delivered: {seen:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn gateway(node: &RabbitNode) -> TestServer {
    let dest = DestinationConfig {
        amqp: Some(AmqpLinkConfig {
            url: node.url(),
            exchange: EXCHANGE.into(),
            routing_key: "#".into(),
        }),
        ..DestinationConfig::default()
    };
    linked_gateway("prices", dest).await
}

#[tokio::test]
#[cfg_attr(
    not(flexgate_rabbitmq_server),
    ignore = "needs a rabbitmq-server script (Debian's rabbitmq-server package)"
)]
async fn a_rabbitmq_restart_loses_nothing_acknowledged() {
    let started = Instant::now();
    let mut node = RabbitNode::start().await;
    let first_start = started.elapsed();
    let server = gateway(&node).await;
    let consumer = FlexClient::subscribed(server.url(LONG_POLLING), "prices", "c1").await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let collector = collect(consumer, seen.clone());
    let mut producer = FlexClient::new(server.url(AMF));
    producer.ping().await;

    let publisher = Publisher::connect(&node.url()).await;
    let mut outcome = BTreeMap::new();
    for n in 1..=BEFORE {
        outcome.insert(n, confirmed(publisher.send(n).await).await);
    }
    let mut burst = Vec::new();
    for n in BEFORE + 1..=BEFORE + BURST {
        burst.push((n, publisher.send(n).await));
    }
    for (n, sent) in burst {
        outcome.insert(n, confirmed(sent).await);
    }
    let mut in_flight = Vec::new();
    let in_flight_ns = BEFORE + BURST + 1..=BEFORE + BURST + IN_FLIGHT;
    for n in in_flight_ns.clone() {
        in_flight.push((n, publisher.send(n).await));
    }
    node.kill();
    let stored_at_kill = server.running.snapshot().await.links[0].received;
    for (n, sent) in in_flight {
        outcome.insert(n, confirmed(sent).await);
    }
    drop(publisher);

    // Outbound while down: the link knows, the Producer is refused after
    // the bounded wait, and nothing is delivered locally.
    until_state(&server.running, LinkState::Reconnecting).await;
    let refused = tokio::time::timeout(
        WAIT,
        producer.send_one(publish("prices", Value::from(WHILE_DOWN), None)),
    )
    .await
    .expect("the Producer is answered while the node is down");
    let Message::Error(e) = &refused.message else {
        panic!("a fault, not {refused:?}")
    };
    assert_eq!(
        e.fault_code.as_deref(),
        Some(FaultCode::ServerProcessing.as_str())
    );
    let detail = e.fault_detail.as_deref().unwrap_or_default();
    assert!(detail.contains("not connected"), "{e:?}");

    let restart = node.restart().await;
    let back = Instant::now();
    until_connected(&server.running).await;
    let link_back = back.elapsed();
    let publisher = Publisher::connect(&node.url()).await;
    let first_after = BEFORE + BURST + IN_FLIGHT + 1;
    for n in first_after..first_after + AFTER {
        outcome.insert(n, confirmed(publisher.send(n).await).await);
    }
    let lost = outcome
        .iter()
        .filter(|(n, c)| !**c && !in_flight_ns.contains(n));
    let lost: Vec<&u32> = lost.map(|(n, _)| n).collect();
    assert!(lost.is_empty(), "not confirmed with the node up: {lost:?}");

    // Outbound once back: acknowledged, and an AMQP consumer gets it.
    let channel = publisher
        .connection
        .create_channel()
        .await
        .expect("a channel");
    let mut deliveries = amqp_consumer(&channel, EXCHANGE).await;
    let ack = producer
        .send_one(publish("prices", Value::from(AFTER_RESTART), None))
        .await;
    assert!(ack.is_result(), "{ack:?}");
    let d = tokio::time::timeout(WAIT, deliveries.next())
        .await
        .expect("a delivery in time")
        .expect("consuming")
        .expect("a delivery");
    d.ack(BasicAckOptions::default()).await.expect("acked");
    assert_eq!(&d.data[..], br#""after-restart""#);

    let confirmed_ns: Vec<u32> = outcome
        .iter()
        .filter(|(_, c)| **c)
        .map(|(n, _)| *n)
        .collect();
    let mut wanted: Vec<String> = confirmed_ns.iter().map(u32::to_string).collect();
    wanted.push(AFTER_RESTART.into());
    until_seen(&seen, &collector, &wanted).await;
    collector.abort();

    let seen = seen.lock().expect("seen").clone();
    assert!(
        !seen.iter().any(|s| s == WHILE_DOWN),
        "a refused message was delivered: {seen:?}"
    );
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for s in &seen {
        *counts.entry(s.as_str()).or_default() += 1;
    }
    let duplicates: usize = counts.values().map(|c| c - 1).sum();
    let stored = server.running.snapshot().await.links[0].received;
    let unconfirmed_delivered = outcome
        .iter()
        .filter(|(n, c)| !**c && counts.contains_key(n.to_string().as_str()))
        .count();
    eprintln!(
        "amqp_restart: published {}, confirmed {}, delivered {} distinct \
         ({unconfirmed_delivered} unconfirmed among them), {duplicates} duplicates; \
         the link had stored {stored_at_kill} at the kill, {stored} in all; \
         node start {first_start:?}, restart {restart:?}, link back {link_back:?} later",
        outcome.len(),
        confirmed_ns.len(),
        counts.len(),
    );
    server.running.shutdown().await;
}
