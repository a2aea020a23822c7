//! MultiTopicConsumer and MultiTopicProducer over real HTTP: the
//! `DSAddSub`/`DSRemSub` entry format and multi-subtopic fan-out
//! (docs/protocol.md, "BlazeDS behaviour → flexgate behaviour").

mod common;

use common::*;
use flexgate_amf::Value;
use flexgate_gateway::config::Config;
use flexgate_messages::headers as h;
use flexgate_messages::{ArrayCollection, CommandOperation, Message};

/// A MULTI_SUBSCRIBE of consumer `consumer` adding and removing entries.
fn multi(consumer: &str, add: &[&str], remove: &[&str]) -> Message {
    let mut m = command(CommandOperation::MultiSubscribe, "chat");
    m.base_mut().client_id = Some(consumer.into());
    let list = |entries: &[&str]| Value::array(entries.iter().map(|&e| e.into()).collect());
    if !add.is_empty() {
        m.base_mut().headers.set(h::DS_ADD_SUB, list(add));
    }
    if !remove.is_empty() {
        m.base_mut().headers.set(h::DS_REM_SUB, list(remove));
    }
    m
}

/// A publish to `subtopic` with header `priority`.
fn prioritized(body: i32, subtopic: &str, priority: i32) -> Message {
    let mut m = publish("chat", Value::from(body), Some(subtopic));
    m.base_mut().headers.set("priority", priority);
    m
}

/// What a general poll delivers, as (consumer clientId, body) pairs.
async fn poll_pairs(c: &mut FlexClient) -> Vec<(String, Value)> {
    let reply = c.send_one(command(CommandOperation::Poll, "")).await;
    let mut got: Vec<(String, Value)> = polled(&reply)
        .iter()
        .map(|m| {
            (
                m.client_id().unwrap_or_default().to_owned(),
                m.body().clone(),
            )
        })
        .collect();
    got.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
    got
}

#[tokio::test]
async fn add_sub_entries_may_end_with_a_max_frequency() {
    let server = TestServer::start(Config::default()).await;
    let mut c = FlexClient::new(server.url(AMF));
    c.ping().await;
    // As MultiTopicConsumer writes them for maxFrequency 10 and 5; an
    // entry without a separator is ignored, as BlazeDS ignores it.
    let add = ["a_;__;_10", "b_;_priority > 1_;_5", "c"];
    let reply = c.send_one(multi("M", &add, &[])).await;
    assert!(reply.is_result(), "{reply:?}");

    let mut p = FlexClient::new(server.url(AMF));
    p.ping().await;
    p.send(vec![
        prioritized(1, "a", 0),
        prioritized(2, "b", 5),
        prioritized(3, "b", 0),
        prioritized(4, "c", 9),
    ])
    .await;
    let m = |b: i32| ("M".to_owned(), Value::from(b));
    assert_eq!(poll_pairs(&mut c).await, [m(1), m(2)]);

    // Removal entries carry the token too; it does not keep them from
    // naming the filter they remove.
    let reply = c.send_one(multi("M", &[], &["a_;__;_10"])).await;
    assert!(reply.is_result(), "{reply:?}");
    p.send(vec![prioritized(5, "a", 0), prioritized(6, "b", 9)])
        .await;
    assert_eq!(poll_pairs(&mut c).await, [m(6)]);
    server.running.shutdown().await;
}

#[tokio::test]
async fn a_multi_topic_send_reaches_each_consumer_once() {
    let server = TestServer::start(Config::default()).await;
    let mut c = FlexClient::new(server.url(AMF));
    c.ping().await;
    let replies = c
        .send(vec![
            multi("M", &["a_;_", "b_;_"], &[]),
            subscribe("chat", "B", Some("b"), None),
            subscribe("chat", "C", Some("c"), None),
            subscribe("chat", "N", None, None),
        ])
        .await;
    assert!(replies.iter().all(Reply::is_result), "{replies:?}");

    let mut p = FlexClient::new(server.url(AMF));
    p.ping().await;
    // MultiTopicProducer sends an ArrayCollection; a plain array too.
    let mut collection = publish("chat", Value::from("ac"), None);
    let subtopics = ArrayCollection::from_items(vec!["a".into(), "b".into()]);
    collection
        .base_mut()
        .headers
        .set(h::DS_SUBTOPIC, subtopics.into_value());
    let mut array = publish("chat", Value::from("arr"), None);
    array
        .base_mut()
        .headers
        .set(h::DS_SUBTOPIC, Value::array(vec!["b".into(), "c".into()]));
    let replies = p.send(vec![collection, array]).await;
    assert!(replies.iter().all(Reply::is_result), "{replies:?}");

    let pair = |who: &str, body: &str| (who.to_owned(), Value::from(body));
    assert_eq!(
        poll_pairs(&mut c).await,
        [
            pair("B", "ac"),
            pair("B", "arr"),
            pair("C", "arr"),
            pair("M", "ac"),
            pair("M", "arr"),
        ]
    );
    server.running.shutdown().await;
}

#[tokio::test]
async fn every_subtopic_of_a_multi_topic_send_is_checked() {
    let server = TestServer::start(Config::default()).await;
    let mut c = FlexClient::new(server.url(AMF));
    c.ping().await;
    let mut m = publish("chat", Value::from(1), None);
    m.base_mut()
        .headers
        .set(h::DS_SUBTOPIC, Value::array(vec!["a".into(), "b.*".into()]));
    let reply = c.send_one(m).await;
    assert_eq!(reply.fault_code(), Some("Server.Processing"), "{reply:?}");
    let Message::Error(e) = &reply.message else {
        panic!("{reply:?}");
    };
    assert!(
        e.fault_string
            .as_deref()
            .unwrap_or_default()
            .contains("b.*"),
        "{e:?}"
    );
    server.running.shutdown().await;
}
