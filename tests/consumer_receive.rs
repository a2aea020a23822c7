//! `Consumer.receive()` over real HTTP: a POLL naming one consumer by its
//! clientId gets that consumer's messages only, never waits, and a
//! consumer without a subscription gets BlazeDS's 10551 fault.

mod common;

use common::*;
use flexgate_amf::Value;
use flexgate_gateway::config::Config;
use flexgate_messages::headers as h;
use flexgate_messages::{CommandOperation, Message};

/// What AbstractConsumer.receive sends: a POLL with the consumer's
/// clientId and destination.
fn receive(consumer: &str) -> Message {
    let mut m = command(CommandOperation::Poll, "chat");
    m.base_mut().client_id = Some(consumer.into());
    m
}

/// The bodies of a poll reply.
fn bodies(reply: &Reply) -> Vec<Value> {
    polled(reply).iter().map(|m| m.body().clone()).collect()
}

#[tokio::test]
async fn receive_returns_only_that_consumers_messages() {
    let server = TestServer::start(Config::default()).await;
    let mut c = FlexClient::new(server.url(AMF));
    c.ping().await;
    let replies = c
        .send(vec![
            subscribe("chat", "A", None, None),
            subscribe("chat", "B", None, None),
        ])
        .await;
    assert!(replies.iter().all(Reply::is_result), "{replies:?}");
    let mut p = FlexClient::new(server.url(AMF));
    p.ping().await;
    p.send_one(publish("chat", Value::from("m1"), None)).await;

    let mut request = receive("A");
    request.base_mut().message_id = Some("RECEIVE-1".into());
    let reply = c.send_one(request).await;
    assert!(reply.is_result(), "{reply:?}");
    assert_eq!(bodies(&reply), [Value::from("m1")]);
    let delivered = polled(&reply);
    assert_eq!(delivered[0].client_id(), Some("A"));
    // Routed back to the consumer's responder, as BlazeDS's MessageBroker
    // answers any command (a general poll's reply has neither).
    assert_eq!(reply.message.client_id(), Some("A"));
    assert_eq!(reply.message.correlation_id(), Some("RECEIVE-1"));

    // Nothing new for A: an acknowledgement. B still has its copy.
    let again = c.send_one(receive("A")).await;
    assert!(
        matches!(again.message, Message::Acknowledge(_)),
        "{again:?}"
    );
    let general = c.send_one(command(CommandOperation::Poll, "")).await;
    let got = polled(&general);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(
        (got[0].client_id(), got[0].body()),
        (Some("B"), &Value::from("m1"))
    );
    server.running.shutdown().await;
}

#[tokio::test]
async fn receive_for_a_consumer_without_a_subscription_is_not_subscribed() {
    let server = TestServer::start(Config::default()).await;
    let mut c = FlexClient::new(server.url(AMF));
    c.ping().await;
    let sub = c.send_one(subscribe("chat", "A", None, None)).await;
    assert!(sub.is_result(), "{sub:?}");
    let mut stranger = FlexClient::new(server.url(AMF));
    for (client, consumer) in [(&mut c, "NOBODY"), (&mut stranger, "A")] {
        let reply = client.send_one(receive(consumer)).await;
        assert!(reply.target.ends_with("/onStatus"), "{reply:?}");
        assert_eq!(
            reply.fault_code(),
            Some("Server.Processing.NotSubscribed"),
            "{reply:?}"
        );
        let Message::Error(e) = &reply.message else {
            panic!("{reply:?}");
        };
        assert_eq!(
            e.fault_string.as_deref(),
            Some("Not subscribed to destination 'chat'.")
        );
    }
    server.running.shutdown().await;
}

#[tokio::test]
async fn receive_on_a_long_polling_channel_never_waits() {
    let mut config = Config::default();
    let channel = config
        .channels
        .get_mut("my-longpolling-amf")
        .expect("demo channel");
    // Longer than the test's own deadline: a waiting receive cannot pass.
    channel.wait_interval_ms = 600_000;
    let server = TestServer::start(config).await;
    let mut c = FlexClient::new(server.url(LONG_POLLING));
    c.ping().await;
    let sub = c.send_one(subscribe("chat", "A", None, None)).await;
    assert!(sub.is_result(), "{sub:?}");
    let reply = c.send_one(receive("A")).await;
    assert!(
        matches!(reply.message, Message::Acknowledge(_)),
        "{reply:?}"
    );
    assert!(reply.message.header(h::DS_POLL_WAIT).is_none());
    assert_eq!(server.running.waiting_polls(), 0);
    server.running.shutdown().await;
}
