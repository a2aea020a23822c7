//! A poll from a Flex client that holds no subscription is answered as
//! BlazeDS answers it (shared/blazeds-reference `poll_fresh_session`,
//! `faults/02_poll_not_subscribed`, `messaging_flow/16_poll_after_disconnect`):
//! an ErrorMessage `Server.Processing.NotSubscribed` on `/N/onStatus`, never
//! an empty acknowledgement, so that the client knows to subscribe again.
//! A long poll answers so at once; a poll never creates a Flex client.

mod common;

use common::*;
use flexgate_amf::Value;
use flexgate_gateway::config::Config;
use flexgate_messages::{uid, CommandOperation, Message};
use std::time::Duration;

fn poll() -> Message {
    command(CommandOperation::Poll, "")
}

/// BlazeDS's faultString (errors.properties 10028) for `endpoint`.
fn no_subscriptions_over(endpoint: &str) -> String {
    format!("The client has no active subscriptions over endpoint '{endpoint}'.")
}

/// Sends a poll and checks the reply is BlazeDS's NotSubscribed fault,
/// correlated with the poll, for `endpoint`.
async fn assert_not_subscribed(client: &mut FlexClient, endpoint: &str, when: &str) {
    let mut request = poll();
    let id = uid::new_uid();
    request.base_mut().message_id = Some(id.clone());
    // Never a hang: a long poll that waited would fail here, not pass late.
    let reply = tokio::time::timeout(Duration::from_secs(60), client.send_one(request))
        .await
        .unwrap_or_else(|_| panic!("{when}: the poll was parked instead of answered"));
    assert!(reply.target.ends_with("/onStatus"), "{when}: {reply:?}");
    let Message::Error(e) = &reply.message else {
        panic!("{when}: not an ErrorMessage: {reply:?}");
    };
    assert_eq!(
        e.fault_code.as_deref(),
        Some("Server.Processing.NotSubscribed"),
        "{when}: {reply:?}"
    );
    assert_eq!(
        e.fault_string.as_deref(),
        Some(no_subscriptions_over(endpoint).as_str()),
        "{when}"
    );
    assert_eq!(e.correlation_id.as_deref(), Some(id.as_str()), "{when}");
}

#[tokio::test]
async fn polls_without_subscriptions_are_not_subscribed() {
    let server = TestServer::start(Config::default()).await;

    // Pinged, never subscribed.
    let mut c = FlexClient::new(server.url(AMF));
    c.ping().await;
    assert_not_subscribed(&mut c, "my-amf", "never subscribed").await;

    // Subscribed: an empty poll is an empty success.
    let sub = c.send_one(subscribe("chat", "C1", None, None)).await;
    assert!(sub.is_result(), "{sub:?}");
    let empty = c.send_one(poll()).await;
    assert!(empty.is_result(), "{empty:?}");
    assert!(polled(&empty).is_empty());

    // Its last subscription removed.
    let unsub = c.send_one(unsubscribe("chat", "C1", None)).await;
    assert!(unsub.is_result(), "{unsub:?}");
    assert_not_subscribed(&mut c, "my-amf", "after unsubscribe").await;

    // Disconnected: the DSId is unknown now, as after an expiry or a
    // store that lost it.
    let sub = c.send_one(subscribe("chat", "C1", None, None)).await;
    assert!(sub.is_result(), "{sub:?}");
    let bye = c.send_one(command(CommandOperation::Disconnect, "")).await;
    assert!(bye.is_result(), "{bye:?}");
    assert_not_subscribed(&mut c, "my-amf", "after disconnect").await;

    // A DSId this server never issued, as the first request of a session,
    // and a poll without any DSId.
    let mut stranger = FlexClient::new(server.url(AMF));
    stranger.ds_id = Some(uid::new_uid());
    assert_not_subscribed(&mut stranger, "my-amf", "unknown DSId").await;
    let mut nameless = FlexClient::new(server.url(AMF));
    assert_not_subscribed(&mut nameless, "my-amf", "no DSId").await;
    server.running.shutdown().await;
}

#[tokio::test]
async fn a_poll_never_creates_a_flex_client() {
    let mut config = Config::default();
    config.limits.max_clients = 1;
    let server = TestServer::start(config).await;
    let mut stranger = FlexClient::new(server.url(AMF));
    stranger.ds_id = Some(uid::new_uid());
    for _ in 0..3 {
        assert_not_subscribed(&mut stranger, "my-amf", "unknown DSId").await;
    }
    // Had a poll created the stranger, its place would be taken.
    let mut c = FlexClient::new(server.url(AMF));
    c.ping().await;
    server.running.shutdown().await;
}

#[tokio::test]
async fn a_long_poll_without_subscriptions_answers_at_once() {
    let mut config = Config::default();
    let channel = config
        .channels
        .get_mut("my-longpolling-amf")
        .expect("demo channel");
    // Longer than the test's own deadline: a waiting poll cannot pass.
    channel.wait_interval_ms = 600_000;
    let server = TestServer::start(config).await;
    let mut c = FlexClient::new(server.url(LONG_POLLING));
    c.ping().await;
    assert_not_subscribed(&mut c, "my-longpolling-amf", "never subscribed").await;
    assert_eq!(server.running.waiting_polls(), 0);

    // A parked poll whose client unsubscribes meanwhile is answered then.
    let sub = c.send_one(subscribe("chat", "C1", None, None)).await;
    assert!(sub.is_result(), "{sub:?}");
    let mut parked = c.same_session(server.url(LONG_POLLING));
    let running = &server.running;
    let parked = tokio::spawn(async move {
        assert_not_subscribed(
            &mut parked,
            "my-longpolling-amf",
            "unsubscribed while parked",
        )
        .await;
    });
    until("the poll parks", || running.waiting_polls() == 1).await;
    let unsub = c.send_one(unsubscribe("chat", "C1", None)).await;
    assert!(unsub.is_result(), "{unsub:?}");
    parked.await.expect("the parked poll's checks");
    assert_eq!(server.running.waiting_polls(), 0);
    server.running.shutdown().await;
}

#[tokio::test]
async fn a_batched_subscribe_then_poll_is_not_a_fault() {
    // Bodies run in order: the poll sees the subscription made just before.
    let server = TestServer::start(Config::default()).await;
    let mut c = FlexClient::new(server.url(AMF));
    c.ping().await;
    let replies = c
        .send(vec![subscribe("chat", "C1", None, None), poll()])
        .await;
    assert!(replies.iter().all(Reply::is_result), "{replies:?}");
    let mut p = FlexClient::new(server.url(AMF));
    p.ping().await;
    p.send_one(publish("chat", Value::from("hello"), None))
        .await;
    let got = polled(&c.send_one(poll()).await);
    let bodies: Vec<&Value> = got.iter().map(Message::body).collect();
    assert_eq!(bodies, [&Value::from("hello")]);
    server.running.shutdown().await;
}
