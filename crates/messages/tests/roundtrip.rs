//! Round trips of every class in both forms, byte-exact small forms derived
//! from the reference `writeExternal` methods, and forward compatibility.

use bytes::Bytes;
use flexgate_amf::{from_amf3, to_amf3, Object, Value};
use flexgate_messages::headers::{DS_ID, DS_SUBTOPIC};
use flexgate_messages::*;

const UID_A: &str = "A0000000-0000-4000-8000-000000000021";
const UID_C: &str = "7B0ACE2B-1F4E-4C8D-A3E1-0D5F6A7B8C9D";
const UID_K: &str = "A0000000-0000-4000-8000-000000000016";

fn decode(bytes: &[u8]) -> Message {
    let v = from_amf3(Bytes::copy_from_slice(bytes), registry()).expect("AMF3 decodes");
    Message::from_value(&v).expect("is a message")
}

fn round_trip(m: &Message, form: Form) -> Message {
    decode(&to_amf3(&m.to_value(form)).expect("encodes"))
}

fn base() -> AbstractMessage {
    AbstractMessage {
        body: Value::object(Object::anonymous([
            ("text", Value::from("hi")),
            ("n", 3.into()),
        ])),
        client_id: Some(UID_C.into()),
        destination: Some("chat".into()),
        headers: [(DS_ID, Value::from(UID_C)), (DS_SUBTOPIC, "room.1".into())]
            .into_iter()
            .collect(),
        message_id: Some(UID_A.into()),
        timestamp: 1_577_934_245_678,
        time_to_live: 30_000,
    }
}

fn samples() -> Vec<Message> {
    let mut odd_ids = base();
    // Not strict UIDs (lower case, free text): the small form sends them as strings.
    odd_ids.client_id = Some("a0000000-0000-4000-8000-000000000001".into());
    odd_ids.message_id = Some("msg-1".into());
    odd_ids.body = Value::Null;
    odd_ids.destination = None;
    vec![
        AsyncMessage {
            base: base(),
            correlation_id: Some(UID_K.into()),
        }
        .into(),
        AsyncMessage {
            base: odd_ids.clone(),
            correlation_id: Some(String::new()),
        }
        .into(),
        CommandMessage {
            base: base(),
            correlation_id: None,
            operation: CommandOperation::Poll,
        }
        .into(),
        CommandMessage {
            base: odd_ids.clone(),
            correlation_id: Some("x".into()),
            operation: CommandOperation::Other(42),
        }
        .into(),
        CommandMessage {
            base: base(),
            correlation_id: None,
            operation: CommandOperation::Subscribe,
        }
        .into(),
        AcknowledgeMessage {
            base: base(),
            correlation_id: Some(UID_K.into()),
        }
        .into(),
        AcknowledgeMessage {
            base: odd_ids,
            correlation_id: None,
        }
        .into(),
        ErrorMessage {
            base: base(),
            correlation_id: Some(UID_K.into()),
            fault_code: Some("Server.Processing".into()),
            fault_string: Some("boom".into()),
            fault_detail: None,
            root_cause: Value::object(Object::anonymous([("message", Value::from("why"))])),
            extended_data: Value::Null,
        }
        .into(),
        RemotingMessage {
            base: AbstractMessage {
                body: Value::array(vec!["first".into(), 2.into()]),
                ..base()
            },
            operation: "echo".into(),
            source: Some("com.example.Echo".into()),
        }
        .into(),
    ]
}

#[test]
fn every_class_round_trips_in_both_forms() {
    for m in samples() {
        for form in [Form::Full, Form::Small] {
            assert_eq!(round_trip(&m, form), m, "{form:?}");
        }
    }
}

#[test]
fn small_form_is_used_only_where_blazeds_uses_it() {
    let is_small = |m: &Message| matches!(m.to_value(Form::Small), Value::External(_));
    let kinds: Vec<(bool, bool)> = samples()
        .iter()
        .map(|m| {
            (
                is_small(m),
                matches!(m.to_value(Form::Full), Value::Object(_)),
            )
        })
        .collect();
    // async, async, poll, cmd 42, subscribe, ack, ack, error, remoting
    assert_eq!(
        kinds.iter().map(|k| k.0).collect::<Vec<_>>(),
        [true, true, true, false, false, true, true, false, false]
    );
    assert!(kinds.iter().all(|k| k.1));
}

