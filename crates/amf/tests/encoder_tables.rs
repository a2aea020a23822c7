//! The encoder's reference tables past the cases of the specification:
//! a string table that grows to hundreds of entries, and composites with a
//! single holder (written without a table entry) among shared ones.

use bytes::Bytes;
use flexgate_amf::{from_amf3, to_amf3, Object, Registry, Value};

/// `v` as a U29 (as the encoder writes lengths and references).
fn u29(v: u32, out: &mut Vec<u8>) {
    match v {
        0..=0x7F => out.push(v as u8),
        0x80..=0x3FFF => out.extend_from_slice(&[(v >> 7) as u8 | 0x80, (v & 0x7F) as u8]),
        _ => panic!("not needed here"),
    }
}

#[test]
fn hundreds_of_strings_are_each_referenced_by_their_own_slot() {
    let names: Vec<String> = (0..300).map(|i| format!("s{i}")).collect();
    // Every string once, then all again in reverse order.
    let items = names
        .iter()
        .chain(names.iter().rev())
        .map(|s| Value::string(s.as_str()))
        .collect();
    let v = Value::array(items);
    let mut expected = vec![0x09];
    u29((600 << 1) | 1, &mut expected);
    expected.push(0x01);
    for s in &names {
        expected.push(0x06);
        u29(((s.len() as u32) << 1) | 1, &mut expected);
        expected.extend_from_slice(s.as_bytes());
    }
    for i in (0..300u32).rev() {
        expected.push(0x06);
        u29(i << 1, &mut expected);
    }
    let bytes = to_amf3(&v).expect("encodes");
    assert_eq!(bytes, expected);
    let back = from_amf3(Bytes::from(bytes), Registry::empty()).expect("decodes");
    assert_eq!(back, v);
}

#[test]
fn objects_with_one_holder_still_take_the_slots_that_references_count() {
    let one = |n| Value::object(Object::anonymous([("a", Value::Integer(n))]));
    let shared = one(2);
    let v = Value::array(vec![one(1), shared.clone(), one(3), shared]);
    let expected = [
        0x09, 0x09, 0x01, // array (slot 0), 4 dense, no assoc
        0x0A, 0x0B, 0x01, 0x03, b'a', 0x04, 0x01, 0x01, // {a:1}, slot 1, traits 0
        0x0A, 0x01, 0x00, 0x04, 0x02, 0x01, // {a:2}, slot 2: traits 0, "a" = string 0
        0x0A, 0x01, 0x00, 0x04, 0x03, 0x01, // {a:3}, slot 3
        0x0A, 0x04, // object reference 2
    ];
    let bytes = to_amf3(&v).expect("encodes");
    assert_eq!(bytes, expected);
    let back = from_amf3(Bytes::from(bytes), Registry::empty()).expect("decodes");
    assert_eq!(back, v);
    let Value::Array(a) = back else {
        panic!("an array: {back:?}")
    };
    match (&a.dense[1], &a.dense[3]) {
        (Value::Object(x), Value::Object(y)) => assert!(std::sync::Arc::ptr_eq(x, y)),
        other => panic!("two objects: {other:?}"),
    }
}
