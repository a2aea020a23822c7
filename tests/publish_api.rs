//! The publish API (`POST /api/publish`, docs/backends.md): a JSON message
//! with a bearer token reaches a long-polling Flex consumer as an
//! AsyncMessage; every refusal is its status with a JSON error.

mod common;

use bytes::Bytes;
use common::{polled, subscribe, FlexClient, TestServer, LONG_POLLING};
use flexgate_amf::{Date, Value};
use flexgate_gateway::config::Config;
use flexgate_messages::headers as h;
use flexgate_messages::{CommandOperation, Message};
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request, StatusCode};
use serde_json::{json, Value as Json};

const TOKEN: &str = "s3cret-publish-token";

fn config_with_token() -> Config {
    let mut config = Config::default();
    config.api.token = Some(TOKEN.into());
    config
}

/// A request to the API: status, `WWW-Authenticate`, and the JSON body.
async fn call(
    server: &TestServer,
    method: Method,
    token: Option<&str>,
    body: Vec<u8>,
) -> (StatusCode, Option<String>, Json) {
    let mut req = Request::builder()
        .method(method)
        .uri(server.url("/api/publish"))
        .header("content-type", "application/json");
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let req = req.body(Full::new(Bytes::from(body))).expect("request");
    let res = common::http().request(req).await.expect("answered");
    let status = res.status();
    let challenge = res
        .headers()
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&bytes)));
    (status, challenge, body)
}

async fn publish(server: &TestServer, body: &Json) -> (StatusCode, Option<String>, Json) {
    call(
        server,
        Method::POST,
        Some(TOKEN),
        body.to_string().into_bytes(),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_published_message_reaches_a_long_polling_consumer() {
    let server = TestServer::start(config_with_token()).await;
    let mut consumer = FlexClient::new(server.url(LONG_POLLING));
    consumer.ping().await;
    let r = consumer
        .send_one(subscribe(
            "chat",
            "consumer-1",
            Some("room.1"),
            Some("priority > 3"),
        ))
        .await;
    assert!(r.is_result(), "{r:?}");
    let poll = tokio::spawn(async move {
        consumer
            .send_one(common::command(CommandOperation::Poll, "chat"))
            .await
    });
    common::until("the poll waits", || server.running.waiting_polls() == 1).await;

    let (status, _, answer) = publish(
        &server,
        &json!({
            "destination": "chat",
            "subtopic": "room.1",
            "headers": {"priority": 5},
            "body": {"$class": "com.example.Note", "text": "hello", "at": {"$date": "2009-03-04T05:06:07.000Z"}},
            "ttl_ms": 30000
        }),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{answer}");
    let id = answer["messageId"].as_str().expect("messageId").to_owned();

    let reply = tokio::time::timeout(std::time::Duration::from_secs(10), poll)
        .await
        .expect("the poll returns")
        .expect("poll task");
    let messages = polled(&reply);
    let [Message::Async(m)] = messages.as_slice() else {
        panic!("one AsyncMessage: {messages:?}")
    };
    assert_eq!(m.base.message_id.as_deref(), Some(id.as_str()));
    assert_eq!(m.base.client_id.as_deref(), Some("consumer-1"));
    assert_eq!(m.base.headers.get_str(h::DS_SUBTOPIC), Some("room.1"));
    assert_eq!(m.base.headers.get("priority"), Some(&Value::Integer(5)));
    assert_eq!(m.base.time_to_live, 30_000);
    let note = m.base.body.as_object().expect("typed body");
    assert_eq!(note.class(), "com.example.Note");
    assert_eq!(note.get("text"), Some(&Value::from("hello")));
    assert_eq!(
        note.get("at"),
        Some(&Value::Date(Date {
            millis: 1_236_143_167_000.0
        }))
    );
    server.running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_refusal_is_its_status_with_a_json_error() {
    let mut config = config_with_token();
    config.limits.max_api_body_bytes = 1024;
    let server = TestServer::start(config).await;
    let ok = json!({"destination": "chat", "body": "x"})
        .to_string()
        .into_bytes();

    for token in [None, Some("wrong"), Some("s3cret-publish-toke")] {
        let (status, challenge, body) = call(&server, Method::POST, token, ok.clone()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{token:?}");
        assert_eq!(challenge.as_deref(), Some("Bearer realm=\"flexgate\""));
        assert_eq!(body["error"], "unauthorized");
    }
    let (status, _, body) = call(&server, Method::GET, Some(TOKEN), Vec::new()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::METHOD_NOT_ALLOWED, Some("method_not_allowed"))
    );

    let bad = [
        json!("not an object"),
        json!({"body": 1}),
        json!({"destination": "chat", "bodyy": 1}),
        json!({"destination": "chat", "body": {"$date": "soon"}}),
        json!({"destination": "chat", "headers": {"DSId": "spoofed"}}),
        json!({"destination": "chat", "subtopic": "room.*"}),
    ];
    for b in bad {
        let (status, _, body) = publish(&server, &b).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{b} → {body}");
        assert_eq!(body["error"], "bad_request");
        assert!(
            body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{body}"
        );
    }
    let (status, _, _) = call(&server, Method::POST, Some(TOKEN), b"{not json".to_vec()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    for missing in ["nowhere", "EchoService"] {
        let (status, _, body) = publish(&server, &json!({"destination": missing})).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{missing}");
        assert!(
            body["message"]
                .as_str()
                .is_some_and(|m| m.contains(missing)),
            "{body}"
        );
    }

    let big = json!({"destination": "chat", "body": "x".repeat(2000)});
    let (status, _, body) = publish(&server, &big).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("too_large"))
    );
    server.running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_token_there_is_no_api() {
    let server = TestServer::start(Config::default()).await;
    let body = json!({"destination": "chat"}).to_string().into_bytes();
    let (status, _, answer) = call(&server, Method::POST, Some("anything"), body).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(answer["error"], "not_found");
    server.running.shutdown().await;
}

#[test]
fn a_token_file_is_read_and_a_bad_one_refused() {
    let dir = std::env::temp_dir().join(format!("flexgate-api-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("token");
    std::fs::write(&file, "  from-a-file\n").expect("written");
    let text = format!("[api]\ntoken_file = {:?}\n", file.display().to_string());
    let config = Config::parse(&text).expect("parses");
    assert_eq!(
        config.api.secret().expect("readable").as_deref(),
        Some("from-a-file")
    );
    let missing = format!(
        "[api]\ntoken_file = {:?}\n",
        dir.join("nope").display().to_string()
    );
    assert!(Config::parse(&missing).is_err());
    assert!(Config::parse("[api]\ntoken = \"\"\n").is_err());
    assert!(Config::parse(&format!("[api]\ntoken = \"t\"\n{}", &text[6..])).is_err());
    let _ = std::fs::remove_dir_all(&dir);
}