#[test]
fn every_command_round_trips_through_dsc() {
    // Any operation can be forced into DSC; 0 (subscribe) is omitted on the wire.
    for code in [0, 1, 2, 4, 5, 7, 8, 9, 10, 11, 12, 13, 10000, 14, -3] {
        let cmd = CommandMessage {
            base: base(),
            correlation_id: None,
            operation: CommandOperation::from_code(code),
        };
        let v = CommandMessageExt::new(cmd.clone()).into_value();
        let back = decode(&to_amf3(&v).unwrap());
        assert_eq!(back, Message::Command(cmd), "operation {code}");
    }
}

fn uid_bytes(s: &str) -> Vec<u8> {
    let mut out = vec![0x0C, 0x21]; // ByteArray marker, U29 (16 << 1) | 1
    out.extend(uid::uid_to_bytes(s).unwrap());
    out
}

fn amf_str(s: &str) -> Vec<u8> {
    assert!(s.len() < 64);
    let mut out = vec![((s.len() as u8) << 1) | 1];
    out.extend_from_slice(s.as_bytes());
    out
}

fn double(n: f64) -> Vec<u8> {
    let mut out = vec![0x05];
    out.extend(n.to_be_bytes());
    out
}

/// Object marker 0x0A, traits U29 0x07 (inline, externalizable), class name.
fn ext_head(class: &str) -> Vec<u8> {
    let mut out = vec![0x0A, 0x07];
    out.extend(amf_str(class));
    out
}

/// `{DSId: id}` as an anonymous dynamic object: 0x0A, traits 0x0B (inline,
/// dynamic, 0 sealed), class "" (0x01), key, string value, end marker 0x01.
fn dsid_headers(id: &str) -> Vec<u8> {
    let mut out = vec![0x0A, 0x0B, 0x01];
    out.extend(amf_str("DSId"));
    out.push(0x06);
    out.extend(amf_str(id));
    out.push(0x01);
    out
}

#[test]
fn dsk_bytes_follow_write_external() {
    // AbstractMessage.writeExternal: body null (no 0x01), clientId is a UID
    // so it goes as bytes (no 0x02), no destination (no 0x04), headers (0x08),
    // messageId as bytes (no 0x10), timestamp != 0 (0x20), ttl 0 (no 0x40),
    // and some id went as bytes so HAS_NEXT (0x80): 0x08|0x20|0x80 = 0xA8.
    // Second byte: CLIENT_ID_BYTES 0x01 | MESSAGE_ID_BYTES 0x02 = 0x03.
    // Values: headers, timestamp (a Java long: AMF3 double), clientId bytes,
    // messageId bytes. AsyncMessage.writeExternal: correlationId is a UID ->
    // CORRELATION_ID_BYTES 0x02 + bytes. AcknowledgeMessage.writeExternal: 0x00.
    let ack = AcknowledgeMessage {
        base: AbstractMessage {
            client_id: Some(UID_C.into()),
            headers: [(DS_ID, Value::from(UID_C))].into_iter().collect(),
            message_id: Some(UID_A.into()),
            timestamp: 1_577_934_245_678,
            ..Default::default()
        },
        correlation_id: Some(UID_K.into()),
    };
    let mut want = ext_head("DSK");
    want.extend([0xA8, 0x03]);
    want.extend(dsid_headers(UID_C));
    want.extend(double(1_577_934_245_678.0));
    want.extend(uid_bytes(UID_C));
    want.extend(uid_bytes(UID_A));
    want.push(0x02);
    want.extend(uid_bytes(UID_K));
    want.push(0x00);
    let msg = Message::from(ack);
    assert_eq!(to_amf3(&msg.to_value(Form::Small)).unwrap(), want);
    assert_eq!(decode(&want), msg);
}

