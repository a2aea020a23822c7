//! Flex messaging over real HTTP: ping, subscribe, publish, poll, long-poll,
//! subtopics, selectors, unsubscribe, disconnect.

mod common;

use common::*;
use flexgate_amf::Value;
use flexgate_gateway::config::Config;
use flexgate_messages::headers as h;
use flexgate_messages::{CommandOperation, Message};
use std::time::Duration;

#[tokio::test]
async fn ping_assigns_a_client_id_and_advertises_small_messages() {
    let server = TestServer::start(Config::default()).await;
    let mut client = FlexClient::new(server.url(AMF));
    let reply = client.ping().await;
    assert_eq!(reply.target, "/1/onResult");
    let Message::Acknowledge(ack) = &reply.message else {
        panic!("ping answered with {reply:?}");
    };
    let id = client.ds_id.clone().expect("DSId");
    assert_eq!(id.len(), 36);
    assert_eq!(id, id.to_uppercase());
    assert_eq!(
        ack.base
            .headers
            .get(h::DS_MESSAGING_VERSION)
            .and_then(Value::as_f64),
        Some(1.0)
    );
    // A second ping keeps the same client.
    let again = client.ping().await;
    assert_eq!(
        again.message.header(h::DS_ID).and_then(Value::as_str),
        Some(id.as_str())
    );
    server.running.shutdown().await;
}

#[tokio::test]
async fn long_poll_receives_what_another_client_publishes() {
    let server = TestServer::start(Config::default()).await;
    let mut consumer = FlexClient::new(server.url(LONG_POLLING));
    consumer.ping().await;
    let sub = consumer
        .send_one(subscribe("chat", "CONSUMER-1", None, None))
        .await;
    assert!(sub.is_result(), "{sub:?}");

    // The poll waits (nothing queued), and is woken by the publish.
    let url = server.url(LONG_POLLING);
    let mut poller = consumer.same_session(url);
    let waiting =
        tokio::spawn(async move { poller.send_one(command(CommandOperation::Poll, "")).await });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!waiting.is_finished(), "the poll must wait for a message");

    let mut producer = FlexClient::new(server.url(AMF));
    producer.ping().await;
    let body = Value::object(flexgate_amf::Object::anonymous([(
        "text",
        Value::from("hello"),
    )]));
    let ack = producer.send_one(publish("chat", body.clone(), None)).await;
    assert!(ack.is_result(), "{ack:?}");

    let reply = tokio::time::timeout(Duration::from_secs(5), waiting)
        .await
        .expect("woken by the publish")
        .expect("poll task");
    let got = polled(&reply);
    assert_eq!(got.len(), 1, "{reply:?}");
    assert_eq!(got[0].client_id(), Some("CONSUMER-1"));
    assert_eq!(got[0].destination(), Some("chat"));
    assert_eq!(got[0].body(), &body);
    assert!(
        got[0].header(h::DS_ID).is_none(),
        "the sender's DSId is not delivered"
    );
    // Drained: polls batched with another body never wait, and find nothing.
    let mut again = consumer.same_session(server.url(LONG_POLLING));
    let replies = again
        .send(vec![
            command(CommandOperation::Poll, ""),
            command(CommandOperation::Poll, ""),
        ])
        .await;
    assert!(replies.iter().all(|r| polled(r).is_empty()), "{replies:?}");
    // The consumer subscribed over the long-polling channel: the plain AMF
    // channel has nothing of it to poll (docs/protocol.md §6).
    let mut amf = consumer.same_session(server.url(AMF));
    let other = amf.send_one(command(CommandOperation::Poll, "")).await;
    assert_eq!(
        other.fault_code(),
        Some("Server.Processing.NotSubscribed"),
        "{other:?}"
    );
    server.running.shutdown().await;
}

