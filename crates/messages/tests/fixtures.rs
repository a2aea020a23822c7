//! Decodes the py3amf-generated request fixtures (see fixtures/README.md)
//! and checks the fields the README documents.

mod common;

use common::{decode_packet, fixture_files, fixtures_dir, member};
use flexgate_amf::Value;
use flexgate_messages::headers::*;
use flexgate_messages::{ArrayCollection, CommandOperation, Message};

const DSID: &str = "7B0ACE2B-1F4E-4C8D-A3E1-0D5F6A7B8C9D";
const CONSUMER: &str = "C0000000-0000-4000-8000-000000000001";

fn mid(n: u32) -> String {
    format!("A0000000-0000-4000-8000-0000000000{n:02}")
}

/// The Flex messages of one request fixture, one per `"null"` body.
fn messages(name: &str) -> Vec<Message> {
    let packet = decode_packet(&fixtures_dir().join("requests").join(name));
    packet
        .bodies
        .iter()
        .filter(|b| &*b.target == "null")
        .map(|b| Message::from_request_body(&b.value).unwrap_or_else(|e| panic!("{name}: {e}")))
        .collect()
}

fn one(name: &str) -> Message {
    let mut m = messages(name);
    assert_eq!(m.len(), 1, "{name}");
    m.remove(0)
}

fn command(name: &str) -> (Message, CommandOperation) {
    let m = one(name);
    let op = match &m {
        Message::Command(c) => c.operation,
        other => panic!("{name}: not a command: {other:?}"),
    };
    (m, op)
}

#[test]
fn every_request_fixture_decodes() {
    let files = fixture_files("requests");
    // The fixtures are in the repository: none found is a broken checkout.
    assert!(!files.is_empty(), "no fixtures/requests/*.amf");
    for path in files {
        let packet = decode_packet(&path);
        for body in packet.bodies.iter().filter(|b| &*b.target == "null") {
            Message::from_request_body(&body.value)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        }
    }
}

#[test]
fn reply_fixtures_decode() {
    let files = fixture_files("replies");
    assert!(!files.is_empty(), "no fixtures/replies/*.amf");
    for path in files {
        let packet = decode_packet(&path);
        for body in &packet.bodies {
            if matches!(&body.value, Value::Object(_) | Value::External(_)) {
                if let Ok(m) = Message::from_value(&body.value) {
                    assert!(m.correlation_id().is_some(), "{}", path.display());
                }
            }
        }
    }
}

#[test]
fn pings() {
    for name in ["ping.amf", "ping_len0.amf", "ping_small.amf"] {
        let (m, op) = command(name);
        assert_eq!(op, CommandOperation::ClientPing, "{name}");
        assert_eq!(
            m.header(DS_ID).and_then(Value::as_str),
            Some("nil"),
            "{name}"
        );
        assert_eq!(
            m.header(DS_MESSAGING_VERSION).and_then(Value::as_f64),
            Some(1.0),
            "{name}"
        );
        assert_eq!(m.client_id(), None);
    }
    assert_eq!(one("ping.amf").message_id(), Some(mid(2).as_str()));
    assert_eq!(one("ping_small.amf").message_id(), Some(mid(16).as_str()));
    // The full-form ping has the AS3 defaults destination '' and correlationId ''.
    let ping = one("ping.amf");
    assert_eq!(ping.destination(), Some(""));
    assert_eq!(ping.correlation_id(), Some(""));
}

#[test]
fn login_logout() {
    let (m, op) = command("login.amf");
    assert_eq!(op, CommandOperation::Login);
    assert_eq!(m.destination(), Some("auth"));
    assert_eq!(m.message_id(), Some(mid(3).as_str()));
    assert_eq!(m.body().as_str(), Some("YWxpY2U6c2VjcmV0"));
    assert_eq!(m.header(DS_ID).and_then(Value::as_str), Some(DSID));
    assert_eq!(
        m.header(DS_REMOTE_CREDENTIALS).and_then(Value::as_str),
        Some("")
    );

    let (m, op) = command("logout.amf");
    assert_eq!(op, CommandOperation::Logout);
    assert_eq!(m.destination(), Some("auth"));
    assert_eq!(m.message_id(), Some(mid(4).as_str()));
}

