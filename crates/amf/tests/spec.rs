//! Byte-exact encodings of every marker, in both directions, derived from
//! Adobe's AMF0 and AMF3 specifications.

use bytes::Bytes;
use flexgate_amf::{
    from_amf0, from_amf3, to_amf0, to_amf3, Array, Date, Dictionary, Object, ObjectVector,
    Registry, Traits, Value, Vector, Xml, XmlKind,
};
use std::sync::Arc;

fn amf3(v: &Value) -> Vec<u8> {
    to_amf3(v).expect("encodable")
}

fn back3(b: &[u8]) -> Value {
    from_amf3(Bytes::copy_from_slice(b), Registry::empty()).expect("decodable")
}

/// Encodes to exactly `bytes` and decodes those bytes back to `v`.
fn both3(v: Value, bytes: &[u8]) {
    assert_eq!(amf3(&v), bytes, "encoding {v:?}");
    assert_eq!(back3(bytes), v, "decoding {bytes:02x?}");
}

fn both0(v: Value, bytes: &[u8]) {
    assert_eq!(to_amf0(&v).expect("encodable"), bytes, "encoding {v:?}");
    let d = from_amf0(Bytes::copy_from_slice(bytes), Registry::empty()).expect("decodable");
    assert_eq!(d, v, "decoding {bytes:02x?}");
}

#[test]
fn amf3_scalars() {
    both3(Value::Undefined, &[0x00]);
    both3(Value::Null, &[0x01]);
    both3(Value::Bool(false), &[0x02]);
    both3(Value::Bool(true), &[0x03]);
    both3(Value::Number(0.5), &[0x05, 0x3F, 0xE0, 0, 0, 0, 0, 0, 0]);
    both3(Value::Number(-0.0), &[0x05, 0x80, 0, 0, 0, 0, 0, 0, 0]);
    let nan = back3(&[0x05, 0x7F, 0xF8, 0, 0, 0, 0, 0, 0]);
    assert!(matches!(nan, Value::Number(n) if n.is_nan()));
}

#[test]
fn amf3_integer_boundaries() {
    let cases: &[(i32, &[u8])] = &[
        (0, &[0x04, 0x00]),
        (1, &[0x04, 0x01]),
        (127, &[0x04, 0x7F]),
        (128, &[0x04, 0x81, 0x00]),
        (16383, &[0x04, 0xFF, 0x7F]),
        (16384, &[0x04, 0x81, 0x80, 0x00]),
        (2_097_151, &[0x04, 0xFF, 0xFF, 0x7F]),
        (2_097_152, &[0x04, 0x80, 0xC0, 0x80, 0x00]),
        (0x0FFF_FFFF, &[0x04, 0xBF, 0xFF, 0xFF, 0xFF]),
        (-1, &[0x04, 0xFF, 0xFF, 0xFF, 0xFF]),
        (-0x1000_0000, &[0x04, 0xC0, 0x80, 0x80, 0x00]),
    ];
    for &(i, bytes) in cases {
        both3(Value::Integer(i), bytes);
    }
    // Outside 29 bits an int travels as a double.
    let mut big = vec![0x05];
    big.extend_from_slice(&268_435_456f64.to_be_bytes());
    assert_eq!(amf3(&Value::Integer(0x1000_0000)), big);
    assert_eq!(back3(&big), Value::Number(268_435_456.0));
    let mut small = vec![0x05];
    small.extend_from_slice(&(-268_435_457f64).to_be_bytes());
    assert_eq!(amf3(&Value::Integer(-0x1000_0001)), small);
}

#[test]
fn amf3_strings_and_references() {
    both3(Value::string(""), &[0x06, 0x01]);
    both3(Value::string("hi"), &[0x06, 0x05, b'h', b'i']);
    both3(Value::string("é"), &[0x06, 0x05, 0xC3, 0xA9]);
    // The second "ab" is string reference 0; the empty string is never referenced.
    let v = Value::array(vec![
        Value::string("ab"),
        Value::string(""),
        Value::string("ab"),
        Value::string(""),
    ]);
    both3(
        v,
        &[
            0x09, 0x09, 0x01, 0x06, 0x05, b'a', b'b', 0x06, 0x01, 0x06, 0x00, 0x06, 0x01,
        ],
    );
}

