//! docs/backends.md's examples are what the gateway does: the value
//! tables row by row both ways, the call body, the answers.

use super::request::{read_reply, BackendCall};
use crate::auth::Principal;
use crate::doc_check::{block, table};
use crate::json_values::{from_json, to_json, FromJsonOptions};
use bytes::Bytes;
use flexgate_amf::{
    Array, Date, Dictionary, Object, ObjectVector, Traits, Value, Vector, Xml, XmlKind,
};
use flexgate_messages::{
    ArrayCollection, ArrayList, AsyncMessage, AsyncMessageExt, FaultCode, Headers, ObjectProxy,
};
use hyper::StatusCode;
use serde_json::Value as Json;
use std::sync::Arc;

const OPTIONS: FromJsonOptions = FromJsonOptions { max_depth: 128 };
const PLACED_MS: f64 = 1_236_143_167_000.0;

fn json(text: &str) -> Json {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// What the AMF column of a row of the values table means.
fn sample(label: &str) -> Value {
    let ann = || Object::anonymous([("name", Value::from("Ann")), ("age", Value::Integer(31))]);
    let ab = || Value::array(vec!["a".into(), "b".into()]);
    match label {
        "null" => Value::Null,
        "undefined" => Value::Undefined,
        "Boolean" => Value::Bool(true),
        "int" => Value::Integer(42),
        "Number" => Value::Number(2.5),
        "`Number` without a fraction" => Value::Number(3.0),
        "`Number` NaN" => Value::Number(f64::NAN),
        "`Number` Infinity" => Value::Number(f64::INFINITY),
        "String" => Value::from("héllo ✓"),
        "Date" => Value::Date(Date { millis: PLACED_MS }),
        "ByteArray" => Value::ByteArray(Bytes::from_static(b"\x00\x01\xfe\xff")),
        "XML" | "XMLDocument" => Value::Xml(Xml {
            text: if label == "XML" {
                "<order id=\"7\"/>"
            } else {
                "<order/>"
            }
            .into(),
            kind: if label == "XML" {
                XmlKind::E4x
            } else {
                XmlKind::Document
            },
        }),
        "Array" => Value::array(vec![Value::Integer(1), "two".into(), Value::Null]),
        "`Array` with string keys" => Value::Array(Arc::new(Array {
            dense: vec!["a".into()],
            assoc: vec![("color".into(), "red".into())],
        })),
        "Object" => Value::object(ann()),
        "typed object `com.example.Person`" => Value::object(Object::typed(
            Traits::sealed("com.example.Person", &["name", "age"]),
            vec!["Ann".into(), Value::Integer(31)],
        )),
        "ArrayCollection" => ArrayCollection::new(ab()).into_value(),
        "ArrayList" => ArrayList::new(ab()).into_value(),
        "ObjectProxy" => ObjectProxy::new(Value::object(Object::anonymous([(
            "name",
            Value::from("Ann"),
        )])))
        .into_value(),
        "Vector.<int>" => Value::VectorInt(Arc::new(Vector {
            fixed: false,
            items: vec![1, -2],
        })),
        "Vector.<uint>" => Value::VectorUint(Arc::new(Vector {
            fixed: false,
            items: vec![1, 2],
        })),
        "Vector.<Number>" => Value::VectorNumber(Arc::new(Vector {
            fixed: false,
            items: vec![0.5, f64::NEG_INFINITY],
        })),
        "Vector.<Object>" => Value::VectorObject(Arc::new(ObjectVector {
            fixed: false,
            type_name: "Object".into(),
            items: vec![Value::object(Object::anonymous([("a", Value::Integer(1))]))],
        })),
        "Dictionary" => Value::Dictionary(Arc::new(Dictionary {
            weak_keys: false,
            entries: vec![
                ("key".into(), Value::Integer(1)),
                (Value::Integer(2), "two".into()),
            ],
        })),
        l if l.starts_with("another externalizable class") => {
            AsyncMessageExt::new(AsyncMessage::default()).into_value()
        }
        other => panic!("the test has no sample for the row '{other}'"),
    }
}

/// The name the tables give an AMF value's type.
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Undefined => "undefined",
        Value::Bool(_) => "Boolean",
        Value::Integer(_) => "int",
        Value::Number(_) => "Number",
        Value::String(_) => "String",
        Value::Date(_) => "Date",
        Value::ByteArray(_) => "ByteArray",
        Value::Xml(x) if x.kind == XmlKind::E4x => "XML",
        Value::Xml(_) => "XMLDocument",
        Value::Array(_) => "Array",
        Value::Object(o) if o.class().is_empty() => "Object",
        Value::Object(_) => "typed object",
        Value::Dictionary(_) => "Dictionary",
        _ if v.as_external::<ArrayCollection>().is_some() => "ArrayCollection",
        _ if v.as_external::<ArrayList>().is_some() => "ArrayList",
        _ if v.as_external::<ObjectProxy>().is_some() => "ObjectProxy",
        _ => "something else",
    }
}

