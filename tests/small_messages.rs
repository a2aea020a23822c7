//! When replies go in small form (DSK, DSC), as BlazeDS decides it: the
//! client advertised `DSMessagingVersion` on a ping or a login, the reply
//! travels in an AMF3 envelope, and the channel enables small messages.

mod common;

use common::*;
use flexgate_amf::{Body, Packet, Value, Version};
use flexgate_gateway::config::Config;
use flexgate_messages::headers as h;
use flexgate_messages::{CommandOperation, Form, Message};

/// The wire class of a reply body's message: `DSK` or a full class name.
fn wire_class(v: &Value) -> String {
    match v {
        Value::External(e) => e.class_name().to_owned(),
        other => other
            .as_object()
            .map(|o| o.class().to_owned())
            .unwrap_or_else(|| panic!("not a message: {other:?}")),
    }
}

/// Sends `m` as client `ds_id` in an envelope of `version`, in the session
/// `cookie`; returns the reply body's value.
async fn send(
    url: &str,
    version: Version,
    cookie: &mut Option<String>,
    ds_id: &str,
    mut m: Message,
) -> Value {
    m.base_mut().headers.set(h::DS_ID, ds_id);
    m.base_mut().message_id = Some(flexgate_messages::uid::new_uid());
    let packet = Packet {
        version,
        headers: vec![],
        bodies: vec![Body {
            target: "null".into(),
            response: "/1".into(),
            value: Value::array(vec![m.to_value(Form::Full)]),
        }],
    };
    let mut reply = exchange_with_cookie(url, &packet, cookie).await;
    assert!(reply.bodies[0].target.ends_with("/onResult"), "{reply:?}");
    reply.bodies.remove(0).value
}

fn ping(version: Option<f64>) -> Message {
    let mut ping = command(CommandOperation::ClientPing, "");
    if let Some(v) = version {
        ping.base_mut().headers.set(h::DS_MESSAGING_VERSION, v);
    }
    ping
}

fn ds_id_of(reply: &Value) -> String {
    let m = Message::from_value(reply).expect("a Flex message");
    m.header(h::DS_ID)
        .and_then(Value::as_str)
        .expect("DSId")
        .to_owned()
}

const ACK: &str = "flex.messaging.messages.AcknowledgeMessage";

#[tokio::test]
async fn an_amf0_envelope_gets_full_replies() {
    let server = TestServer::start(Config::default()).await;
    let url = server.url(AMF);
    let mut cookie = None;
    let first = send(&url, Version::Amf0, &mut cookie, "nil", ping(Some(1.0))).await;
    // Small messages are on for this client, but not in an AMF0 envelope.
    assert_eq!(wire_class(&first), ACK);
    let id = ds_id_of(&first);
    let again = send(&url, Version::Amf0, &mut cookie, &id, ping(None)).await;
    assert_eq!(wire_class(&again), ACK);
    let amf3 = send(&url, Version::Amf3, &mut cookie, &id, ping(None)).await;
    assert_eq!(wire_class(&amf3), "DSK");
    server.running.shutdown().await;
}

#[tokio::test]
async fn a_login_with_messaging_version_turns_small_messages_on() {
    let mut config = Config::default();
    add_user(&mut config, "alice", "secret", &[]);
    let server = TestServer::start(config).await;
    let url = server.url(AMF);
    let mut cookie = None;
    let first = send(&url, Version::Amf3, &mut cookie, "nil", ping(None)).await;
    assert_eq!(wire_class(&first), ACK);
    let id = ds_id_of(&first);
    let mut login = login("alice", "secret");
    login.base_mut().headers.set(h::DS_MESSAGING_VERSION, 1.0);
    let ack = send(&url, Version::Amf3, &mut cookie, &id, login).await;
    assert_eq!(wire_class(&ack), "DSK");
    let later = send(&url, Version::Amf3, &mut cookie, &id, ping(None)).await;
    assert_eq!(wire_class(&later), "DSK");
    server.running.shutdown().await;
}

#[tokio::test]
async fn a_channel_without_small_messages_answers_full_forms() {
    let mut config = Config::default();
    for channel in config.channels.values_mut() {
        channel.enable_small_messages = false;
    }
    let server = TestServer::start(config).await;
    let url = server.url(AMF);
    let mut cookie = None;
    let first = send(&url, Version::Amf3, &mut cookie, "nil", ping(Some(1.0))).await;
    assert_eq!(wire_class(&first), ACK);
    let m = Message::from_value(&first).expect("a Flex message");
    // The server still says which version it speaks, as BlazeDS does.
    assert_eq!(
        m.header(h::DS_MESSAGING_VERSION).and_then(Value::as_f64),
        Some(1.0)
    );
    let id = ds_id_of(&first);
    let sub = subscribe("chat", "C1", None, None);
    let ack = send(&url, Version::Amf3, &mut cookie, &id, sub).await;
    assert_eq!(wire_class(&ack), ACK);
    server.running.shutdown().await;
}

#[tokio::test]
async fn the_channel_switch_is_read_from_toml() {
    let dir = std::env::temp_dir().join(format!("flexgate-small-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("flexgate.toml");
    std::fs::write(
        &file,
        "[channels.plain]\nkind = \"amf\"\npath = \"/plain\"\nenable_small_messages = false\n",
    )
    .expect("writes");
    let config = Config::load(&file).expect("loads");
    std::fs::remove_dir_all(&dir).expect("cleans up");
    assert!(!config.channels["plain"].enable_small_messages);
    assert!(Config::default().channels["my-amf"].enable_small_messages);
}