#[test]
fn amf3_date_xml_bytearray() {
    let mut date = vec![0x08, 0x01];
    date.extend_from_slice(&1_700_000_000_000f64.to_be_bytes());
    both3(
        Value::Date(Date {
            millis: 1_700_000_000_000.0,
        }),
        &date,
    );
    let doc = Xml {
        text: "<a/>".into(),
        kind: XmlKind::Document,
    };
    both3(Value::Xml(doc), &[0x07, 0x09, b'<', b'a', b'/', b'>']);
    let e4x = Xml {
        text: "<a/>".into(),
        kind: XmlKind::E4x,
    };
    both3(Value::Xml(e4x), &[0x0B, 0x09, b'<', b'a', b'/', b'>']);
    both3(
        Value::ByteArray(Bytes::from_static(&[1, 2, 3])),
        &[0x0C, 0x07, 1, 2, 3],
    );
}

#[test]
fn amf3_arrays() {
    both3(Value::array(vec![]), &[0x09, 0x01, 0x01]);
    let mixed = Value::Array(Arc::new(Array {
        dense: vec![Value::Integer(1)],
        assoc: vec![("k".into(), Value::Bool(true))],
    }));
    both3(mixed, &[0x09, 0x03, 0x03, b'k', 0x03, 0x01, 0x04, 0x01]);
}

#[test]
fn amf3_objects_traits_and_object_references() {
    let anon = Value::object(Object::anonymous([("a", Value::Integer(1))]));
    // 0x0B = dynamic, inline traits, inline object, 0 sealed members.
    both3(anon, &[0x0A, 0x0B, 0x01, 0x03, b'a', 0x04, 0x01, 0x01]);

    let person = Traits::sealed("P", &["n"]);
    let a = Value::object(Object::typed(person.clone(), vec![Value::Integer(1)]));
    let b = Value::object(Object::typed(person, vec![Value::Integer(2)]));
    // 0x13 = 1 sealed member, not dynamic, inline traits; the second object
    // reuses traits 0 (0x01) and the third element is object reference 1.
    let v = Value::array(vec![a.clone(), b, a]);
    both3(
        v,
        &[
            0x09, 0x07, 0x01, // array, 3 dense, no assoc
            0x0A, 0x13, 0x03, b'P', 0x03, b'n', 0x04, 0x01, // P{n:1}
            0x0A, 0x01, 0x04, 0x02, // traits ref 0, n:2
            0x0A, 0x02, // object reference 1 (the array is 0)
        ],
    );
}

#[test]
fn amf3_object_table_counts_dates_and_bytearrays() {
    // A date and a byte array take object slots 1 and 2 even though the
    // encoder never references them, so the repeated object is reference 3.
    let o = Value::object(Object::anonymous(Vec::<(&str, Value)>::new()));
    let v = Value::array(vec![
        Value::Date(Date { millis: 0.0 }),
        Value::ByteArray(Bytes::new()),
        o.clone(),
        o,
    ]);
    let bytes = amf3(&v);
    assert_eq!(&bytes[bytes.len() - 2..], &[0x0A, 0x06]);
    assert_eq!(back3(&bytes), v);
}

#[test]
fn amf3_vectors_and_dictionary() {
    let vi = Value::VectorInt(Arc::new(Vector {
        fixed: false,
        items: vec![1, -1],
    }));
    both3(vi, &[0x0D, 0x05, 0x00, 0, 0, 0, 1, 0xFF, 0xFF, 0xFF, 0xFF]);
    let vu = Value::VectorUint(Arc::new(Vector {
        fixed: true,
        items: vec![0xFFFF_FFFF],
    }));
    both3(vu, &[0x0E, 0x03, 0x01, 0xFF, 0xFF, 0xFF, 0xFF]);
    let vd = Value::VectorNumber(Arc::new(Vector {
        fixed: false,
        items: vec![1.0],
    }));
    both3(vd, &[0x0F, 0x03, 0x00, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0]);
    let vo = Value::VectorObject(Arc::new(ObjectVector {
        fixed: false,
        type_name: "String".into(),
        items: vec![Value::string("x")],
    }));
    both3(
        vo,
        &[
            0x10, 0x03, 0x00, 0x0D, b'S', b't', b'r', b'i', b'n', b'g', 0x06, 0x03, b'x',
        ],
    );
    let d = Value::Dictionary(Arc::new(Dictionary {
        weak_keys: true,
        entries: vec![(Value::Integer(1), Value::string("one"))],
    }));
    both3(
        d,
        &[0x11, 0x03, 0x01, 0x04, 0x01, 0x06, 0x07, b'o', b'n', b'e'],
    );
}

