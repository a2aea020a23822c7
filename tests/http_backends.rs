//! Remoting destinations served by HTTP backends (docs/backends.md): a
//! RemoteObject call over real HTTP reaches a Python (standard library)
//! and a Node (`node:http`) backend started here, and comes back typed;
//! backend faults, a slow backend and a backend that is down each give
//! their documented fault within the timeout.

mod common;

use common::backend::BackendProcess;
use common::{add_user, exchange_with_headers, login, remote, FlexClient, Reply, TestServer, AMF};
use flexgate_amf::{Body, Date, Object, Packet, Str, Traits, Value, Version};
use flexgate_gateway::config::{
    Config, DestinationConfig, DestinationKind, HttpBackendConfig, ListEncoding,
};
use flexgate_messages::{ArrayCollection, Message};
use std::time::Duration;

/// The destination every scenario calls, and its timeout.
const ORDERS: &str = "Orders";
const TIMEOUT_MS: u64 = 1_000;
/// 2009-03-04T05:06:07.000Z and a day later.
const PLACED_MS: f64 = 1_236_143_167_000.0;
const DAY_MS: f64 = 86_400_000.0;

fn config_for(url: &str) -> Config {
    let mut config = Config::default();
    add_user(&mut config, "alice", "secret", &["traders"]);
    let http = HttpBackendConfig {
        timeout_ms: TIMEOUT_MS,
        ..HttpBackendConfig::new(url)
    };
    config.destinations.insert(
        ORDERS.into(),
        DestinationConfig {
            kind: DestinationKind::Remoting,
            http: Some(http),
            ..DestinationConfig::default()
        },
    );
    config
}

/// A call that must be answered well within the timeout (a hang fails).
async fn call(client: &mut FlexClient, operation: &str, args: Vec<Value>) -> Reply {
    let m = remote(ORDERS, operation, args);
    tokio::time::timeout(Duration::from_secs(10), client.send_one(m))
        .await
        .unwrap_or_else(|_| panic!("{operation}: no answer within 10 s"))
}

fn result(reply: &Reply) -> &Value {
    assert!(reply.is_result(), "{reply:?}");
    &reply.message.base().body
}

fn fault(reply: &Reply) -> (String, String, Option<String>) {
    match &reply.message {
        Message::Error(e) if !reply.is_result() => (
            e.fault_code.clone().unwrap_or_default(),
            e.fault_string.clone().unwrap_or_default(),
            e.fault_detail.clone(),
        ),
        other => panic!("not a fault: {other:?}"),
    }
}

fn member<'v>(v: &'v Value, name: &str) -> &'v Value {
    v.as_object()
        .and_then(|o| o.get(name))
        .unwrap_or_else(|| panic!("no member {name} in {v:?}"))
}

/// A `[RemoteClass(alias="com.example.Order")]` instance, as Flash sends it.
fn order() -> Value {
    let traits = Traits::sealed("com.example.Order", &["id", "placed", "lines", "note"]);
    let lines = ArrayCollection::from_items(vec![Value::from("tea"), Value::from("cake")]);
    Value::object(Object::typed(
        traits,
        vec![
            Value::Integer(7),
            Value::Date(Date { millis: PLACED_MS }),
            lines.into_value(),
            Value::from("ünïcode ✓"),
        ],
    ))
}

