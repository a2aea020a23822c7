//! Fault replies shaped as BlazeDS sends them (issue #15 §2, items 9, 10
//! and 12; captures in shared/blazeds-reference faults/, remoting/ and
//! legacy/): a refused login still names the Flex client, remoting calls
//! with an unknown method or the wrong argument count fault as BlazeDS's
//! MethodMatcher, and legacy fault objects carry `level`/`description`.

mod common;

use common::*;
use flexgate_amf::{Body, Object, Packet, Str, Value, Version};
use flexgate_gateway::config::{Config, DestinationConfig, DestinationKind};
use flexgate_gateway::remoting::{Arity, Service};
use flexgate_gateway::Gateway;
use flexgate_messages::headers as h;
use flexgate_messages::{CommandOperation, ErrorMessage, Message};

/// The ErrorMessage of a reply sent on onStatus.
fn error_of(reply: &Reply) -> &ErrorMessage {
    assert!(reply.target.ends_with("/onStatus"), "{reply:?}");
    match &reply.message {
        Message::Error(e) => e,
        other => panic!("not an ErrorMessage: {other:?}"),
    }
}

/// faultCode, faultString, faultDetail.
fn fault_of(reply: &Reply) -> (Option<&str>, Option<&str>, Option<&str>) {
    let e = error_of(reply);
    (
        e.fault_code.as_deref(),
        e.fault_string.as_deref(),
        e.fault_detail.as_deref(),
    )
}

#[tokio::test]
async fn a_refused_login_still_names_the_flex_client() {
    let mut config = Config::default();
    add_user(&mut config, "alice", "secret", &["traders"]);
    let server = TestServer::start(config).await;
    let mut c = FlexClient::new(server.url(AMF));
    c.ping().await;
    let ds_id = c.ds_id.clone().expect("pinged");

    let mut no_colon = command(CommandOperation::Login, "auth");
    no_colon.base_mut().body = Value::from(base64(b"alice"));
    for refused in [login("alice", "wrong"), no_colon] {
        let reply = c.send_one(refused).await;
        let e = error_of(&reply);
        assert_eq!(e.fault_code.as_deref(), Some("Client.Authentication"));
        // As capture faults/10_login_no_users: DSId, DSMessagingVersion and
        // a clientId although the request had none.
        assert_eq!(
            e.base.headers.get(h::DS_ID).and_then(Value::as_str),
            Some(ds_id.as_str())
        );
        assert_eq!(
            e.base
                .headers
                .get(h::DS_MESSAGING_VERSION)
                .and_then(Value::as_f64),
            Some(1.0)
        );
        assert!(
            e.base.client_id.as_deref().is_some_and(|id| id.len() == 36),
            "{e:?}"
        );
    }
    // The refusal recorded nothing: the same client still logs in.
    let ok = c.send_one(login("alice", "secret")).await;
    assert!(ok.is_result(), "{ok:?}");
    server.running.shutdown().await;
}

#[tokio::test]
async fn remoting_calls_are_matched_as_blazeds_method_matcher() {
    let server = TestServer::start(Config::default()).await;
    let mut c = FlexClient::new(server.url(AMF));
    c.ping().await;
    let replies = c
        .send(vec![
            remote("EchoService", "echo", vec![]),
            remote(
                "EchoService",
                "echo",
                vec![Value::from("a"), Value::from("b")],
            ),
            remote("EchoService", "nope", vec![Value::from(1)]),
            remote("EchoService", "echo", vec![Value::from("one")]),
        ])
        .await;
    // Captures remoting/07_echo_no_args, 08_echo_two_args, 09_unknown_operation.
    assert_eq!(
        fault_of(&replies[0]),
        (
            Some("Server.ResourceUnavailable"),
            Some("Cannot invoke method 'echo'."),
            Some("0 arguments were sent but 1 were expected.")
        )
    );
    assert_eq!(
        fault_of(&replies[1]),
        (
            Some("Server.ResourceUnavailable"),
            Some("Cannot invoke method 'echo'."),
            Some("2 arguments were sent but 1 were expected.")
        )
    );
    assert_eq!(
        fault_of(&replies[2]),
        (
            Some("Server.ResourceUnavailable"),
            Some("Cannot invoke method 'nope'."),
            Some("Method 'nope' not found.")
        )
    );
    assert!(replies[3].is_result(), "{:?}", replies[3]);
    assert_eq!(replies[3].message.body(), &Value::from("one"));
    server.running.shutdown().await;
}