#[test]
fn dsc_poll_bytes_follow_write_external() {
    // Abstract: headers 0x08 | HAS_NEXT 0x80 = 0x88, then 0x03 (both ids as
    // bytes); headers, clientId bytes, messageId bytes. Async: no
    // correlationId -> flags 0x00. Command: operation 2 != 0 -> OPERATION
    // 0x01, then the AMF3 int 2 (0x04 0x02; Java writes an Integer).
    let poll = CommandMessage {
        base: AbstractMessage {
            client_id: Some(UID_C.into()),
            headers: [(DS_ID, Value::from(UID_C))].into_iter().collect(),
            message_id: Some(UID_A.into()),
            ..Default::default()
        },
        correlation_id: None,
        operation: CommandOperation::Poll,
    };
    let mut want = ext_head("DSC");
    want.extend([0x88, 0x03]);
    want.extend(dsid_headers(UID_C));
    want.extend(uid_bytes(UID_C));
    want.extend(uid_bytes(UID_A));
    want.extend([0x00, 0x01, 0x04, 0x02]);
    let msg = Message::from(poll);
    assert_eq!(to_amf3(&msg.to_value(Form::Small)).unwrap(), want);
    assert_eq!(decode(&want), msg);
}

#[test]
fn dsa_bytes_with_string_ids() {
    // body 0x01 | clientId as string 0x02 (not an upper-case UID) |
    // destination 0x04 | ttl 0x40 | HAS_NEXT 0x80 = 0xC7; second byte
    // MESSAGE_ID_BYTES 0x02. No headers (empty) and timestamp 0: omitted.
    // Values in bit order: body, clientId, destination, ttl (double), then
    // messageId bytes. Async: correlationId "" is not a UID -> 0x01 + string.
    let msg = Message::from(AsyncMessage {
        base: AbstractMessage {
            body: "hi".into(),
            client_id: Some("my-client".into()),
            destination: Some("chat".into()),
            message_id: Some(UID_A.into()),
            time_to_live: 1000,
            ..Default::default()
        },
        correlation_id: Some(String::new()),
    });
    let mut want = ext_head("DSA");
    want.extend([0xC7, 0x02, 0x06]);
    want.extend(amf_str("hi"));
    want.push(0x06);
    want.extend(amf_str("my-client"));
    want.push(0x06);
    want.extend(amf_str("chat"));
    want.extend(double(1000.0));
    want.extend(uid_bytes(UID_A));
    want.extend([0x01, 0x06, 0x01]); // correlationId flag, empty string
    assert_eq!(to_amf3(&msg.to_value(Form::Small)).unwrap(), want);
    assert_eq!(decode(&want), msg);
}

#[test]
fn unknown_flag_bits_are_skipped() {
    let mut bytes = ext_head("DSA");
    // Abstract level: byte 0 = destination 0x04 | HAS_NEXT; byte 1 =
    // MESSAGE_ID_BYTES 0x02 | unknown bit 0x04 | HAS_NEXT; byte 2 = unknown
    // bits 0x01 and 0x40 (bit 6, beyond the reference readers' `j < 6`).
    bytes.extend([0x84, 0x86, 0x41]);
    bytes.push(0x06);
    bytes.extend(amf_str("chat"));
    bytes.extend(uid_bytes(UID_A));
    bytes.push(0x06); // value of byte 1 bit 2: a string
    bytes.extend(amf_str("future"));
    bytes.extend([0x04, 0x07]); // byte 2 bit 0: int 7
    bytes.extend([0x0A, 0x0B, 0x01, 0x01]); // byte 2 bit 6: an empty object
                                            // Async level: correlationId 0x01 | unknown 0x08 | HAS_NEXT, then 0x02 (unknown bit 1).
    bytes.extend([0x89, 0x02, 0x06]);
    bytes.extend(amf_str("corr"));
    bytes.extend([0x03, 0x02]); // bit 3 value: true; byte 1 bit 1: false
    let m = decode(&bytes);
    assert_eq!(m.destination(), Some("chat"));
    assert_eq!(m.message_id(), Some(UID_A));
    assert_eq!(m.correlation_id(), Some("corr"));
    assert_eq!(m.body(), &Value::Null);

    // A DSK whose acknowledge level announces one value.
    let mut dsk = ext_head("DSK");
    dsk.extend([0x04, 0x06]);
    dsk.extend(amf_str("d"));
    dsk.extend([0x00, 0x01, 0x04, 0x05]);
    assert_eq!(decode(&dsk).destination(), Some("d"));
}

#[test]
fn dsc_without_operation_is_subscribe() {
    let mut dsc = ext_head("DSC");
    dsc.extend([0x00, 0x00, 0x00]);
    match decode(&dsc) {
        Message::Command(c) => assert_eq!(c.operation, CommandOperation::Subscribe),
        other => panic!("{other:?}"),
    }
}

