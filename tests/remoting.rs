//! RemoteObject and NetConnection calls over real HTTP, security, and what
//! the server does with bad HTTP and bad AMF.

mod common;

use bytes::Bytes;
use common::*;
use flexgate_amf::{Body, Header, Object, Packet, Str, Value, Version};
use flexgate_gateway::config::{Config, DestinationConfig, DestinationKind};
use flexgate_gateway::remoting::Service;
use flexgate_gateway::Gateway;
use flexgate_messages::{
    amf_class, registry, AmfClass, ArrayCollection, CommandOperation, Fault, FaultCode, Message,
};
use hyper::StatusCode;
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq)]
struct Person {
    name: String,
    age: i32,
}
amf_class!(Person = "com.example.Person" { age, name });

fn people() -> Vec<Person> {
    (0..3)
        .map(|i| Person {
            name: format!("P{i}"),
            age: 30 + i,
        })
        .collect()
}

#[tokio::test]
async fn remote_object_echoes_an_array_collection_of_typed_objects() {
    let server = TestServer::start(Config::default()).await;
    let mut c = FlexClient::new(server.url(AMF));
    c.ping().await;
    let items = people().iter().map(AmfClass::to_value).collect();
    let collection = Value::External(Arc::new(ArrayCollection::from_items(items)));
    let reply = c
        .send_one(remote("EchoService", "echo", vec![collection.clone()]))
        .await;
    assert!(reply.is_result(), "{reply:?}");
    assert_eq!(reply.message.body(), &collection);
    let back = reply
        .message
        .body()
        .as_external::<ArrayCollection>()
        .expect("an ArrayCollection");
    let back: Vec<Person> = back
        .items()
        .iter()
        .map(|v| Person::from_value(v).expect("a Person"))
        .collect();
    assert_eq!(back, people());
    server.running.shutdown().await;
}

#[tokio::test]
async fn typed_arguments_unknown_methods_and_panics() {
    let greeter = Service::new()
        .method("older", |call| async move {
            let p = Person::from_value(call.args.first().unwrap_or(&Value::Null))
                .map_err(|e| Fault::new(FaultCode::ServerProcessing, e.to_string()))?;
            Ok(Person {
                age: p.age + 1,
                ..p
            }
            .to_value())
        })
        .method("boom", |_| async move { panic!("boom") });
    let mut config = Config {
        listen: "127.0.0.1:0".parse().expect("address"),
        ..Config::default()
    };
    config.destinations.insert(
        "Greeter".into(),
        DestinationConfig {
            kind: DestinationKind::Remoting,
            ..DestinationConfig::default()
        },
    );
    let server = TestServer::start_gateway(Gateway::new(config).service("Greeter", greeter)).await;
    let mut c = FlexClient::new(server.url(AMF));
    c.ping().await;
    let ann = Person {
        name: "Ann".into(),
        age: 41,
    };
    let replies = c
        .send(vec![
            remote("Greeter", "older", vec![ann.to_value()]),
            remote("Greeter", "nope", vec![]),
            remote("Greeter", "boom", vec![]),
            remote("Nowhere", "x", vec![]),
            remote("Greeter", "older", vec![Value::from("not a person")]),
        ])
        .await;
    assert_eq!(
        Person::from_value(replies[0].message.body()).ok(),
        Some(Person {
            age: 42,
            ..ann.clone()
        })
    );
    assert_eq!(replies[1].fault_code(), Some("Server.ResourceUnavailable"));
    assert_eq!(replies[2].fault_code(), Some("Server.Processing"));
    assert_eq!(replies[3].fault_code(), Some("Server.Processing"));
    assert_eq!(replies[4].fault_code(), Some("Server.Processing"));
    // The panic did not take the server down.
    assert!(c
        .send_one(remote("Greeter", "older", vec![ann.to_value()]))
        .await
        .is_result());
    server.running.shutdown().await;
}

fn legacy_packet(version: Version, headers: Vec<Header>, target: &str, args: Vec<Value>) -> Packet {
    Packet {
        version,
        headers,
        bodies: vec![Body {
            target: target.into(),
            response: Str::from_static("/1"),
            value: Value::array(args),
        }],
    }
}