#[tokio::test]
async fn subtopics_selectors_and_unsubscribe() {
    let server = TestServer::start(Config::default()).await;
    let mut c = FlexClient::new(server.url(AMF));
    c.ping().await;
    let replies = c
        .send(vec![
            subscribe("chat", "ROOMS", Some("rooms.*"), None),
            subscribe("chat", "HIGH", None, Some("priority > 2")),
        ])
        .await;
    assert!(replies.iter().all(Reply::is_result), "{replies:?}");

    let mut p = FlexClient::new(server.url(AMF));
    p.ping().await;
    let mut high = publish("chat", Value::from("urgent"), None);
    high.base_mut().headers.set("priority", 5);
    let mut low = publish("chat", Value::from("later"), None);
    low.base_mut().headers.set("priority", 1);
    let replies = p
        .send(vec![
            publish("chat", Value::from("in lobby"), Some("rooms.lobby")),
            publish("chat", Value::from("elsewhere"), Some("news.today")),
            high,
            low,
        ])
        .await;
    assert!(replies.iter().all(Reply::is_result), "{replies:?}");

    let got = polled(&c.send_one(command(CommandOperation::Poll, "")).await);
    let seen: Vec<(Option<&str>, &Value)> = got.iter().map(|m| (m.client_id(), m.body())).collect();
    assert_eq!(
        seen,
        [
            (Some("ROOMS"), &Value::from("in lobby")),
            (Some("HIGH"), &Value::from("urgent"))
        ]
    );

    let mut unsub = command(CommandOperation::Unsubscribe, "chat");
    unsub.base_mut().client_id = Some("HIGH".into());
    assert!(c.send_one(unsub).await.is_result());
    let mut high = publish("chat", Value::from("again"), None);
    high.base_mut().headers.set("priority", 9);
    p.send_one(high).await;
    assert!(polled(&c.send_one(command(CommandOperation::Poll, "")).await).is_empty());
    server.running.shutdown().await;
}

#[tokio::test]
async fn multi_subscribe_adds_and_removes_subtopics() {
    let server = TestServer::start(Config::default()).await;
    let mut c = FlexClient::new(server.url(AMF));
    c.ping().await;
    let mut multi = command(CommandOperation::MultiSubscribe, "chat");
    multi.base_mut().client_id = Some("MULTI".into());
    multi.base_mut().headers.set(
        h::DS_ADD_SUB,
        Value::array(vec![Value::from("a_;_"), Value::from("b_;_")]),
    );
    assert!(c.send_one(multi).await.is_result());
    let mut multi = command(CommandOperation::MultiSubscribe, "chat");
    multi.base_mut().client_id = Some("MULTI".into());
    multi
        .base_mut()
        .headers
        .set(h::DS_REM_SUB, Value::array(vec![Value::from("b_;_")]));
    assert!(c.send_one(multi).await.is_result());

    let mut p = FlexClient::new(server.url(AMF));
    p.ping().await;
    p.send(vec![
        publish("chat", Value::from(1), Some("a")),
        publish("chat", Value::from(2), Some("b")),
    ])
    .await;
    let got = polled(&c.send_one(command(CommandOperation::Poll, "")).await);
    let bodies: Vec<&Value> = got.iter().map(Message::body).collect();
    assert_eq!(bodies, [&Value::from(1)]);
    server.running.shutdown().await;
}

#[tokio::test]
async fn failures_are_error_messages_and_other_bodies_still_answer() {
    let server = TestServer::start(Config::default()).await;
    let mut c = FlexClient::new(server.url(AMF));
    c.ping().await;
    let replies = c
        .send(vec![
            subscribe("no-such-destination", "X", None, None),
            subscribe("chat", "Y", None, Some("priority >")),
            command(CommandOperation::Other(99), ""),
            subscribe("chat", "Z", None, None),
        ])
        .await;
    let targets: Vec<&str> = replies.iter().map(|r| r.target.as_str()).collect();
    assert_eq!(
        targets,
        ["/2/onStatus", "/3/onStatus", "/4/onStatus", "/5/onResult"]
    );
    assert_eq!(replies[0].fault_code(), Some("Server.Processing"));
    let Message::Error(e) = &replies[1].message else {
        panic!("{:?}", replies[1]);
    };
    assert!(
        e.fault_string
            .as_deref()
            .unwrap_or_default()
            .contains("selector"),
        "{e:?}"
    );
    // Each error correlates with its request.
    assert!(replies.iter().all(|r| r.message.correlation_id().is_some()));
    server.running.shutdown().await;
}