/// Everything a backend must do, in `lang`.
async fn scenarios(server: &TestServer, lang: &str) {
    let mut client = FlexClient::new(server.url(AMF));
    client.ping().await;
    assert!(client.send_one(login("alice", "secret")).await.is_result());

    // Typed objects and dates both ways, principal, headers and messageId.
    let mut m = remote(ORDERS, "describe", vec![order()]);
    m.base_mut().message_id = Some("MSG-1".into());
    let reply = tokio::time::timeout(Duration::from_secs(10), client.send_one(m))
        .await
        .expect("describe answered");
    let receipt = result(&reply);
    let o = receipt.as_object().expect("object");
    assert_eq!(o.class(), "com.example.Receipt", "{lang}");
    assert!(!o.traits.dynamic, "a typed result is sealed, as a bean");
    let echoed = member(receipt, "order");
    assert_eq!(
        echoed.as_object().map(Object::class),
        Some("com.example.Order")
    );
    assert_eq!(
        member(echoed, "placed"),
        &Value::Date(Date { millis: PLACED_MS })
    );
    assert_eq!(member(echoed, "note"), &Value::from("ünïcode ✓"));
    assert_eq!(
        member(receipt, "due"),
        &Value::Date(Date {
            millis: PLACED_MS + DAY_MS
        })
    );
    assert_eq!(member(receipt, "lines"), &Value::Integer(2));
    assert_eq!(member(receipt, "by"), &Value::from("alice"));
    assert_eq!(
        member(receipt, "roles"),
        &Value::array(vec!["traders".into()])
    );
    assert_eq!(member(receipt, "lang"), &Value::from(lang));
    assert_eq!(member(receipt, "messageId"), &Value::from("MSG-1"));
    assert_eq!(
        member(receipt, "clientId").as_str(),
        client.ds_id.as_deref()
    );

    // Natural values come back as they went.
    let values = vec![
        Value::Integer(-5),
        Value::Number(2.5),
        Value::from(true),
        Value::Null,
        Value::ByteArray(bytes::Bytes::from_static(b"\x00\x01\xfe\xff")),
        Value::object(Object::anonymous([
            ("a", Value::Integer(1)),
            ("b", Value::from("x")),
        ])),
        Value::array(vec![
            Value::Integer(1),
            Value::array(vec![Value::from("nested")]),
        ]),
    ];
    let echoed = result(&call(&mut client, "echoAll", values.clone()).await).clone();
    assert_eq!(echoed, Value::array(values), "{lang}");
    let nan = result(&call(&mut client, "echo", vec![Value::Number(f64::NAN)]).await).clone();
    assert!(matches!(nan, Value::Number(n) if n.is_nan()), "{nan:?}");

    // The backend's fault, with its code, string and detail.
    let (code, string, detail) = fault(&call(&mut client, "fail", vec![]).await);
    assert_eq!(
        (code.as_str(), string.as_str()),
        ("Orders.Rejected", "order rejected")
    );
    assert_eq!(detail.as_deref(), Some(lang));

    // A slow method: Server.Processing at the timeout, not a hang.
    let (code, string, _) = fault(&call(&mut client, "slow", vec![Value::Integer(5_000)]).await);
    assert_eq!(code, "Server.Processing");
    assert!(
        string.contains("'Orders'") && string.contains("within 1000 ms"),
        "{string}"
    );

    // Answers that are not the protocol.
    let (code, string, _) = fault(&call(&mut client, "garbage", vec![]).await);
    assert_eq!(code, "Server.Processing");
    assert!(
        string.contains("'Orders'") && string.contains("invalid JSON"),
        "{string}"
    );
    let (_, string, _) = fault(&call(&mut client, "status500", vec![]).await);
    assert!(string.contains("HTTP 500"), "{string}");

    // The trace id header reaches the backend: a new trace per call.
    let first = traceparent(&call(&mut client, "trace", vec![]).await);
    let second = traceparent(&call(&mut client, "trace", vec![]).await);
    assert_ne!(first[1], second[1], "a new trace per call");

    // The connection pool survives the slow call's abandoned connection.
    let again = result(&call(&mut client, "echo", vec![Value::from("again")]).await).clone();
    assert_eq!(again, Value::from("again"));
}

/// The `traceparent` a backend saw, split at its dashes (checked to be
/// version 00 with a 32- and a 16-digit id).
fn traceparent(reply: &Reply) -> Vec<String> {
    let seen = result(reply).as_str().expect("a traceparent");
    let parts: Vec<String> = seen.split('-').map(str::to_owned).collect();
    assert_eq!(parts.len(), 4, "{seen}");
    assert_eq!(parts[0], "00", "{seen}");
    assert_eq!((parts[1].len(), parts[2].len()), (32, 16), "{seen}");
    parts
}

