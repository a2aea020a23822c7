//! `amf_class!` typed classes, conversions and no-panic decoding.

use bytes::Bytes;
use flexgate_amf::{from_amf3, to_amf3, Object, Traits, Value};
use flexgate_messages::*;
use proptest::prelude::*;

#[derive(Debug, Clone, PartialEq)]
struct Address {
    city: String,
}
amf_class!(Address = "com.example.Address" { city });

#[derive(Debug, Clone, PartialEq)]
struct Person {
    name: String,
    age: i32,
    score: f64,
    active: bool,
    nick: Option<String>,
    tags: Vec<String>,
    home: Option<Address>,
    extra: Value,
    meta: Object,
    first_name: String,
}
amf_class!(Person = "com.example.Person" {
    name, age, score, active, nick, tags, home, extra, meta, first_name => "firstName",
});

fn ann() -> Person {
    Person {
        name: "Ann".into(),
        age: 31,
        score: 1.5,
        active: true,
        nick: None,
        tags: vec!["a".into(), "b".into()],
        home: Some(Address {
            city: "Oslo".into(),
        }),
        extra: Value::Integer(7),
        meta: Object::anonymous([("k", Value::from("v"))]),
        first_name: "A".into(),
    }
}

#[test]
fn typed_class_round_trips_through_amf3() {
    let v = ann().to_value();
    assert_eq!(v.as_object().unwrap().class(), "com.example.Person");
    assert_eq!(
        v.as_object().unwrap().get("firstName"),
        Some(&Value::from("A"))
    );
    let back = from_amf3(Bytes::from(to_amf3(&v).unwrap()), registry()).unwrap();
    assert_eq!(Person::from_value(&back).unwrap(), ann());
}

#[test]
fn typed_class_errors_name_the_field() {
    let v = Value::object(Object::typed(
        Traits::sealed("com.example.Address", &["city"]),
        vec![Value::Integer(3)],
    ));
    assert_eq!(
        Address::from_value(&v).unwrap_err().to_string(),
        "com.example.Address.city: expected string, found int"
    );
    let wrong = Value::object(Object::anonymous([("city", Value::from("x"))]));
    assert!(matches!(
        Address::from_value(&wrong),
        Err(MessageError::WrongClass { .. })
    ));
}

#[test]
fn lists_read_from_collections() {
    let v = ArrayCollection::from_items(vec![1.into(), 2.5.into()]).into_value();
    assert_eq!(Vec::<f64>::from_amf(&v).unwrap(), vec![1.0, 2.5]);
    assert_eq!(i32::from_amf(&Value::Number(4.0)).unwrap(), 4);
    assert!(i32::from_amf(&Value::Number(4.5)).is_err());
}

#[test]
fn many_small_messages_in_one_body() {
    // Several small messages in one body: each DSA builds its own wire
    // values, which the encoder must not confuse with one another.
    let msgs: Vec<Value> = (0..5)
        .map(|i| {
            let mut m = AsyncMessage::default();
            m.base.message_id = Some(uid::new_uid());
            m.base.client_id = Some(uid::new_uid());
            m.base.headers.set("n", i);
            m.base.body = Value::from(format!("m{i}"));
            Message::from(m).to_value(Form::Small)
        })
        .collect();
    let mut poll = CommandMessage {
        operation: CommandOperation::Poll,
        ..Default::default()
    };
    poll.base.body = Value::array(msgs.clone());
    let poll = Message::from(poll);
    let bytes = to_amf3(&poll.to_value(Form::Small)).unwrap();
    let back = Message::from_value(&from_amf3(Bytes::from(bytes), registry()).unwrap()).unwrap();
    assert_eq!(back, poll);
}

proptest! {
    #[test]
    fn arbitrary_small_bodies_never_panic(class in 0usize..3, body in proptest::collection::vec(any::<u8>(), 0..64)) {
        let name = ["DSA", "DSC", "DSK"][class];
        let mut bytes = vec![0x0A, 0x07, 0x07];
        bytes.extend_from_slice(name.as_bytes());
        bytes.extend(body);
        if let Ok(v) = from_amf3(Bytes::from(bytes), registry()) {
            let m = Message::from_value(&v).unwrap();
            let again = to_amf3(&m.to_value(Form::Small)).unwrap();
            let back = Message::from_value(&from_amf3(Bytes::from(again), registry()).unwrap()).unwrap();
            prop_assert_eq!(back, m);
        }
    }

    #[test]
    fn arbitrary_values_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..96)) {
        if let Ok(v) = from_amf3(Bytes::from(bytes), registry()) {
            let _ = Message::from_value(&v);
            let _ = Message::from_request_body(&v);
        }
    }
}
