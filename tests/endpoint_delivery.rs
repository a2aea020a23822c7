//! Delivery per endpoint (issue #15 §2 item 2): a poll drains only the
//! subscriptions made over the channel it arrives on, as BlazeDS keeps a
//! FlexClient outbound queue per endpoint (FlexClient.poll(endpointId),
//! MessageClient.getEndpointId). A Flex ChannelSet that does not own a
//! consumer drops a message for it, so a message for the consumer on the
//! polling channel must not arrive inside another consumer's long poll or
//! stream: it waits for the next poll over its own channel.

mod common;

use common::stream::open_stream;
use common::*;
use flexgate_amf::Value;
use flexgate_gateway::config::Config;
use flexgate_messages::{CommandOperation, Message};
use std::time::Duration;

/// Generous: a reply that should come and does not fails here, never hangs.
const DEADLINE: Duration = Duration::from_secs(60);

fn poll() -> Message {
    command(CommandOperation::Poll, "")
}

/// `(clientId, body)` of each polled message.
fn routed(messages: &[Message]) -> Vec<(String, Value)> {
    messages
        .iter()
        .map(|m| {
            (
                m.client_id().unwrap_or_default().to_owned(),
                m.body().clone(),
            )
        })
        .collect()
}

fn delivered(consumer: &str, body: &str) -> (String, Value) {
    (consumer.to_owned(), Value::from(body))
}

/// A producer publishes `body` on `chat.<subtopic>`.
async fn publish_to(producer: &mut FlexClient, subtopic: &str, body: &str) {
    let r = producer
        .send_one(publish("chat", Value::from(body), Some(subtopic)))
        .await;
    assert!(r.is_result(), "publish: {r:?}");
}

async fn subscribe_over(client: &mut FlexClient, consumer: &str, subtopic: &str) {
    let r = client
        .send_one(subscribe("chat", consumer, Some(subtopic), None))
        .await;
    assert!(r.is_result(), "subscribe {consumer}: {r:?}");
}

#[tokio::test]
async fn a_long_poll_carries_only_its_own_channels_consumers() {
    let mut config = Config::default();
    // Longer than DEADLINE: only a delivery can answer the long poll.
    config
        .channels
        .get_mut("my-longpolling-amf")
        .expect("demo channel")
        .wait_interval_ms = 600_000;
    let server = TestServer::start(config).await;
    // One Flex client (one DSId, one session) with a consumer on each of
    // two channels, as a Flex application with two ChannelSets has.
    let mut polling = FlexClient::new(server.url(AMF));
    polling.ping().await;
    subscribe_over(&mut polling, "POLLER", "a").await;
    let mut long = polling.same_session(server.url(LONG_POLLING));
    subscribe_over(&mut long, "LONG", "b").await;
    let mut producer = FlexClient::new(server.url(AMF));
    producer.ping().await;

    let parked = tokio::spawn(async move {
        let reply = tokio::time::timeout(DEADLINE, long.send_one(poll()))
            .await
            .expect("the long poll is answered by its own consumer's message");
        polled(&reply)
    });
    let running = &server.running;
    until("the long poll parks", || running.waiting_polls() == 1).await;
    // For the polling consumer: it must neither answer the parked long
    // poll nor be carried by it.
    publish_to(&mut producer, "a", "for the poller").await;
    publish_to(&mut producer, "b", "for the long poll").await;
    let got = parked.await.expect("the long poll's task");
    assert_eq!(routed(&got), [delivered("LONG", "for the long poll")]);

    // The polling consumer's message waited for its own channel.
    let got = polled(&polling.send_one(poll()).await);
    assert_eq!(routed(&got), [delivered("POLLER", "for the poller")]);
    assert!(polled(&polling.send_one(poll()).await).is_empty());
    server.running.shutdown().await;
}

#[tokio::test]
async fn a_stream_carries_only_its_own_channels_consumers() {
    let server = TestServer::start(Config::default()).await;
    let mut streaming = FlexClient::new(server.url(STREAMING));
    streaming.ping().await;
    subscribe_over(&mut streaming, "STREAMER", "s").await;
    let mut polling = streaming.same_session(server.url(AMF));
    subscribe_over(&mut polling, "POLLER", "a").await;
    let mut stream = open_stream(&server.url(STREAMING), &streaming).await;
    let open = tokio::time::timeout(DEADLINE, stream.next_message())
        .await
        .expect("open ack in time")
        .expect("open ack");
    assert_eq!(open.correlation_id(), Some("open"));

    let mut producer = FlexClient::new(server.url(AMF));
    producer.ping().await;
    publish_to(&mut producer, "a", "for the poller").await;
    publish_to(&mut producer, "s", "for the stream").await;
    let pushed = tokio::time::timeout(DEADLINE, stream.next_message())
        .await
        .expect("a push in time")
        .expect("a push");
    assert_eq!(
        routed(std::slice::from_ref(&pushed)),
        [delivered("STREAMER", "for the stream")]
    );
    let got = polled(&polling.send_one(poll()).await);
    assert_eq!(routed(&got), [delivered("POLLER", "for the poller")]);
    server.running.shutdown().await;
}

/// A poll over a channel the client subscribed nothing over is
/// NotSubscribed (errors.properties 10028 names the endpoint), even while
/// it holds subscriptions over another; a resubscribe over that channel
/// (a ChannelSet failing over) moves the consumer, and what was pending
/// for it, there.
#[tokio::test]
async fn subscriptions_belong_to_their_channel_until_resubscribed() {
    let server = TestServer::start(Config::default()).await;
    let mut polling = FlexClient::new(server.url(AMF));
    polling.ping().await;
    subscribe_over(&mut polling, "C1", "a").await;
    let mut long = polling.same_session(server.url(LONG_POLLING));
    let refused = long.send_one(poll()).await;
    assert_eq!(
        refused.fault_code(),
        Some("Server.Processing.NotSubscribed"),
        "{refused:?}"
    );
    let Message::Error(e) = &refused.message else {
        panic!("not an ErrorMessage: {refused:?}");
    };
    assert_eq!(
        e.fault_string.as_deref(),
        Some("The client has no active subscriptions over endpoint 'my-longpolling-amf'.")
    );

    let mut producer = FlexClient::new(server.url(AMF));
    producer.ping().await;
    publish_to(&mut producer, "a", "pending").await;
    // Failover: the same consumer subscribes again over the long-polling
    // channel; the old channel has nothing left to poll.
    subscribe_over(&mut long, "C1", "a").await;
    let got = tokio::time::timeout(DEADLINE, long.send_one(poll()))
        .await
        .expect("answered at once: a message is pending");
    assert_eq!(routed(&polled(&got)), [delivered("C1", "pending")]);
    let old = polling.send_one(poll()).await;
    assert_eq!(
        old.fault_code(),
        Some("Server.Processing.NotSubscribed"),
        "{old:?}"
    );
    server.running.shutdown().await;
}
