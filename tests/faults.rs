//! Faults over real HTTP: a client that goes away mid-long-poll frees its
//! slot. (A slow streaming reader is in tests/streaming.rs; a panicking
//! remoting handler in tests/remoting.rs.)

mod common;

use common::*;
use flexgate_amf::Value;
use flexgate_gateway::config::Config;
use flexgate_messages::headers as h;
use flexgate_messages::CommandOperation;

#[tokio::test]
async fn a_client_that_abandons_a_long_poll_frees_its_slot() {
    let server = TestServer::start(Config::default()).await;
    let running = &server.running;
    let client = FlexClient::subscribed(server.url(LONG_POLLING), "chat", "C").await;

    // A poll parks, then its HTTP connection goes away (the task owning the
    // request is dropped, which closes the socket).
    let mut first = client.same_session(server.url(LONG_POLLING));
    let abandoned =
        tokio::spawn(async move { first.send_one(command(CommandOperation::Poll, "")).await });
    until("the first poll parks", || running.waiting_polls() == 1).await;
    abandoned.abort();
    until("the abandoned poll's slot is freed", || {
        running.waiting_polls() == 0
    })
    .await;

    // The same client may park a poll again: it is not told DSNoOpPoll.
    let mut second = client.same_session(server.url(LONG_POLLING));
    let waiting =
        tokio::spawn(async move { second.send_one(command(CommandOperation::Poll, "")).await });
    until("the new poll parks", || running.waiting_polls() == 1).await;
    let mut producer = FlexClient::new(server.url(AMF));
    producer.ping().await;
    producer
        .send_one(publish("chat", Value::from("after"), None))
        .await;
    let reply = waiting.await.expect("poll task");
    assert!(
        reply.message.header(h::DS_NO_OP_POLL).is_none(),
        "{reply:?}"
    );
    let got = polled(&reply);
    assert_eq!(got.len(), 1, "{reply:?}");
    assert_eq!(got[0].body(), &Value::from("after"));
    server.running.shutdown().await;
}
