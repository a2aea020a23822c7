//! NATS-backed messaging destinations (docs/brokers.md): a message a plain
//! NATS client publishes reaches a long-polling Flex Consumer, with its
//! subject suffix as the subtopic and its headers as message headers; a
//! Flex Producer's message reaches a NATS subscriber as JSON; the link's
//! health is on /status.json.

mod common;

use common::{polled, publish, subscribe, FlexClient, TestServer, LONG_POLLING};
use flexgate_amf::Value;
use flexgate_gateway::config::{DestinationConfig, NatsLinkConfig};
use flexgate_messages::headers as h;
use flexgate_messages::{CommandOperation, Message};
use futures_util::StreamExt;
use std::time::Duration;

/// A subject no other test run shares.
fn unique_base() -> String {
    format!(
        "flexgate-test.{}",
        flexgate_messages::uid::new_uid().replace('-', "")
    )
}

async fn gateway(base: &str) -> TestServer {
    let dest = DestinationConfig {
        nats: Some(NatsLinkConfig {
            url: format!("nats://{}", flexgate_testkit::NATS_ADDR),
            subject: format!("{base}.>"),
            stream: None,
        }),
        ..DestinationConfig::default()
    };
    common::links::linked_gateway("prices", dest).await
}

async fn nats_client() -> async_nats::Client {
    flexgate_testkit::require(flexgate_testkit::nats());
    async_nats::connect(flexgate_testkit::NATS_ADDR)
        .await
        .expect("a NATS client connects")
}

/// Long-polls until a message arrives (each poll parks for a while).
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

#[tokio::test]
#[cfg_attr(not(flexgate_nats), ignore = "needs NATS at 127.0.0.1:4222")]
async fn a_nats_message_reaches_a_long_polling_consumer() {
    let nats = nats_client().await;
    let base = unique_base();
    let server = gateway(&base).await;
    let mut c = FlexClient::new(server.url(LONG_POLLING));
    c.ping().await;
    let r = c
        .send_one(subscribe("prices", "c1", Some("eu.*"), None))
        .await;
    assert!(r.is_result(), "{r:?}");

    // Outside the consumer's subtopic: stored, not delivered to it (sent
    // first: one publisher's messages arrive in order).
    nats.publish(format!("{base}.us.fx"), "{}".into())
        .await
        .expect("published");
    let mut headers = async_nats::HeaderMap::new();
    headers.insert("source", "desk-7");
    nats.publish_with_headers(
        format!("{base}.eu.fx"),
        headers,
        r#"{"pair":"EURUSD","bid":1.25}"#.into(),
    )
    .await
    .expect("published");
    nats.flush().await.expect("flushed");

    let got = poll_one(&mut c).await;
    assert_eq!(got.len(), 1, "{got:?}");
    let m = got[0].base();
    let body = m.body.as_object().expect("an object body");
    let pair = body.get("pair").and_then(Value::as_str);
    assert_eq!(pair, Some("EURUSD"), "{:?}", m.body);
    assert_eq!(body.get("bid"), Some(&Value::Number(1.25)));
    assert_eq!(m.headers.get_str(h::DS_SUBTOPIC), Some("eu.fx"));
    assert_eq!(m.headers.get_str("source"), Some("desk-7"));

    // The link's health on the operator pages.
    let status = common::status::status_json(&server).await;
    let link = &status["links"][0];
    assert_eq!(link["destination"], "prices");
    assert_eq!(
        (link["kind"].as_str(), link["state"].as_str()),
        (Some("nats"), Some("connected"))
    );
    assert_eq!(link["received"], 2, "{link}");
    let (_, _, metrics) = common::status::get(&server.url("/metrics")).await;
    for line in [
        r#"flexgate_link_up{destination="prices",broker="nats"} 1"#,
        r#"flexgate_link_messages_total{destination="prices",outcome="received"} 2"#,
    ] {
        assert!(
            metrics.lines().any(|l| l == line),
            "no {line} in\n{metrics}"
        );
    }
    server.running.shutdown().await;
}

#[tokio::test]
#[cfg_attr(not(flexgate_nats), ignore = "needs NATS at 127.0.0.1:4222")]
async fn a_producer_message_reaches_a_nats_subscriber_once() {
    let nats = nats_client().await;
    let base = unique_base();
    let mut sub = nats
        .subscribe(format!("{base}.>"))
        .await
        .expect("subscribed");
    nats.flush().await.expect("flushed");
    let server = gateway(&base).await;
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

    let got = tokio::time::timeout(Duration::from_secs(20), sub.next())
        .await
        .expect("a NATS message within 20 s")
        .expect("the subscription is open");
    assert_eq!(got.subject.as_str(), format!("{base}.eu.fx"));
    assert_eq!(&got.payload[..], br#""tick""#);
    let headers = got.headers.expect("headers");
    assert_eq!(
        headers.get("desk").map(async_nats::HeaderValue::as_str),
        Some("7")
    );
    assert!(
        headers.get(h::DS_SUBTOPIC).is_none(),
        "Flex's own headers stay home"
    );

    // The gateway's own subscription got it back: it is not stored again
    // (the Flex consumer sees it once) nor sent out again (the next NATS
    // message is a marker published after it).
    nats.publish(format!("{base}.eu.fx"), r#""marker""#.into())
        .await
        .expect("published");
    let next = tokio::time::timeout(Duration::from_secs(20), sub.next())
        .await
        .expect("the marker within 20 s")
        .expect("the subscription is open");
    assert_eq!(&next.payload[..], br#""marker""#);
    let mut bodies = Vec::new();
    while !bodies.contains(&Value::from("marker")) {
        let got = poll_one(&mut consumer).await;
        bodies.extend(got.iter().map(|m| m.base().body.clone()));
    }
    assert_eq!(bodies, [Value::from("tick"), Value::from("marker")]);
    server.running.shutdown().await;
}