#[test]
fn every_row_of_the_values_table_holds_both_ways() {
    let rows = table("values");
    assert!(rows.len() > 20, "the table was read: {rows:?}");
    for row in rows {
        let [label, json_cell, back] = row[..] else {
            panic!("three cells: {row:?}")
        };
        let value = sample(label);
        if json_cell == "fault" {
            assert!(to_json(&value, 128).is_err(), "{label} has no JSON form");
            continue;
        }
        let expected = json(json_cell);
        assert_eq!(
            to_json(&value, 128).as_ref(),
            Ok(&expected),
            "{label} → JSON"
        );
        let again = from_json(&expected, OPTIONS).unwrap_or_else(|e| panic!("{label}: {e}"));
        assert_eq!(kind(&again), back, "{json_cell} → AMF");
        // What comes back maps to the same JSON again.
        assert_eq!(to_json(&again, 128), Ok(expected), "{label} twice");
    }
}

#[test]
fn every_row_of_the_from_json_table_holds() {
    for row in table("from-json") {
        let [json_cell, amf] = row[..] else {
            panic!("two cells: {row:?}")
        };
        let got = from_json(&json(json_cell), OPTIONS);
        match amf {
            "fault" => assert!(got.is_err(), "{json_cell} → {got:?}"),
            _ => assert_eq!(got.as_ref().map(kind), Ok(amf), "{json_cell}"),
        }
    }
}

#[test]
fn the_call_body_is_the_documented_one() {
    let mut headers: Headers = [
        ("DSId", "1C7A3F6E-2B1D-4E8A-9C0B-5D6E7F8A9B0C"),
        ("DSEndpoint", "my-amf"),
        // Never passed on.
        ("DSRemoteCredentials", "YWxpY2U6c2VjcmV0"),
    ]
    .into_iter()
    .collect();
    headers.set("DSRemoteCredentialsCharset", "UTF-8");
    let principal = Principal {
        name: "alice".into(),
        roles: vec!["traders".into()],
    };
    let args = [Value::Integer(7), Value::Date(Date { millis: PLACED_MS })];
    let call = BackendCall {
        destination: "Orders",
        operation: "find",
        args: &args,
        principal: Some(&principal),
        headers: Some(&headers),
        message_id: Some("6D4C2A18-93F0-4B7E-A1C5-0E2F4D6B8A9C"),
        trace: None,
    };
    let sent: Json = serde_json::from_slice(&call.body(128).expect("body")).expect("JSON");
    assert_eq!(sent, json(block("request")));
}

#[test]
fn the_documented_answers_are_read_as_documented() {
    let result = read_reply(
        "Orders",
        StatusCode::OK,
        block("result").as_bytes(),
        OPTIONS,
    )
    .expect("a result");
    let order = result.as_object().expect("an object");
    assert_eq!(order.class(), "com.example.Order");
    assert_eq!(order.get("id"), Some(&Value::Integer(7)));
    assert_eq!(order.get("total"), Some(&Value::Number(12.5)));
    let status = StatusCode::INTERNAL_SERVER_ERROR;
    let fault =
        read_reply("Orders", status, block("fault").as_bytes(), OPTIONS).expect_err("a fault");
    assert_eq!(fault.code, FaultCode::Other("Orders.NotFound".into()));
    assert_eq!(fault.string, "No order 7.");
    assert_eq!(fault.detail.as_deref(), Some("orders.py line 12"));
}