#[tokio::test]
async fn a_service_declares_the_arity_of_its_methods() {
    let calc = Service::new()
        .method_with_arity("add", Arity::Exact(2), |call| async move {
            let n = |i: usize| call.args.get(i).and_then(Value::as_f64).unwrap_or(0.0);
            Ok(Value::Number(n(0) + n(1)))
        })
        .method("count", |call| async move {
            let n = u32::try_from(call.args.len()).unwrap_or(u32::MAX);
            Ok(Value::Number(f64::from(n)))
        });
    let mut config = Config {
        listen: "127.0.0.1:0".parse().expect("address"),
        ..Config::default()
    };
    config.destinations.insert(
        "Calc".into(),
        DestinationConfig {
            kind: DestinationKind::Remoting,
            ..DestinationConfig::default()
        },
    );
    let server = TestServer::start_gateway(Gateway::new(config).service("Calc", calc)).await;
    let mut c = FlexClient::new(server.url(AMF));
    c.ping().await;
    let three: Vec<Value> = (1..=3).map(|i| Value::Number(f64::from(i))).collect();
    let replies = c
        .send(vec![
            remote("Calc", "add", three[..2].to_vec()),
            remote("Calc", "add", three.clone()),
            remote("Calc", "count", vec![]),
            remote("Calc", "count", three),
        ])
        .await;
    assert_eq!(replies[0].message.body(), &Value::Number(3.0));
    assert_eq!(
        fault_of(&replies[1]).2,
        Some("3 arguments were sent but 2 were expected.")
    );
    // `.method` takes any number of arguments.
    assert_eq!(replies[2].message.body(), &Value::Number(0.0));
    assert_eq!(replies[3].message.body(), &Value::Number(3.0));
    server.running.shutdown().await;
}

#[tokio::test]
async fn legacy_faults_carry_level_and_description() {
    let server = TestServer::start(Config::default()).await;
    let call = |target: &str, args: Vec<Value>| Packet {
        version: Version::Amf0,
        headers: Vec::new(),
        bodies: vec![Body {
            target: target.into(),
            response: Str::from_static("/1"),
            value: Value::array(args),
        }],
    };
    let status = |p: &Packet| -> Object {
        assert_eq!(p.bodies[0].target, "/1/onStatus");
        p.bodies[0]
            .value
            .as_object()
            .expect("a status object")
            .clone()
    };
    let member = |o: &Object, name: &str| o.get(name).cloned();
    // Capture legacy/05_amf0_three_args, plus level and description.
    let three = vec![Value::from("a"), Value::from(2), Value::from("c")];
    let reply = exchange(&server.url(AMF), &call("EchoService.echo", three)).await;
    let o = status(&reply);
    assert_eq!(
        member(&o, "code"),
        Some(Value::from("Server.ResourceUnavailable"))
    );
    assert_eq!(
        member(&o, "message"),
        Some(Value::from("Cannot invoke method 'echo'."))
    );
    assert_eq!(
        member(&o, "details"),
        Some(Value::from("3 arguments were sent but 1 were expected."))
    );
    assert_eq!(member(&o, "rootCause"), Some(Value::Null));
    assert_eq!(member(&o, "level"), Some(Value::from("error")));
    assert_eq!(
        member(&o, "description"),
        Some(Value::from("Cannot invoke method 'echo'."))
    );
    // Capture legacy/07_amf0_unknown_method.
    let reply = exchange(&server.url(AMF), &call("EchoService.nope", vec![])).await;
    let o = status(&reply);
    assert_eq!(
        member(&o, "details"),
        Some(Value::from("Method 'nope' not found."))
    );
    assert_eq!(
        member(&o, "description"),
        Some(Value::from("Cannot invoke method 'nope'."))
    );
    server.running.shutdown().await;
}