/// A Flex client's request with a valid `traceparent` (a proxy added it):
/// the backend call continues that trace under a parent id of the
/// gateway's own, and the gateway's request span names it; invalid ones
/// are ignored.
async fn incoming_trace_is_continued(server: &TestServer, trace_id: &str) {
    let logs = common::logs::capture_logs();
    let caller_span = "00f067aa0ba902b7";
    let incoming = format!("00-{trace_id}-{caller_span}-01");
    let mut client = FlexClient::new(server.url(AMF));
    client.http_headers = vec![("traceparent".into(), incoming.clone())];
    client.ping().await;
    let seen = traceparent(&call(&mut client, "trace", vec![]).await);
    assert_eq!(seen[1], trace_id, "the same trace: {seen:?}");
    assert_ne!(seen[2], caller_span, "the gateway's own parent id");
    assert_eq!(seen[3], "01", "the caller's flags");
    // Every event inside the request span shows the trace; the backend's
    // "backend answered" (debug) is one.
    let text = common::logs::captured(&logs);
    let in_request_span = text.lines().any(|line| {
        line.split_once("}:")
            .is_some_and(|(request, _)| request.contains(&format!("trace_id={trace_id}")))
            && line.contains("request{")
    });
    assert!(
        in_request_span,
        "no request span with trace_id={trace_id}:\n{text}"
    );

    // A legacy NetConnection call `Orders.trace` continues it too.
    let legacy = Packet {
        version: Version::Amf0,
        headers: Vec::new(),
        bodies: vec![Body {
            target: Str::from(format!("{ORDERS}.trace")),
            response: Str::from_static("/1"),
            value: Value::array(Vec::new()),
        }],
    };
    let reply =
        exchange_with_headers(&server.url(AMF), &legacy, &mut None, &client.http_headers).await;
    let body = reply.bodies.first().expect("a reply body");
    assert_eq!(body.target, "/1/onResult", "{:?}", body.value);
    let seen = body.value.as_str().expect("the traceparent seen");
    assert_eq!(seen.split('-').nth(1), Some(trace_id), "{seen}");

    // Invalid: each starts a new trace instead.
    let upper = trace_id.to_uppercase();
    for bad in [
        format!("00-{upper}-{caller_span}-01"),
        format!("01-{trace_id}-{caller_span}-01"),
        format!("00-{}-{caller_span}-01", "0".repeat(32)),
        format!("00-{trace_id}-{}-01", "0".repeat(16)),
        format!("00-{trace_id}-{caller_span}-01-00"),
        format!("00-{}-{caller_span}-01", &trace_id[1..]),
    ] {
        client.http_headers = vec![("traceparent".into(), bad.clone())];
        let seen = traceparent(&call(&mut client, "trace", vec![]).await);
        assert_ne!(seen[1], trace_id, "{bad} was continued");
        assert_ne!(seen[1], "0".repeat(32), "{bad}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(flexgate_python), ignore = "needs python3 on the PATH")]
async fn a_python_backend_serves_remote_object_calls() {
    let python = flexgate_testkit::require(flexgate_testkit::python());
    let backend = BackendProcess::start(&python, "backend.py");
    let server = TestServer::start(config_for(&backend.url)).await;
    scenarios(&server, "python").await;
    incoming_trace_is_continued(&server, "4bf92f3577b34da6a3ce929d0e0e4736").await;
    server.running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(flexgate_node), ignore = "needs node on the PATH")]
async fn a_node_backend_serves_remote_object_calls() {
    let node = flexgate_testkit::require(flexgate_testkit::node());
    let backend = BackendProcess::start(&node, "backend.js");
    let server = TestServer::start(config_for(&backend.url)).await;
    scenarios(&server, "node").await;
    incoming_trace_is_continued(&server, "0af7651916cd43dd8448eb211c80319c").await;
    server.running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backend_that_is_down_is_a_fault_naming_the_destination() {
    // A port nothing listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let server = TestServer::start(config_for(&format!("http://127.0.0.1:{port}/rpc"))).await;
    let mut client = FlexClient::new(server.url(AMF));
    client.ping().await;
    let (code, string, _) = fault(&call(&mut client, "echo", vec![Value::Integer(1)]).await);
    assert_eq!(code, "Server.Processing");
    assert!(
        string.contains("'Orders'") && string.contains("cannot be reached"),
        "{string}"
    );
    assert!(string.to_lowercase().contains("refused"), "{string}");
    server.running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_argument_without_a_json_form_is_refused_before_the_backend() {
    let server = TestServer::start(config_for("http://127.0.0.1:9/rpc")).await;
    let mut client = FlexClient::new(server.url(AMF));
    client.ping().await;
    // An AsyncMessage in small form (DSA) is externalizable: no JSON form.
    let dsa = flexgate_messages::AsyncMessageExt::new(flexgate_messages::AsyncMessage::default())
        .into_value();
    let (code, string, _) = fault(&call(&mut client, "echo", vec![dsa]).await);
    assert_eq!(code, "Client.Message.Deserialize.InvalidType");
    assert!(
        string.contains("'Orders'") && string.contains("DSA"),
        "{string}"
    );
    server.running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(flexgate_python), ignore = "needs python3 on the PATH")]
async fn a_backend_destination_with_collection_lists_answers_array_collections() {
    let python = flexgate_testkit::require(flexgate_testkit::python());
    let backend = BackendProcess::start(&python, "backend.py");
    let mut config = config_for(&backend.url);
    if let Some(d) = config.destinations.get_mut(ORDERS) {
        d.lists = ListEncoding::ArrayCollection;
    }
    let server = TestServer::start(config).await;
    let mut client = FlexClient::new(server.url(AMF));
    client.ping().await;
    let rows = Value::array(vec![
        Value::Integer(1),
        Value::array(vec![Value::from("x")]),
    ]);
    let echoed = result(&call(&mut client, "echo", vec![rows]).await).clone();
    let outer = echoed
        .as_external::<ArrayCollection>()
        .unwrap_or_else(|| panic!("not a collection: {echoed:?}"));
    assert_eq!(outer.items()[0], Value::Integer(1));
    assert!(
        outer.items()[1].as_external::<ArrayCollection>().is_some(),
        "nested lists convert too"
    );
    server.running.shutdown().await;
}
