//! Differential and property tests: the `amf` crate decodes what we encode
//! and we decode what it encodes; `decode(encode(v)) == v` for generated values.

mod oracle {
    pub(crate) mod convert;
}

use bytes::Bytes;
use flexgate_amf::{
    from_amf0, from_amf3, to_amf0, to_amf3, Array, Date, Dictionary, Object, ObjectVector,
    Registry, Str, Traits, Value, Vector, Xml, XmlKind,
};
use oracle::convert;
use proptest::prelude::*;
use std::sync::Arc;

fn name() -> impl Strategy<Value = String> {
    "[a-zA-Z_][a-zA-Z0-9_é]{0,8}"
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        Just(Value::Undefined),
        any::<bool>().prop_map(Value::Bool),
        (-0x1000_0000i32..=0x0FFF_FFFF).prop_map(Value::Integer),
        any::<f64>()
            .prop_filter("NaN never equals itself", |n| !n.is_nan())
            .prop_map(Value::Number),
        ".{0,12}".prop_map(Value::string),
        // The amf crate only takes whole, non-negative milliseconds.
        (0u64..4_000_000_000_000).prop_map(|m| Value::Date(Date { millis: m as f64 })),
        proptest::collection::vec(any::<u8>(), 0..16).prop_map(|b| Value::ByteArray(b.into())),
        ("<[a-z]{1,5}/>", any::<bool>()).prop_map(|(t, doc)| Value::Xml(Xml {
            text: t.into(),
            kind: if doc { XmlKind::Document } else { XmlKind::E4x },
        })),
        (any::<bool>(), proptest::collection::vec(any::<i32>(), 0..4))
            .prop_map(|(fixed, items)| Value::VectorInt(Arc::new(Vector { fixed, items }))),
        (any::<bool>(), proptest::collection::vec(any::<u32>(), 0..4))
            .prop_map(|(fixed, items)| Value::VectorUint(Arc::new(Vector { fixed, items }))),
        (any::<bool>(), proptest::collection::vec(-1e9f64..1e9, 0..4))
            .prop_map(|(fixed, items)| Value::VectorNumber(Arc::new(Vector { fixed, items }))),
    ]
}

fn unique_names(n: usize) -> impl Strategy<Value = Vec<String>> {
    proptest::collection::btree_set(name(), 0..n).prop_map(|s| s.into_iter().collect())
}

fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::array),
            (
                unique_names(4),
                proptest::collection::vec(inner.clone(), 4),
                proptest::collection::vec(inner.clone(), 0..4)
            )
                .prop_map(|(keys, vals, dense)| Value::Array(Arc::new(Array {
                    dense,
                    assoc: keys.into_iter().map(Str::from).zip(vals).collect(),
                }))),
            (unique_names(4), proptest::collection::vec(inner.clone(), 4)).prop_map(
                |(keys, vals)| { Value::object(Object::anonymous(keys.into_iter().zip(vals))) }
            ),
            (
                name(),
                unique_names(4),
                proptest::collection::vec(inner.clone(), 4),
                any::<bool>()
            )
                .prop_map(|(class, keys, vals, dynamic)| {
                    let traits = Arc::new(Traits {
                        class: format!("com.example.{class}").into(),
                        sealed: keys.iter().map(Str::from).collect(),
                        dynamic,
                    });
                    let mut o = Object::typed(traits, vals);
                    if dynamic {
                        o.dynamic.push(("extra".into(), Value::Integer(7)));
                    }
                    Value::object(o)
                }),
            (
                any::<bool>(),
                proptest::collection::vec(inner.clone(), 0..4)
            )
                .prop_map(|(fixed, items)| {
                    Value::VectorObject(Arc::new(ObjectVector {
                        fixed,
                        type_name: "*".into(),
                        items,
                    }))
                }),
            (
                any::<bool>(),
                proptest::collection::vec((inner.clone(), inner.clone()), 0..3)
            )
                .prop_map(|(weak_keys, entries)| Value::Dictionary(Arc::new(
                    Dictionary { weak_keys, entries }
                ))),
            // The same object twice: written once, then referenced.
            inner.prop_map(|v| {
                let shared = Value::object(Object::anonymous([("v", v)]));
                Value::array(vec![shared.clone(), shared])
            }),
        ]
    })
}

