//! Maps flexgate values onto the `amf` crate's value model, so the two
//! implementations can be compared value for value.

use amf::{amf0, amf3, Pair};
use flexgate_amf::{Value, XmlKind};
use std::time::Duration;

fn pair<K, V>(key: K, value: V) -> Pair<K, V> {
    Pair { key, value }
}

fn millis(m: f64) -> Duration {
    Duration::from_millis(m as u64)
}

/// Our value as the `amf` crate's AMF3 value.
pub(crate) fn to_amf3(v: &Value) -> amf3::Value {
    use amf3::Value as A;
    match v {
        Value::Undefined => A::Undefined,
        Value::Null => A::Null,
        Value::Bool(b) => A::Boolean(*b),
        Value::Integer(i) if (-0x1000_0000..=0x0FFF_FFFF).contains(i) => A::Integer(*i),
        Value::Integer(i) => A::Double(f64::from(*i)),
        Value::Number(n) => A::Double(*n),
        Value::String(s) => A::String(s.to_string()),
        Value::Date(d) => A::Date {
            unix_time: millis(d.millis),
        },
        Value::Xml(x) if x.kind == XmlKind::Document => A::XmlDocument(x.text.to_string()),
        Value::Xml(x) => A::Xml(x.text.to_string()),
        Value::ByteArray(b) => A::ByteArray(b.to_vec()),
        Value::Array(a) => A::Array {
            assoc_entries: a
                .assoc
                .iter()
                .map(|(k, v)| pair(k.to_string(), to_amf3(v)))
                .collect(),
            dense_entries: a.dense.iter().map(to_amf3).collect(),
        },
        Value::Object(o) => A::Object {
            class_name: (!o.class().is_empty()).then(|| o.class().to_owned()),
            sealed_count: o.traits.sealed.len(),
            entries: o
                .members()
                .map(|(k, v)| pair(k.to_string(), to_amf3(v)))
                .collect(),
        },
        Value::VectorInt(x) => A::IntVector {
            is_fixed: x.fixed,
            entries: x.items.clone(),
        },
        Value::VectorUint(x) => A::UintVector {
            is_fixed: x.fixed,
            entries: x.items.clone(),
        },
        Value::VectorNumber(x) => A::DoubleVector {
            is_fixed: x.fixed,
            entries: x.items.clone(),
        },
        Value::VectorObject(x) => A::ObjectVector {
            class_name: (x.type_name.as_str() != "*").then(|| x.type_name.to_string()),
            is_fixed: x.fixed,
            entries: x.items.iter().map(to_amf3).collect(),
        },
        Value::Dictionary(d) => A::Dictionary {
            is_weak: d.weak_keys,
            entries: d
                .entries
                .iter()
                .map(|(k, v)| pair(to_amf3(k), to_amf3(v)))
                .collect(),
        },
        Value::External(e) => panic!("the amf crate has no externalizable {}", e.class_name()),
    }
}

/// Our value as the `amf` crate's AMF0 value.
pub(crate) fn to_amf0(v: &Value) -> amf0::Value {
    use amf0::Value as A;
    match v {
        Value::Undefined => A::Undefined,
        Value::Null => A::Null,
        Value::Bool(b) => A::Boolean(*b),
        Value::Integer(i) => A::Number(f64::from(*i)),
        Value::Number(n) => A::Number(*n),
        Value::String(s) => A::String(s.to_string()),
        Value::Date(d) => A::Date {
            unix_time: millis(d.millis),
            time_zone: 0,
        },
        Value::Xml(x) if x.kind == XmlKind::Document => A::XmlDocument(x.text.to_string()),
        Value::Array(a) if a.assoc.is_empty() => A::Array {
            entries: a.dense.iter().map(to_amf0).collect(),
        },
        Value::Array(a) => A::EcmaArray {
            entries: a
                .dense
                .iter()
                .enumerate()
                .map(|(i, v)| pair(i.to_string(), to_amf0(v)))
                .chain(a.assoc.iter().map(|(k, v)| pair(k.to_string(), to_amf0(v))))
                .collect(),
        },
        Value::Object(o) => A::Object {
            class_name: (!o.class().is_empty()).then(|| o.class().to_owned()),
            entries: o
                .members()
                .map(|(k, v)| pair(k.to_string(), to_amf0(v)))
                .collect(),
        },
        other => A::AvmPlus(to_amf3(other)),
    }
}
