//! The operator pages' shared traffic and HTTP helpers (tests/status_json.rs,
//! tests/status_page.rs): a gateway with users, known traffic, and reads of
//! `/status.json` that wait for the sampler.

use super::{
    add_user, base64, command, http, login, polled, publish, subscribe, FlexClient, TestServer, AMF,
};
use bytes::Bytes;
use flexgate_amf::Value;
use flexgate_gateway::config::Config;
use flexgate_messages::CommandOperation;
use http_body_util::{BodyExt, Full};
use hyper::{HeaderMap, Method, Request, StatusCode};
use std::time::{Duration, Instant};

/// A gateway with users `alice` (role `operator`) and `bob` (no role).
pub(crate) fn config_with_users() -> Config {
    let mut config = Config::default();
    add_user(&mut config, "alice", "secret", &["operator"]);
    add_user(&mut config, "bob", "secret", &[]);
    config
}

/// Known traffic: a consumer logged in as alice, subscribed to `chat` on
/// `room.1` and `room.*`, a producer publishing `published` messages to
/// `room.1`, and one poll by the consumer that takes them all.
pub(crate) struct Traffic {
    pub(crate) consumer: FlexClient,
    pub(crate) producer: FlexClient,
}

pub(crate) async fn traffic(server: &TestServer, published: usize) -> Traffic {
    let mut consumer = FlexClient::new(server.url(AMF));
    consumer.ping().await;
    let login = consumer.send_one(login("alice", "secret")).await;
    assert!(login.is_result(), "{login:?}");
    for subtopic in ["room.1", "room.*"] {
        let sub = consumer
            .send_one(subscribe("chat", "CONSUMER-1", Some(subtopic), None))
            .await;
        assert!(sub.is_result(), "{sub:?}");
    }
    let mut producer = FlexClient::new(server.url(AMF));
    producer.ping().await;
    for i in 0..published {
        let r = producer
            .send_one(publish(
                "chat",
                Value::from(format!("m{i}")),
                Some("room.1"),
            ))
            .await;
        assert!(r.is_result(), "{r:?}");
    }
    let poll = consumer.send_one(command(CommandOperation::Poll, "")).await;
    // One consumer with two matching filters gets each message once.
    assert_eq!(polled(&poll).len(), published);
    Traffic { consumer, producer }
}

/// A request; `auth` is `user:password` for HTTP Basic.
pub(crate) async fn request(
    method: Method,
    url: &str,
    auth: Option<&str>,
) -> (StatusCode, HeaderMap, String) {
    let mut req = Request::builder().method(method).uri(url);
    if let Some(a) = auth {
        req = req.header("authorization", format!("Basic {}", base64(a.as_bytes())));
    }
    let req = req.body(Full::new(Bytes::new())).expect("request");
    let res = http().request(req).await.expect("server answers");
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.expect("body").to_bytes();
    (
        status,
        headers,
        String::from_utf8(body.to_vec()).expect("UTF-8 body"),
    )
}

/// A GET without credentials.
pub(crate) async fn get(url: &str) -> (StatusCode, HeaderMap, String) {
    request(Method::GET, url, None).await
}

/// `/status.json`, checked to be 200 JSON, parsed.
pub(crate) async fn status_json(server: &TestServer) -> serde_json::Value {
    let (status, headers, body) = get(&server.url("/status.json")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(headers["content-type"], "application/json");
    serde_json::from_str(&body).expect("status.json is JSON")
}

/// Polls `/status.json` until `ready` holds (or fails after 20 s): waits for
/// the once-a-second sampler or a parked poll without asserting on time.
pub(crate) async fn status_when(
    server: &TestServer,
    what: &str,
    ready: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let s = status_json(server).await;
        if ready(&s) {
            return s;
        }
        assert!(Instant::now() < deadline, "never saw {what}: {s}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
