//! A broker link whose server is not there (docs/brokers.md): the gateway
//! serves anyway, the link reports that it is reconnecting with the
//! error, and a Producer's message is refused with a fault after the
//! bounded wait for a reconnect, neither acknowledged nor delivered to
//! Flex Consumers (it is counted as not published out). Needs no broker:
//! nothing listens on port 1.

mod common;

use common::{polled, publish, subscribe, FlexClient, TestServer, AMF};
use flexgate_amf::Value;
use flexgate_gateway::config::{AmqpLinkConfig, Config, DestinationConfig};
use flexgate_gateway::LinkState;
use flexgate_messages::{CommandOperation, FaultCode, Message};
use std::time::Duration;

#[tokio::test]
async fn an_absent_amqp_server_is_reported_and_producer_messages_are_refused() {
    let mut config = Config::default();
    let dest = DestinationConfig {
        amqp: Some(AmqpLinkConfig {
            url: "amqp://guest:guest@127.0.0.1:1/%2f".into(),
            exchange: "prices".into(),
            routing_key: "#".into(),
        }),
        ..DestinationConfig::default()
    };
    config.destinations.insert("prices".into(), dest);
    let server = TestServer::start(config).await;
    let running = &server.running;
    let link = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            let s = running.snapshot().await;
            if let Some(l) = s.links.first().filter(|l| l.last_error.is_some()) {
                return l.clone();
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the link reports its error");
    assert_eq!((link.kind, link.state), ("amqp", LinkState::Reconnecting));

    let mut consumer = FlexClient::new(server.url(AMF));
    consumer.ping().await;
    let r = consumer
        .send_one(subscribe("prices", "c1", None, None))
        .await;
    assert!(r.is_result(), "{r:?}");
    let mut producer = FlexClient::new(server.url(AMF));
    producer.ping().await;
    let refused = producer
        .send_one(publish("prices", Value::from("tick"), None))
        .await;
    assert!(refused.target.ends_with("/onStatus"), "{refused:?}");
    let Message::Error(e) = &refused.message else {
        panic!("a fault, not {refused:?}")
    };
    assert_eq!(
        e.fault_code.as_deref(),
        Some(FaultCode::ServerProcessing.as_str())
    );
    assert_eq!(
        e.fault_string.as_deref(),
        Some("The message was not delivered to the broker of destination 'prices'.")
    );
    let detail = e.fault_detail.as_deref().unwrap_or_default();
    assert!(detail.contains("not connected"), "{e:?}");
    let got = polled(
        &consumer
            .send_one(common::command(CommandOperation::Poll, ""))
            .await,
    );
    assert!(
        got.is_empty(),
        "a refused message is not delivered: {got:?}"
    );
    let s = running.snapshot().await;
    assert_eq!((s.links[0].sent, s.links[0].failed), (0, 1));
    server.running.shutdown().await;
}
