//! What Ruffle 0.6 sends (fixtures/ruffle/, captured running real Flex and
//! Flash SWFs): anonymous AMF0 Flex messages, ECMA-array argument lists, a
//! NetConnection at `/` and a target with no dot. Each request gets a
//! reply a Ruffle client reads: an AMF0 envelope whose bodies are full-form
//! messages as AMF0 typed objects with their `flex.messaging.messages.*`
//! alias (what BlazeDS writes for an AMF0 envelope; Ruffle's AMF0 reader
//! maps a typed object to the class registered under its alias).

mod common;

use common::{cookie_pair, fixture, post, post_with_cookie, TestServer, AMF, LONG_POLLING};
use flexgate_amf::{Packet, Value, Version};
use flexgate_gateway::config::Config;
use flexgate_messages::{headers as h, registry, Message};
use hyper::StatusCode;

/// Destinations and the user the captured SWFs expected.
const CONFIG: &str = r#"
[channels.my-amf]
kind = "amf"
path = "/messagebroker/amf"
[channels.my-longpolling-amf]
kind = "long-polling"
path = "/messagebroker/amflongpolling"
wait_interval_ms = 0
[channels.root]
kind = "amf"
path = "/"

[destinations.echo]
kind = "remoting"
source = "EchoService"
default_method = "echo"
[destinations.ExampleService]
kind = "remoting"
source = "EchoService"
[destinations.messages]
kind = "messaging"
[destinations.test]
kind = "messaging"

[users.correct]
password = "correct"
"#;

fn config() -> Config {
    Config::parse(CONFIG).expect("config")
}

/// Posts a Ruffle fixture to `path` and decodes the AMF reply, keeping the
/// session cookie as the browser running Ruffle does.
async fn send(server: &TestServer, path: &str, name: &str) -> Packet {
    send_in(server, path, name, &mut None).await
}

async fn send_in(
    server: &TestServer,
    path: &str,
    name: &str,
    cookie: &mut Option<String>,
) -> Packet {
    let r = post_with_cookie(
        &server.url(path),
        "application/x-amf",
        fixture(&format!("ruffle/{name}")),
        cookie.as_deref(),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{name}: {}",
        String::from_utf8_lossy(&r.body)
    );
    assert_eq!(r.content_type, "application/x-amf");
    if let Some(set) = &r.set_cookie {
        *cookie = Some(cookie_pair(set));
    }
    let reply = Packet::decode(r.body, registry()).expect("reply decodes");
    assert_eq!(
        reply.version,
        Version::Amf0,
        "{name}: an AMF0 envelope back"
    );
    reply
}

/// The message of every body, each checked to be a full-form typed object.
fn messages(name: &str, reply: &Packet) -> Vec<(String, Message)> {
    reply
        .bodies
        .iter()
        .map(|b| {
            let Value::Object(o) = &b.value else {
                panic!("{name}: body is not an AMF0 typed object: {:?}", b.value);
            };
            assert!(
                o.class().starts_with("flex.messaging.messages."),
                "{name}: alias {:?}",
                o.class()
            );
            let m = Message::from_value(&b.value).expect("a Flex message");
            (b.target.to_string(), m)
        })
        .collect()
}

fn body_str(m: &Message) -> Option<&str> {
    m.base().body.as_str()
}

#[tokio::test]
async fn the_ping_is_acknowledged_with_a_client_id() {
    let server = TestServer::start(config()).await;
    let reply = send(&server, AMF, "007_ping.amf").await;
    let got = messages("007", &reply);
    assert_eq!(got.len(), 1);
    let (target, ack) = &got[0];
    assert_eq!(target, "/1/onResult");
    assert!(matches!(ack, Message::Acknowledge(_)), "{ack:?}");
    let ds_id = ack.header(h::DS_ID).and_then(Value::as_str).expect("DSId");
    assert_eq!(ds_id.len(), 36);
    server.running.shutdown().await;
}

#[tokio::test]
async fn a_remote_object_call_with_an_ecma_array_body_is_answered() {
    let server = TestServer::start(config()).await;
    for name in [
        "008_remoting_echo_ecma_body.amf",
        "049_remoting_echo_after_login.amf",
    ] {
        let reply = send(&server, AMF, name).await;
        let got = messages(name, &reply);
        let (target, ack) = &got[0];
        assert_eq!(target, "/1/onResult", "{name}: {ack:?}");
        assert_eq!(body_str(ack), Some("Hello World!"), "{name}");
    }
    server.running.shutdown().await;
}