#[tokio::test]
async fn net_connection_calls_in_amf0_and_amf3() {
    let server = TestServer::start(Config::default()).await;
    let obj = Value::object(Object::anonymous([("k", Value::from("v"))]));
    for version in [Version::Amf0, Version::Amf3] {
        let p = legacy_packet(
            version,
            vec![],
            "EchoService.echoAll",
            vec![Value::from("a"), Value::Number(2.0), obj.clone()],
        );
        let reply = exchange(&server.url(AMF), &p).await;
        assert_eq!(reply.version, version);
        assert_eq!(reply.bodies[0].target, "/1/onResult");
        assert_eq!(reply.bodies[0].response, "null");
        assert_eq!(
            reply.bodies[0].value,
            Value::array(vec![Value::from("a"), Value::Number(2.0), obj.clone()])
        );
    }
    // A failure is an onStatus object {message, code, details, rootCause}.
    let p = legacy_packet(Version::Amf0, vec![], "EchoService.missing", vec![]);
    let reply = exchange(&server.url(AMF), &p).await;
    assert_eq!(reply.bodies[0].target, "/1/onStatus");
    let status = reply.bodies[0].value.as_object().expect("status object");
    assert_eq!(
        status.get("code").and_then(Value::as_str),
        Some("Server.ResourceUnavailable")
    );
    assert!(status.get("message").and_then(Value::as_str).is_some());
    server.running.shutdown().await;
}

