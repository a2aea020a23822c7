//! The adversarial review's selector bombs over real HTTP: a subscribe
//! whose selector is a 30 KB or 200 KB chain (`a = 1+1+…+1`) used to kill
//! the process on evaluation or unsubscribe; a `LIKE '%aaa…ab'` against a
//! 2 MB header blocked a runtime worker for half a minute. Now the chains
//! are refused with `Client.Message` and the LIKE is cheap, and the server
//! keeps answering. The Redis variant checks that a second node sharing
//! the store keeps serving `/status.json`.

mod common;

use bytes::Bytes;
use common::*;
use flexgate_amf::Value;
use flexgate_gateway::config::{Config, StoreConfig};
use flexgate_messages::{uid, CommandOperation};
use flexgate_testkit::redis::KeyCleanup;
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request, StatusCode};

/// `a = 1+1+…+1` of about `bytes` bytes.
fn chain(bytes: usize) -> String {
    format!("a = 1{}", "+1".repeat(bytes.saturating_sub(5) / 2))
}

/// Subscribes with `selector` and expects the `Client.Message` fault.
async fn refused(client: &mut FlexClient, consumer: &str, selector: &str) {
    let r = client
        .send_one(subscribe("chat", consumer, None, Some(selector)))
        .await;
    assert!(!r.is_result(), "{r:?}");
    assert_eq!(r.fault_code(), Some("Client.Message"), "{r:?}");
}

async fn answers_pings(server: &TestServer) {
    let mut other = FlexClient::new(server.url(AMF));
    other.ping().await;
    other.ping().await;
}

#[tokio::test]
async fn chain_bombs_are_refused_and_the_server_keeps_answering() {
    // The default length bound refuses both before parsing; with the bound
    // raised, the node bound refuses them while parsing. Either way the
    // fault is the same and nothing is stored.
    for max_selector_bytes in [None, Some(1 << 20)] {
        let mut config = Config::default();
        // The header value bound (64 KiB) would refuse the 200 KB selector
        // first: lift it so that the selector's own bounds are what refuse.
        config.limits.max_header_value_bytes = 1 << 20;
        if let Some(max) = max_selector_bytes {
            config.limits.max_selector_bytes = max;
        }
        let server = TestServer::start(config).await;
        let mut client = FlexClient::new(server.url(AMF));
        client.ping().await;
        for bytes in [30_000, 200_000] {
            refused(&mut client, "BOMBER", &chain(bytes)).await;
            answers_pings(&server).await;
        }
        // What a Consumer does after a failed subscribe: unsubscribe.
        let mut unsub = unsubscribe("chat", "BOMBER", None);
        unsub.base_mut().headers.set(
            flexgate_messages::headers::DS_SELECTOR,
            chain(200_000).as_str(),
        );
        let r = client.send_one(unsub).await;
        assert!(r.is_result(), "{r:?}");
        // The server is intact: a legal selector subscribes and delivers.
        let ok = client
            .send_one(subscribe("chat", "FINE", None, Some("a = 1+1")))
            .await;
        assert!(ok.is_result(), "{ok:?}");
        let mut m = publish("chat", Value::from("two"), None);
        m.base_mut().headers.set("a", 2);
        assert!(client.send_one(m).await.is_result());
        let poll = client.send_one(command(CommandOperation::Poll, "")).await;
        let got = polled(&poll);
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].base().body, Value::from("two"));
        let status = server
            .running
            .broker()
            .subscriptions(client.ds_id.as_deref().expect("DSId"));
        let subs = status.await.expect("subscriptions");
        assert_eq!(subs.len(), 1);
        assert_eq!(subs[0].key.client_id, "FINE");
    }
}