#[tokio::test]
async fn disconnect_drops_subscriptions() {
    let server = TestServer::start(Config::default()).await;
    let mut c = FlexClient::new(server.url(AMF));
    c.ping().await;
    c.send_one(subscribe("chat", "GONE", None, None)).await;
    assert!(c
        .send_one(command(CommandOperation::Disconnect, ""))
        .await
        .is_result());
    let mut p = FlexClient::new(server.url(AMF));
    p.ping().await;
    p.send_one(publish("chat", Value::from("nobody"), None))
        .await;
    // The old client id is unknown now: BlazeDS's NotSubscribed, not an
    // empty poll of a silently re-created client.
    let gone = c.send_one(command(CommandOperation::Poll, "")).await;
    assert_eq!(
        gone.fault_code(),
        Some("Server.Processing.NotSubscribed"),
        "{gone:?}"
    );
    server.running.shutdown().await;
}

#[tokio::test]
async fn ping_reply_is_a_small_message_on_the_wire() {
    let server = TestServer::start(Config::default()).await;
    let mut ping = command(CommandOperation::ClientPing, "");
    ping.base_mut().headers.set(h::DS_ID, "nil");
    ping.base_mut().headers.set(h::DS_MESSAGING_VERSION, 1.0);
    let packet = flexgate_amf::Packet {
        version: flexgate_amf::Version::Amf3,
        headers: vec![],
        bodies: vec![flexgate_amf::Body {
            target: "null".into(),
            response: "/1".into(),
            value: Value::array(vec![ping.to_value(flexgate_messages::Form::Full)]),
        }],
    };
    let reply = exchange(&server.url(AMF), &packet).await;
    // BlazeDS turns small messages on during the ping itself: the ack is a DSK.
    let Value::External(e) = &reply.bodies[0].value else {
        panic!("not externalizable: {:?}", reply.bodies[0].value);
    };
    assert_eq!(e.class_name(), "DSK");
    // A client that does not advertise a messaging version gets the full form.
    let mut plain = command(CommandOperation::ClientPing, "");
    plain.base_mut().headers.set(h::DS_ID, "nil");
    let mut packet = packet;
    packet.bodies[0].value = Value::array(vec![plain.to_value(flexgate_messages::Form::Full)]);
    let reply = exchange(&server.url(AMF), &packet).await;
    let full = reply.bodies[0].value.as_object().expect("a typed object");
    assert_eq!(full.class(), "flex.messaging.messages.AcknowledgeMessage");
    server.running.shutdown().await;
}

#[tokio::test]
async fn shutdown_answers_waiting_long_polls() {
    let server = TestServer::start(Config::default()).await;
    let mut c = FlexClient::new(server.url(LONG_POLLING));
    c.ping().await;
    c.send_one(subscribe("chat", "WAITER", None, None)).await;
    let waiting =
        tokio::spawn(async move { c.send_one(command(CommandOperation::Poll, "")).await });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!waiting.is_finished(), "the poll waits (30 s interval)");
    tokio::time::timeout(Duration::from_secs(5), server.running.shutdown())
        .await
        .expect("shutdown does not wait for the poll interval");
    let reply = waiting
        .await
        .expect("the poll got a reply before the server closed");
    assert!(reply.is_result(), "{reply:?}");
    assert!(polled(&reply).is_empty());
}
