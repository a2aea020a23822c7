//! AMQP-backed messaging destinations (docs/brokers.md) against RabbitMQ:
//! a message published to the exchange reaches a long-polling Flex
//! Consumer (routing key as subtopic, headers as message headers, JSON
//! body mapped); a Flex Producer's message reaches an AMQP consumer once;
//! a delivery is acknowledged only once stored (nothing left in the queue).

mod common;

use common::{polled, publish, subscribe, FlexClient, TestServer, LONG_POLLING};
use flexgate_amf::Value;
use flexgate_gateway::config::{AmqpLinkConfig, DestinationConfig};
use flexgate_messages::headers as h;
use flexgate_messages::{CommandOperation, Message};
use futures_util::StreamExt;
use lapin::options::{
    BasicAckOptions, BasicPublishOptions, ExchangeDeleteOptions, QueueDeclareOptions,
    QueueDeleteOptions,
};
use lapin::types::{AMQPValue, FieldTable, LongString};
use lapin::{BasicProperties, Channel, Connection, ConnectionProperties};
use std::time::Duration;

fn url() -> String {
    format!("amqp://guest:guest@{}/%2f", flexgate_testkit::AMQP_ADDR)
}

/// An exchange no other test run shares.
fn unique_exchange() -> String {
    format!("flexgate-test-{}", flexgate_messages::uid::new_uid())
}

async fn gateway(exchange: &str) -> TestServer {
    gateway_retaining(
        exchange,
        DestinationConfig::default().messaging.max_retained_bytes,
    )
    .await
}

/// A gateway whose `prices` keeps at most `max_retained_bytes`.
async fn gateway_retaining(exchange: &str, max_retained_bytes: usize) -> TestServer {
    let mut dest = DestinationConfig {
        amqp: Some(AmqpLinkConfig {
            url: url(),
            exchange: exchange.into(),
            routing_key: "#".into(),
        }),
        ..DestinationConfig::default()
    };
    dest.messaging.max_retained_bytes = max_retained_bytes;
    common::links::linked_gateway("prices", dest).await
}

async fn amqp_channel() -> (Connection, Channel) {
    flexgate_testkit::require(flexgate_testkit::amqp());
    let conn = Connection::connect(&url(), ConnectionProperties::default())
        .await
        .expect("an AMQP client connects");
    let channel = conn.create_channel().await.expect("a channel");
    (conn, channel)
}

/// Removes what the gateway declared for `exchange`.
async fn clean_up(channel: &Channel, exchange: &str) {
    let queue = format!("flexgate.{exchange}.prices");
    let _ = channel
        .queue_delete(queue.as_str().into(), QueueDeleteOptions::default())
        .await;
    let _ = channel
        .exchange_delete(exchange.into(), ExchangeDeleteOptions::default())
        .await;
}

/// Long-polls until a message arrives.
async fn poll_one(c: &mut FlexClient) -> Vec<Message> {
    tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            let got = polled(
                &c.send_one(common::command(CommandOperation::Poll, ""))
                    .await,
            );
            if !got.is_empty() {
                return got;
            }
        }
    })
    .await
    .expect("a message within 20 s")
}

async fn publish_amqp(
    channel: &Channel,
    exchange: &str,
    key: &str,
    body: &[u8],
    headers: FieldTable,
) {
    channel
        .basic_publish(
            exchange.into(),
            key.into(),
            BasicPublishOptions::default(),
            body,
            BasicProperties::default().with_headers(headers),
        )
        .await
        .expect("published")
        .await
        .expect("confirmed");
}