#[test]
fn amf0_every_marker() {
    both0(Value::Number(1.0), &[0x00, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0]);
    both0(Value::Bool(true), &[0x01, 0x01]);
    both0(Value::string("hi"), &[0x02, 0x00, 0x02, b'h', b'i']);
    both0(Value::Null, &[0x05]);
    both0(Value::Undefined, &[0x06]);
    both0(
        Value::object(Object::anonymous([("a", Value::Null)])),
        &[0x03, 0x00, 0x01, b'a', 0x05, 0x00, 0x00, 0x09],
    );
    let typed = Object::typed(Traits::sealed("T", &["a"]), vec![Value::Bool(false)]);
    both0(
        Value::object(typed),
        &[
            0x10, 0x00, 0x01, b'T', 0x00, 0x01, b'a', 0x01, 0x00, 0x00, 0x00, 0x09,
        ],
    );
    both0(Value::array(vec![Value::Null]), &[0x0A, 0, 0, 0, 1, 0x05]);
    let ecma = Value::Array(Arc::new(Array {
        dense: vec![],
        assoc: vec![("k".into(), Value::Null)],
    }));
    both0(
        ecma,
        &[0x08, 0, 0, 0, 1, 0x00, 0x01, b'k', 0x05, 0x00, 0x00, 0x09],
    );
    let mut date = vec![0x0B];
    date.extend_from_slice(&86_400_000f64.to_be_bytes());
    date.extend_from_slice(&[0, 0]);
    both0(
        Value::Date(Date {
            millis: 86_400_000.0,
        }),
        &date,
    );
    let xml = Xml {
        text: "<x/>".into(),
        kind: XmlKind::Document,
    };
    both0(Value::Xml(xml), &[0x0F, 0, 0, 0, 4, b'<', b'x', b'/', b'>']);
    // Long strings switch to the 0x0C marker with a u32 length.
    let long = "x".repeat(70_000);
    let bytes = to_amf0(&Value::string(long.as_str())).unwrap();
    assert_eq!(&bytes[..5], &[0x0C, 0x00, 0x01, 0x11, 0x70]);
    assert_eq!(
        from_amf0(Bytes::from(bytes), Registry::empty()).unwrap(),
        Value::string(long)
    );
    // A ByteArray has no AMF0 form: it goes behind the avmplus marker.
    both0(
        Value::ByteArray(Bytes::from_static(&[9])),
        &[0x11, 0x0C, 0x03, 9],
    );
}

#[test]
fn amf0_references() {
    let o = Value::object(Object::anonymous(Vec::<(&str, Value)>::new()));
    // The outer array is AMF0 object 0, the object is 1, then a reference to 1.
    both0(
        Value::array(vec![o.clone(), o]),
        &[0x0A, 0, 0, 0, 2, 0x03, 0x00, 0x00, 0x09, 0x07, 0x00, 0x01],
    );
}

/// An externalizable whose writer builds and drops temporary values: the
/// allocator may hand a freed address to the next temporary, which must not
/// be mistaken for the first one.
#[derive(Debug, PartialEq)]
struct Temporaries;

impl flexgate_amf::Externalizable for Temporaries {
    fn class_name(&self) -> &str {
        "T"
    }
    fn write_external(
        &self,
        out: &mut dyn flexgate_amf::ExternalOutput,
    ) -> Result<(), flexgate_amf::EncodeError> {
        for i in 0..4u8 {
            let temp = Value::ByteArray(Bytes::from(vec![i; 16]));
            out.write_amf3(&temp)?;
            let temp = Value::array(vec![Value::Integer(i32::from(i))]);
            out.write_amf3(&temp)?;
        }
        Ok(())
    }
    fn eq_external(&self, other: &dyn flexgate_amf::Externalizable) -> bool {
        flexgate_amf::eq_external(self, other)
    }
}

#[test]
fn temporaries_inside_an_externalizable_are_never_referenced() {
    let bytes = amf3(&Value::External(Arc::new(Temporaries)));
    // traits: 0x0A 0x07 0x03 'T'; then four (ByteArray, Array) pairs inline.
    let mut expected = vec![0x0A, 0x07, 0x03, b'T'];
    for i in 0..4u8 {
        expected.extend_from_slice(&[0x0C, 0x21]);
        expected.extend_from_slice(&[i; 16]);
        expected.extend_from_slice(&[0x09, 0x03, 0x01, 0x04, i]);
    }
    assert_eq!(bytes, expected);
}