/// An AMF1 packet (FMS) is read as AMF0 and answered as AMF0: BlazeDS's
/// AmfMessageDeserializer rewrites the version before the reply copies it.
#[tokio::test]
async fn an_amf1_packet_is_answered_as_amf0() {
    let server = TestServer::start(Config::default()).await;
    let p = legacy_packet(
        Version::Amf1,
        vec![],
        "EchoService.echo",
        vec![Value::from("x")],
    );
    let (status, _, body) = post(
        &server.url(AMF),
        "application/x-amf",
        p.encode_request().expect("encodes"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(&body[..2], [0, 0], "the reply's version");
    let reply = Packet::decode(body, registry()).expect("reply decodes");
    assert_eq!(reply.bodies[0].target, "/1/onResult");
    assert_eq!(reply.bodies[0].value, Value::from("x"));
    server.running.shutdown().await;
}

#[tokio::test]
async fn py3amf_request_fixtures_get_answers() {
    let server = TestServer::start(Config::default()).await;
    // The fixtures share one DSId: like a browser, keep the session cookie
    // the gateway set on first contact, to which that DSId gets bound.
    let mut cookie: Option<String> = None;
    for (file, target) in [
        ("requests/ping.amf", "/1/onResult"),
        ("requests/ping_small.amf", "/1/onResult"),
        ("requests/ping_len0.amf", "/1/onResult"),
        // echo(x) takes one argument; these fixtures send three (as BlazeDS's
        // capture legacy/05_amf0_three_args: a count fault).
        ("requests/legacy_amf0.amf", "/1/onStatus"),
        ("requests/legacy_amf3.amf", "/1/onStatus"),
        ("requests/remoting_echo.amf", "/1/onResult"),
        ("requests/login.amf", "/1/onStatus"),
    ] {
        let r = post_with_cookie(
            &server.url(AMF),
            "application/x-amf",
            fixture(file),
            cookie.as_deref(),
        )
        .await;
        if let Some(set) = &r.set_cookie {
            cookie = Some(cookie_pair(set));
        }
        let (status, body) = (r.status, r.body);
        assert_eq!(
            status,
            StatusCode::OK,
            "{file}: {}",
            String::from_utf8_lossy(&body)
        );
        let reply = Packet::decode(body, registry()).expect("reply decodes");
        assert_eq!(
            reply.bodies[0].target, target,
            "{file}: {:?}",
            reply.bodies[0].value
        );
    }
    // The py3amf RemoteObject call echoes its ArrayCollection of 3 Persons.
    let r = post_with_cookie(
        &server.url(AMF),
        "application/x-amf",
        fixture("requests/remoting_echo.amf"),
        cookie.as_deref(),
    )
    .await;
    let reply = Packet::decode(r.body, registry()).expect("decodes");
    let ack = Message::from_value(&reply.bodies[0].value).expect("a message");
    let collection = ack
        .body()
        .as_external::<ArrayCollection>()
        .expect("ArrayCollection");
    assert_eq!(collection.items().len(), 3);
    server.running.shutdown().await;
}

fn secured_config() -> Config {
    let mut config = Config::default();
    add_user(&mut config, "alice", "secret", &["traders"]);
    add_user(&mut config, "bob", "hunter2", &["guests"]);
    add_secured_destination(&mut config, "prices", &["traders"]);
    config
}

#[tokio::test]
async fn secured_destinations_require_login_and_role() {
    let server = TestServer::start(secured_config()).await;
    let mut c = FlexClient::new(server.url(AMF));
    c.ping().await;
    let sub = c.send_one(subscribe("prices", "P", None, None)).await;
    assert_eq!(sub.fault_code(), Some("Client.Authentication"));
    let publish_denied = c.send_one(publish("prices", Value::from(1), None)).await;
    assert_eq!(publish_denied.fault_code(), Some("Client.Authentication"));

    let bad = c.send_one(login("alice", "wrong")).await;
    assert_eq!(bad.target, "/4/onStatus");
    assert_eq!(bad.fault_code(), Some("Client.Authentication"));

    let mut guest = FlexClient::new(server.url(AMF));
    guest.ping().await;
    assert!(guest.send_one(login("bob", "hunter2")).await.is_result());
    assert_eq!(
        guest
            .send_one(subscribe("prices", "G", None, None))
            .await
            .fault_code(),
        Some("Client.Authorization")
    );

    let ok = c.send_one(login("alice", "secret")).await;
    assert!(ok.is_result(), "{ok:?}");
    assert_eq!(ok.message.body(), &Value::from("success"));
    assert!(c
        .send_one(subscribe("prices", "P", None, None))
        .await
        .is_result());
    assert!(
        c.send_one(remote("EchoService", "whoAmI", vec![]))
            .await
            .message
            .body()
            == &Value::from("alice")
    );

    assert!(c
        .send_one(command(CommandOperation::Logout, "auth"))
        .await
        .is_result());
    assert_eq!(
        c.send_one(publish("prices", Value::from(2), None))
            .await
            .fault_code(),
        Some("Client.Authentication")
    );
    server.running.shutdown().await;
}

#[tokio::test]
async fn legacy_credentials_header() {
    let mut config = secured_config();
    config.destinations.insert(
        "EchoService".into(),
        DestinationConfig {
            kind: DestinationKind::Remoting,
            roles: vec!["traders".into()],
            ..DestinationConfig::default()
        },
    );
    let server = TestServer::start(config).await;
    let call = |headers| legacy_packet(Version::Amf0, headers, "EchoService.whoAmI", vec![]);
    let creds = |user: &str, pw: &str| Header {
        name: "Credentials".into(),
        must_understand: false,
        value: Value::object(Object::anonymous([
            ("userid", Value::from(user)),
            ("password", Value::from(pw)),
        ])),
    };
    let code = |p: &Packet| {
        p.bodies[0]
            .value
            .as_object()
            .and_then(|o| o.get("code"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let r = exchange(&server.url(AMF), &call(vec![])).await;
    assert_eq!(code(&r).as_deref(), Some("Client.Authentication"));
    let r = exchange(&server.url(AMF), &call(vec![creds("alice", "nope")])).await;
    assert_eq!(code(&r).as_deref(), Some("Client.Authentication"));
    let r = exchange(&server.url(AMF), &call(vec![creds("alice", "secret")])).await;
    assert_eq!(r.bodies[0].value, Value::from("alice"));
    server.running.shutdown().await;
}

#[tokio::test]
async fn http_errors_and_the_server_keeps_serving() {
    let mut config = Config::default();
    config.limits.max_body_bytes = 4096;
    let server = TestServer::start(config).await;
    let url = server.url(AMF);
    let (s, _, body) = post(&url, "application/x-amf", vec![0, 3, 0, 0, 0, 1, 0, 4]).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        String::from_utf8_lossy(&body).contains("byte 6"),
        "{body:?}"
    );
    let (s, _, _) = post(&url, "text/plain", fixture("requests/ping.amf")).await;
    assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let (s, _, _) = post(&url, "application/x-amf", vec![0; 5000]).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    let (s, _, _) = post(&server.url("/nothing/here"), "application/x-amf", vec![]).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let get = hyper::Request::get(&url)
        .body(http_body_util::Full::new(Bytes::new()))
        .expect("request");
    let res = http().request(get).await.expect("answers");
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    // 1,000 nested arrays, past max_depth: refused quickly, not a stack
    // overflow. The envelope is readable, so the body gets a fault
    // (BlazeDS answers an undecodable body so too), not an HTTP error.
    let mut deep = vec![
        0, 3, 0, 0, 0, 1, 0, 4, b'n', b'u', b'l', b'l', 0, 2, b'/', b'1', 0, 0, 0, 0, 0x11,
    ];
    deep.extend([0x09u8, 0x03, 0x01].repeat(1000));
    let (s, _, body) = post(&url, "application/x-amf", deep).await;
    assert_eq!(s, StatusCode::OK);
    let (target, code, _) = first_fault(body);
    assert_eq!(target, "/1/onStatus");
    assert_eq!(code.as_deref(), Some("Client.Message.Encoding"));
    // Still serving.
    let mut c = FlexClient::new(url);
    c.ping().await;
    assert!(c.ds_id.is_some());
    server.running.shutdown().await;
}