#[tokio::test]
#[cfg_attr(not(flexgate_amqp), ignore = "needs RabbitMQ at 127.0.0.1:5672")]
async fn an_amqp_message_reaches_a_long_polling_consumer_and_is_acknowledged() {
    let (_conn, channel) = amqp_channel().await;
    let exchange = unique_exchange();
    let server = gateway(&exchange).await;
    let mut c = FlexClient::new(server.url(LONG_POLLING));
    c.ping().await;
    let r = c
        .send_one(subscribe("prices", "c1", Some("eu.*"), None))
        .await;
    assert!(r.is_result(), "{r:?}");

    let mut headers = FieldTable::default();
    headers.insert(
        "source".into(),
        AMQPValue::LongString(LongString::from("desk-7")),
    );
    publish_amqp(
        &channel,
        &exchange,
        "eu.fx",
        br#"{"pair":"EURUSD","bid":1.25}"#,
        headers,
    )
    .await;

    let got = poll_one(&mut c).await;
    assert_eq!(got.len(), 1, "{got:?}");
    let m = got[0].base();
    let body = m.body.as_object().expect("an object body");
    assert_eq!(body.get("pair").and_then(Value::as_str), Some("EURUSD"));
    assert_eq!(body.get("bid"), Some(&Value::Number(1.25)));
    assert_eq!(m.headers.get_str(h::DS_SUBTOPIC), Some("eu.fx"));
    assert_eq!(m.headers.get_str("source"), Some("desk-7"));

    // Stored, then acknowledged: the queue holds nothing, ready or not.
    let queue = format!("flexgate.{exchange}.prices");
    let passive = QueueDeclareOptions {
        passive: true,
        ..QueueDeclareOptions::default()
    };
    let acked = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            let q = channel
                .queue_declare(queue.as_str().into(), passive, FieldTable::default())
                .await
                .expect("the gateway's queue exists");
            let s = server.running.snapshot().await;
            if q.message_count() == 0 && s.links[0].received == 1 {
                return s;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("acknowledged");
    assert_eq!(acked.links[0].kind, "amqp");
    server.running.shutdown().await;
    clean_up(&channel, &exchange).await;
}

#[tokio::test]
#[cfg_attr(not(flexgate_amqp), ignore = "needs RabbitMQ at 127.0.0.1:5672")]
async fn a_producer_message_reaches_an_amqp_consumer_once() {
    let (_conn, channel) = amqp_channel().await;
    let exchange = unique_exchange();
    let server = gateway(&exchange).await;
    let mut deliveries = common::links::amqp_consumer(&channel, &exchange).await;

    let mut consumer = FlexClient::new(server.url(LONG_POLLING));
    consumer.ping().await;
    let r = consumer
        .send_one(subscribe("prices", "c1", Some("eu.fx"), None))
        .await;
    assert!(r.is_result(), "{r:?}");
    let mut producer = FlexClient::new(server.url(common::AMF));
    producer.ping().await;
    let mut m = publish("prices", Value::from("tick"), Some("eu.fx"));
    m.base_mut().headers.set("desk", "7");
    let ack = producer.send_one(m).await;
    assert!(ack.is_result(), "{ack:?}");

    let d = tokio::time::timeout(Duration::from_secs(20), deliveries.next())
        .await
        .expect("a delivery within 20 s")
        .expect("consuming")
        .expect("a delivery");
    d.ack(BasicAckOptions::default()).await.expect("acked");
    assert_eq!(d.routing_key.as_str(), "eu.fx");
    assert_eq!(&d.data[..], br#""tick""#);
    let headers = d.properties.headers().clone().expect("headers");
    let desk = headers.inner().get("desk");
    assert_eq!(desk, Some(&AMQPValue::LongString(LongString::from("7"))));
    assert!(headers.inner().get(h::DS_SUBTOPIC).is_none());

    // The gateway's queue got it back and skipped it: the Flex consumer
    // sees it once, and a marker published after it comes next.
    publish_amqp(
        &channel,
        &exchange,
        "eu.fx",
        br#""marker""#,
        FieldTable::default(),
    )
    .await;
    let mut bodies = Vec::new();
    while !bodies.contains(&Value::from("marker")) {
        let got = poll_one(&mut consumer).await;
        bodies.extend(got.iter().map(|m| m.base().body.clone()));
    }
    assert_eq!(bodies, [Value::from("tick"), Value::from("marker")]);
    server.running.shutdown().await;
    clean_up(&channel, &exchange).await;
}

#[tokio::test]
#[cfg_attr(not(flexgate_amqp), ignore = "needs RabbitMQ at 127.0.0.1:5672")]
async fn a_delivery_the_store_refuses_is_rejected_not_requeued() {
    let (_conn, channel) = amqp_channel().await;
    let exchange = unique_exchange();
    let server = gateway_retaining(&exchange, 4096).await;
    let mut c = FlexClient::new(server.url(LONG_POLLING));
    c.ping().await;
    let r = c.send_one(subscribe("prices", "c1", None, None)).await;
    assert!(r.is_result(), "{r:?}");
    let big = format!("\"{}\"", "x".repeat(10_000));
    publish_amqp(
        &channel,
        &exchange,
        "",
        big.as_bytes(),
        FieldTable::default(),
    )
    .await;
    publish_amqp(
        &channel,
        &exchange,
        "",
        br#""small""#,
        FieldTable::default(),
    )
    .await;

    // The refused one is gone from the queue (not redelivered for ever)
    // and the next is delivered.
    let got = poll_one(&mut c).await;
    let bodies: Vec<&Value> = got.iter().map(|m| &m.base().body).collect();
    assert_eq!(bodies, [&Value::from("small")]);
    let s = server.running.snapshot().await;
    let link = &s.links[0];
    assert_eq!((link.received, link.failed), (1, 1), "{link:?}");
    assert!(link.last_error.as_ref().is_some_and(|e| !e.is_empty()));
    server.running.shutdown().await;
    clean_up(&channel, &exchange).await;
}