#[test]
fn malformed_small_forms_are_errors() {
    let cases: Vec<Vec<u8>> = vec![
        [ext_head("DSA"), vec![0x80]].concat(), // flags cut short
        [ext_head("DSA"), vec![0x04, 0x04, 0x01, 0x00]].concat(), // destination is an int
        [ext_head("DSC"), vec![0x00, 0x00, 0x01, 0x06, 0x01]].concat(), // operation ""
        [ext_head("DSK"), vec![0x80, 0x01, 0x06, 0x01, 0x00, 0x00]].concat(), // id not bytes
    ];
    for c in cases {
        assert!(
            from_amf3(Bytes::from(c.clone()), registry()).is_err(),
            "{c:02X?}"
        );
    }
}

#[test]
fn full_form_defaults_and_errors() {
    let empty = Value::object(Object::typed(
        flexgate_amf::Traits::sealed(alias::COMMAND_MESSAGE, &[]),
        vec![],
    ));
    let Message::Command(c) = Message::from_value(&empty).unwrap() else {
        panic!()
    };
    assert_eq!(c.operation, CommandOperation::Unknown);
    assert_eq!(c.base, AbstractMessage::default());

    let bad = Value::object(Object::typed(
        flexgate_amf::Traits::sealed(alias::ASYNC_MESSAGE, &["destination"]),
        vec![Value::Integer(1)],
    ));
    let e = Message::from_value(&bad).unwrap_err();
    assert_eq!(
        e.to_string(),
        "flex.messaging.messages.AsyncMessage.destination: expected string, found int"
    );
    assert!(matches!(
        Message::from_value(&Value::object(Object::anonymous::<&str>([]))),
        Err(MessageError::UnknownClass(_))
    ));
    assert!(matches!(
        Message::from_value(&Value::Integer(1)),
        Err(MessageError::NotAMessage("int"))
    ));
}

#[test]
fn collections_round_trip() {
    let values = [
        ArrayCollection::from_items(vec!["a".into(), 1.into()]).into_value(),
        ArrayCollection::new(Value::Null).into_value(),
        ArrayList::from_items(vec![]).into_value(),
        ObjectProxy::new(Object::anonymous([("x", Value::from(1))])).into_value(),
    ];
    for v in values {
        let back = from_amf3(Bytes::from(to_amf3(&v).unwrap()), registry()).unwrap();
        assert_eq!(back, v);
    }
}

#[test]
fn builders() {
    let request = Message::from(CommandMessage {
        base: base(),
        correlation_id: None,
        operation: CommandOperation::Subscribe,
    });
    let ack = ack_for(&request);
    assert_eq!(ack.correlation_id.as_deref(), Some(UID_A));
    assert_eq!(ack.base.client_id.as_deref(), Some(UID_C));
    // Acks name no destination (BlazeDS's acks do not); errors do.
    assert_eq!(ack.base.destination, None);
    let id = ack.base.message_id.clone().unwrap();
    assert!(uid::is_uid(&id) && id != UID_A);
    assert!((ack.base.timestamp - uid::now_millis()).abs() < 60_000);

    let mut fault = Fault::new(FaultCode::ClientAuthentication, "bad login");
    fault.status_code = Some(401);
    let err = error_for(&request, fault);
    assert_eq!(err.fault_code.as_deref(), Some("Client.Authentication"));
    assert_eq!(err.fault_string.as_deref(), Some("bad login"));
    assert_eq!(err.correlation_id.as_deref(), Some(UID_A));
    assert_eq!(
        err.base.headers.get(headers::DS_STATUS_CODE),
        Some(&Value::Integer(401))
    );
    let err = Message::from(err);
    assert_eq!(round_trip(&err, Form::Small), err);

    for (code, s) in [
        (FaultCode::ServerProcessing, "Server.Processing"),
        (
            FaultCode::DuplicateSessionDetected,
            "Server.Processing.DuplicateSessionDetected",
        ),
        (FaultCode::ClientAuthorization, "Client.Authorization"),
        (FaultCode::ResourceUnavailable, "Server.ResourceUnavailable"),
        (FaultCode::Other("Custom.X".into()), "Custom.X"),
    ] {
        assert_eq!(code.as_str(), s);
        assert_eq!(FaultCode::parse(s), code);
    }
    assert_eq!(
        Fault::unknown_destination("nope").code,
        FaultCode::ServerProcessing
    );
}