/// How many values of `v` an AMF0 encoding writes behind an avmplus marker.
fn avmplus_switches(v: &Value) -> usize {
    match v {
        Value::Array(a) => a
            .dense
            .iter()
            .chain(a.assoc.iter().map(|(_, v)| v))
            .map(avmplus_switches)
            .sum(),
        Value::Object(o) => o.members().map(|(_, v)| avmplus_switches(v)).sum(),
        Value::Xml(x) if x.kind == XmlKind::Document => 0,
        Value::Xml(_)
        | Value::ByteArray(_)
        | Value::VectorInt(_)
        | Value::VectorUint(_)
        | Value::VectorNumber(_)
        | Value::VectorObject(_)
        | Value::Dictionary(_)
        | Value::External(_) => 1,
        _ => 0,
    }
}

/// Whether an AMF0 encoding of `v` holds a Date or XML document outside
/// AMF3: Flash Player gives those a reference slot, the amf crate does not,
/// so its reading of later references differs from Flash Player's.
fn amf0_slot_leaves(v: &Value) -> bool {
    match v {
        Value::Array(a) => a
            .dense
            .iter()
            .chain(a.assoc.iter().map(|(_, v)| v))
            .any(amf0_slot_leaves),
        Value::Object(o) => o.members().any(|(_, v)| amf0_slot_leaves(v)),
        Value::Date(_) => true,
        Value::Xml(x) => x.kind == XmlKind::Document,
        _ => false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn amf3_round_trip(v in value()) {
        let bytes = to_amf3(&v).unwrap();
        let back = from_amf3(Bytes::from(bytes), Registry::empty()).unwrap();
        prop_assert_eq!(back, v);
    }

    #[test]
    fn amf0_round_trip_in_amf0_terms(v in value()) {
        // AMF0 has fewer types (ints become numbers, arrays with both parts
        // become ECMA arrays), so compare in the amf crate's AMF0 model.
        let bytes = to_amf0(&v).unwrap();
        let back = from_amf0(Bytes::from(bytes), Registry::empty()).unwrap();
        prop_assert_eq!(format!("{:?}", convert::to_amf0(&back)), format!("{:?}", convert::to_amf0(&v)));
    }

    #[test]
    fn amf_crate_reads_what_we_write(v in value()) {
        let bytes = to_amf3(&v).unwrap();
        let theirs = amf::Amf3Value::read_from(&mut &bytes[..]).unwrap();
        prop_assert_eq!(format!("{:?}", theirs), format!("{:?}", convert::to_amf3(&v)));

        // BlazeDS and PyAMF share one AMF3 reference table across all the
        // avmplus switches of a body; the amf crate starts afresh at each
        // one, so it can only follow us where there is a single switch.
        if avmplus_switches(&v) <= 1 && !amf0_slot_leaves(&v) {
            let bytes = to_amf0(&v).unwrap();
            let theirs = amf::Amf0Value::read_from(&mut &bytes[..]).unwrap();
            prop_assert_eq!(format!("{:?}", theirs), format!("{:?}", convert::to_amf0(&v)));
        }
    }

    #[test]
    fn we_read_what_the_amf_crate_writes(v in value()) {
        let mut bytes = Vec::new();
        convert::to_amf3(&v).write_to(&mut bytes).unwrap();
        let ours = from_amf3(Bytes::from(bytes), Registry::empty()).unwrap();
        prop_assert_eq!(format!("{:?}", convert::to_amf3(&ours)), format!("{:?}", convert::to_amf3(&v)));

        let mut bytes = Vec::new();
        convert::to_amf0(&v).write_to(&mut bytes).unwrap();
        let ours = from_amf0(Bytes::from(bytes), Registry::empty()).unwrap();
        prop_assert_eq!(format!("{:?}", convert::to_amf0(&ours)), format!("{:?}", convert::to_amf0(&v)));
    }
}