#[tokio::test]
async fn a_like_bomb_against_a_2_mb_header_does_not_hold_up_the_server() {
    // A 2 MB header is refused at the door by default (max_header_value_bytes,
    // tests/hardening.rs); let it in, to show the selector does not read it.
    let mut config = Config::default();
    config.limits.max_header_value_bytes = 4 << 20;
    let server = TestServer::start(config).await;
    let mut consumer = FlexClient::new(server.url(AMF));
    consumer.ping().await;
    // The longest pattern the default bound lets through.
    let pattern = format!("%{}b", "a".repeat(4_000));
    let selector = format!("h LIKE '{pattern}'");
    let r = consumer
        .send_one(subscribe("chat", "LIKER", None, Some(&selector)))
        .await;
    assert!(r.is_result(), "{r:?}");
    // Sees both messages: the 2 MB header does arrive.
    let r = consumer
        .send_one(subscribe("chat", "PRESENT", None, Some("h IS NOT NULL")))
        .await;
    assert!(r.is_result(), "{r:?}");

    let mut producer = FlexClient::new(server.url(AMF));
    producer.ping().await;
    let send = |body: &str, header: String| {
        let mut m = publish("chat", Value::from(body), None);
        m.base_mut().headers.set("h", header.as_str());
        m
    };
    // 2 MB: past the header bound, so not inspected (and not selected).
    let mut huge = "a".repeat(2_000_000);
    huge.push('b');
    // 60 KB, within the bound: inspected, and it matches.
    let mut fits = "a".repeat(60_000);
    fits.push('b');
    let replies = producer
        .send(vec![send("huge", huge), send("fits", fits)])
        .await;
    assert!(replies.iter().all(Reply::is_result), "{replies:?}");

    // The poll evaluates the selector; an unrelated client is served
    // meanwhile and the poll completes with the matching message.
    let url = server.url(AMF);
    let poller = tokio::spawn(async move {
        let poll = consumer.send_one(command(CommandOperation::Poll, "")).await;
        polled(&poll)
    });
    answers_pings(&server).await;
    let got = poller.await.expect("poll task");
    let to = |consumer: &str| {
        got.iter()
            .filter(|m| m.base().client_id.as_deref() == Some(consumer))
            .map(|m| m.base().body.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(to("LIKER"), [Value::from("fits")]);
    assert_eq!(to("PRESENT"), [Value::from("huge"), Value::from("fits")]);
    let mut again = FlexClient::new(url);
    again.ping().await;
}

// ----- two nodes on one Redis -----

async fn status_json(server: &TestServer) -> serde_json::Value {
    let req = Request::builder()
        .method(Method::GET)
        .uri(server.url("/status.json"))
        .body(Full::new(Bytes::new()))
        .expect("request");
    let res = http().request(req).await.expect("server answers");
    assert_eq!(res.status(), StatusCode::OK);
    let body = res.into_body().collect().await.expect("body").to_bytes();
    serde_json::from_slice(&body).expect("status.json is JSON")
}

#[tokio::test]
#[cfg_attr(
    not(flexgate_redis),
    ignore = "needs Redis: redis-server on the PATH or FLEXGATE_TEST_REDIS (scripts/test installs it)"
)]
async fn with_redis_a_bomb_refused_on_one_node_leaves_the_other_serving() {
    let url = flexgate_testkit::redis::url();
    let prefix = format!("flexgate-test:selector-bombs:{}:", uid::new_uid());
    let _cleanup = KeyCleanup::new(&url, &prefix);
    let node = || Config {
        store: StoreConfig::Redis {
            url: url.clone(),
            prefix: prefix.clone(),
        },
        ..Config::default()
    };
    let node1 = TestServer::start(node()).await;
    let node2 = TestServer::start(node()).await;

    let mut client = FlexClient::new(node1.url(AMF));
    client.ping().await;
    for bytes in [30_000, 200_000] {
        refused(&mut client, "BOMBER", &chain(bytes)).await;
    }
    let ok = client
        .send_one(subscribe("chat", "FINE", None, Some("a = 1")))
        .await;
    assert!(ok.is_result(), "{ok:?}");

    // Node 2 lists the shared state: only the legal subscription is there.
    let s = status_json(&node2).await;
    let id = client.ds_id.clone().expect("DSId");
    let clients = s["clients"].as_array().expect("clients");
    let me = clients
        .iter()
        .find(|c| c["id"] == id.as_str())
        .unwrap_or_else(|| panic!("client {id} not listed: {s}"));
    assert_eq!(me["subscriptions"], 1, "{s}");
    answers_pings(&node2).await;
    answers_pings(&node1).await;
}