#[test]
fn subscriptions() {
    let (m, op) = command("subscribe.amf");
    assert_eq!(op, CommandOperation::Subscribe);
    assert_eq!(m.destination(), Some("chat"));
    assert_eq!(m.client_id(), Some(CONSUMER));
    assert_eq!(m.message_id(), Some(mid(5).as_str()));
    let h = &m.base().headers;
    assert_eq!(h.get_str(DS_ID), Some(DSID));
    assert_eq!(h.get_str(DS_SUBTOPIC), Some("room.1"));
    assert_eq!(h.get_str(DS_SELECTOR), Some("priority > 2"));

    let (m, op) = command("unsubscribe.amf");
    assert_eq!(op, CommandOperation::Unsubscribe);
    assert_eq!(m.client_id(), Some(CONSUMER));
    assert_eq!(m.base().headers.get_str(DS_SUBTOPIC), Some("room.1"));
    assert_eq!(m.message_id(), Some(mid(6).as_str()));

    let (m, op) = command("multi_subscribe.amf");
    assert_eq!(op, CommandOperation::MultiSubscribe);
    let list = |name| -> Vec<String> {
        m.header(name)
            .and_then(Value::as_array)
            .map(|a| {
                a.dense
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(
        list(DS_ADD_SUB),
        vec![
            format!("room.2{SUBTOPIC_SEPARATOR}priority > 2"),
            format!("room.3{SUBTOPIC_SEPARATOR}")
        ]
    );
    assert_eq!(list(DS_REM_SUB), vec!["room.1_;_".to_owned()]);
}

#[test]
fn poll_disconnect_trigger() {
    let (m, op) = command("poll.amf");
    assert_eq!(op, CommandOperation::Poll);
    assert_eq!(m.message_id(), Some(mid(8).as_str()));
    assert_eq!(m.base().headers.get_str(DS_ID), Some(DSID));

    let (m, op) = command("poll_small.amf");
    assert_eq!(op, CommandOperation::Poll);
    assert_eq!(m.client_id(), Some(DSID));
    assert_eq!(m.message_id(), Some(mid(17).as_str()));
    assert_eq!(m.base().timestamp, 1_577_934_245_678);
    assert_eq!(m.base().headers.get_str(DS_ID), Some(DSID));

    let (m, op) = command("disconnect.amf");
    assert_eq!(op, CommandOperation::Disconnect);
    assert_eq!(m.message_id(), Some(mid(9).as_str()));

    let (m, op) = command("trigger_connect.amf");
    assert_eq!(op, CommandOperation::TriggerConnect);
    assert_eq!(m.destination(), Some("chat"));
    assert_eq!(m.message_id(), Some(mid(10).as_str()));
}

fn check_chat_body(body: &Value) {
    assert_eq!(member(body, "user").as_str(), Some("bob"));
    assert_eq!(member(body, "text").as_str(), Some("hi"));
    assert_eq!(member(body, "n"), &Value::Integer(3));
}

#[test]
fn publishes() {
    for (name, id) in [("publish.amf", 11), ("publish_small.amf", 18)] {
        let m = one(name);
        assert!(matches!(m, Message::Async(_)), "{name}");
        assert_eq!(m.destination(), Some("chat"));
        assert_eq!(m.message_id(), Some(mid(id).as_str()));
        assert_eq!(m.base().headers.get_str(DS_SUBTOPIC), Some("room.1"));
        assert_eq!(m.base().headers.get_str(DS_ID), Some(DSID));
        check_chat_body(m.body());
    }
    assert_eq!(one("publish_small.amf").client_id(), Some(CONSUMER));

    let m = one("publish_arraycollection.amf");
    assert_eq!(m.message_id(), Some(mid(12).as_str()));
    let ac = m
        .body()
        .as_external::<ArrayCollection>()
        .expect("ArrayCollection body");
    let items = ac.items();
    assert_eq!(items.len(), 3);
    assert_eq!(items[0].as_str(), Some("a"));
    assert_eq!(items[1], Value::Integer(2));
    assert_eq!(member(&items[2], "k").as_str(), Some("v"));
}

#[derive(Debug, Clone, PartialEq)]
struct Person {
    name: String,
    age: i32,
}
flexgate_messages::amf_class!(Person = "com.example.Person" { age, name });

#[test]
fn remoting() {
    let m = one("remoting_echo.amf");
    let Message::Remoting(r) = &m else {
        panic!("not remoting: {m:?}")
    };
    assert_eq!(r.operation, "echo");
    assert_eq!(r.source, None);
    assert_eq!(m.destination(), Some("EchoService"));
    assert_eq!(m.message_id(), Some(mid(13).as_str()));
    assert_eq!(m.base().headers.get_str(DS_ENDPOINT), Some("my-amf"));
    let args = m.body().as_array().expect("argument array");
    let people: Vec<Person> = flexgate_messages::FromAmf::from_amf(&args.dense[0]).unwrap();
    assert_eq!(
        people,
        vec![
            Person {
                name: "Ann".into(),
                age: 31
            },
            Person {
                name: "Ben".into(),
                age: 42
            },
            Person {
                name: "Cy".into(),
                age: 7
            },
        ]
    );

    let both = messages("two_bodies.amf");
    assert_eq!(both.len(), 2);
    assert_eq!(both[0].message_id(), Some(mid(14).as_str()));
    assert_eq!(both[1].message_id(), Some(mid(15).as_str()));
    assert_eq!(
        both[1].body().as_array().unwrap().dense[0].as_str(),
        Some("second")
    );
}

#[test]
fn small_ack_reply() {
    let path = fixtures_dir().join("replies/ping_ack_small.amf");
    let packet = decode_packet(&path);
    let m = Message::from_value(&packet.bodies[0].value).unwrap();
    assert!(matches!(m, Message::Acknowledge(_)));
    assert_eq!(m.client_id(), Some(DSID));
    assert_eq!(m.message_id(), Some("A0000000-0000-4000-8000-000000000021"));
    assert_eq!(m.correlation_id(), Some(mid(16).as_str()));
    assert_eq!(m.base().timestamp, 1_577_934_245_678);
}