#[tokio::test]
async fn login_subscribe_publish_and_polls_are_answered() {
    let server = TestServer::start(config()).await;
    let jar = &mut None;
    let login = send_in(&server, AMF, "046_login.amf", jar).await;
    let (target, ack) = &messages("046", &login)[0];
    assert_eq!(target, "/1/onResult", "{ack:?}");
    let mut consumer = None;
    for (path, name) in [
        (AMF, "021_subscribe.amf"),
        (AMF, "024_publish.amf"),
        (AMF, "022_poll.amf"),
        (LONG_POLLING, "053_subscribe_longpoll.amf"),
        (AMF, "036_cmd7.amf"),
        (AMF, "049_remoting_echo_after_login.amf"),
        (AMF, "048_logout.amf"),
    ] {
        let reply = send_in(&server, path, name, jar).await;
        let got = messages(name, &reply);
        assert_eq!(got.len(), reply.bodies.len(), "{name}");
        for (target, m) in &got {
            // Every body was read as the Flex message it is: a fault, if
            // any, is about what it asked, never about its encoding.
            if let Message::Error(e) = m {
                let code = e.fault_code.as_deref().unwrap_or_default();
                assert_ne!(code, "Client.Message.Encoding", "{name} {target}: {e:?}");
            }
        }
        match name {
            "021_subscribe.amf" | "024_publish.amf" | "048_logout.amf" => {
                assert_eq!(got[0].0, "/1/onResult", "{name}: {:?}", got[0].1);
            }
            "022_poll.amf" => consumer = Some(got[0].1.clone()),
            _ => {}
        }
    }
    // The subscriber's poll delivered the publish.
    let polled = consumer.expect("polled");
    let body = &polled.base().body;
    let delivered = body
        .as_array()
        .and_then(|a| a.dense.first())
        .map(|m| Message::from_value(m).expect("a message"));
    assert_eq!(
        delivered.as_ref().and_then(body_str),
        Some("Hello World!"),
        "{polled:?}"
    );
    server.running.shutdown().await;
}

#[tokio::test]
async fn a_netconnection_at_the_root_path_and_a_bare_target_are_answered() {
    let server = TestServer::start(config()).await;
    let at_root = send(&server, "/", "003_netconnection_root_path.amf").await;
    let b = &at_root.bodies[0];
    assert_eq!(
        (b.target.as_str(), b.value.as_str()),
        ("/1/onResult", Some("Hello World!"))
    );
    let bare = send(&server, AMF, "005_netconnection_target_without_dot.amf").await;
    let b = &bare.bodies[0];
    assert_eq!(
        (b.target.as_str(), b.value.as_str()),
        ("/1/onResult", Some("Hello World!"))
    );
    // Other paths are no channel even with one at `/`.
    let (status, _, _) = post(&server.url("/elsewhere"), "application/x-amf", Vec::new()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    server.running.shutdown().await;
}

#[tokio::test]
async fn a_bare_target_without_a_default_method_is_refused() {
    let mut config = config();
    config
        .destinations
        .get_mut("echo")
        .expect("echo")
        .default_method = None;
    let server = TestServer::start(config).await;
    let reply = send(&server, AMF, "005_netconnection_target_without_dot.amf").await;
    let b = &reply.bodies[0];
    assert_eq!(b.target.as_str(), "/1/onStatus");
    let code = b
        .value
        .as_object()
        .and_then(|o| o.get("code"))
        .and_then(Value::as_str);
    assert_eq!(code, Some("Server.Processing"));
    server.running.shutdown().await;
}

#[tokio::test]
async fn anonymous_messages_can_be_turned_off() {
    let mut config = config();
    config.compat.anonymous_messages = false;
    let server = TestServer::start(config).await;
    let reply = send(&server, AMF, "007_ping.amf").await;
    let (target, m) = &messages("007", &reply)[0];
    assert_eq!(target, "/1/onStatus");
    assert_eq!(
        m.base().body.clone(),
        Value::Null,
        "an ErrorMessage, not an ack: {m:?}"
    );
    assert!(matches!(m, Message::Error(_)));
    server.running.shutdown().await;
}
