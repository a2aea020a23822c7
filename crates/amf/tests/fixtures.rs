//! Every value fixture decodes; what our encoder writes for it matches the
//! bytes other implementations wrote, or at least decodes to an equal value.

mod common;

use bytes::Bytes;
use common::{fixtures, read, registry, OneValue};
use flexgate_amf::{from_amf0, from_amf3, to_amf0, to_amf3, Registry, Value};
use std::path::Path;

/// Values whose re-encoding legitimately differs from the fixture bytes.
fn encoded_differently(name: &str) -> bool {
    // The ECMA array count py3amf writes is the highest index, ours the
    // entry count; a repeated Date is one object to py3amf, while our `Date`
    // is a plain value written inline each time.
    matches!(name, "ecma_array.amf0" | "date_refs.amf3")
}

#[test]
fn py3amf_values_decode_and_reencode() {
    let registry = registry();
    let mut checked = 0;
    for path in fixtures("values") {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let bytes = read(&path);
        let (value, again) = match path.extension().and_then(|e| e.to_str()) {
            Some("amf3") => {
                let v =
                    from_amf3(bytes.clone(), &registry).unwrap_or_else(|e| panic!("{name}: {e}"));
                let again = to_amf3(&v).expect("re-encodes");
                (v, again)
            }
            Some("amf0") => {
                let v =
                    from_amf0(bytes.clone(), &registry).unwrap_or_else(|e| panic!("{name}: {e}"));
                let again = to_amf0(&v).expect("re-encodes");
                (v, again)
            }
            _ => continue,
        };
        if !encoded_differently(name) {
            assert_eq!(again, bytes.as_ref(), "{name}: re-encoding differs");
        }
        let redecoded = if name.ends_with(".amf3") {
            from_amf3(Bytes::from(again), &registry)
        } else {
            from_amf0(Bytes::from(again), &registry)
        }
        .unwrap_or_else(|e| panic!("{name}: our own bytes: {e}"));
        if name != "dbl_nan.amf3" {
            assert_eq!(redecoded, value, "{name}");
        }
        checked += 1;
    }
    assert!(checked >= 70, "only {checked} fixtures found");
}

#[test]
fn decoded_fixture_values() {
    let registry = registry();
    let v = |name: &str| {
        let p = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/values")
            .join(name);
        let b = read(&p);
        if name.ends_with(".amf3") {
            from_amf3(b, &registry)
        } else {
            from_amf0(b, &registry)
        }
        .unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    assert_eq!(v("int_16384.amf3"), Value::Integer(16384));
    assert_eq!(v("int_min29.amf3"), Value::Integer(-0x1000_0000));
    assert_eq!(v("int_2p28.amf3"), Value::Number(268_435_456.0));
    assert_eq!(
        v("str_utf8.amf3").as_str().map(|s| s.chars().count() > 0),
        Some(true)
    );
    let refs = v("str_refs.amf3");
    let items = &refs.as_array().expect("array").dense;
    assert_eq!(items[0], items[1]);
    let obj = v("obj_sealed.amf3");
    let obj = obj.as_object().expect("object");
    assert_eq!(obj.class(), "com.example.Person");
    assert!(obj.get("name").is_some() && obj.get("age").is_some());
    let ac = v("arraycollection.amf3");
    assert!(ac
        .as_external::<OneValue>()
        .is_some_and(|c| c.1.as_array().is_some()));
    assert!(matches!(v("hand_dictionary.amf3"), Value::Dictionary(_)));
}

/// Malformed or unsupported captures from the `amf` crate's suite, and the
/// externalizable ones, which need a registry (flexgate-messages has it).
fn amf_crate_rejects(name: &str) -> bool {
    [
        "partial",
        "bad-",
        "unknown-marker",
        "circular",
        "movieclip",
        "recordset",
        "-empty.bin",
        "externalizable",
        "array-collection",
        "graph-member",
    ]
    .iter()
    .any(|s| name.contains(s))
}

#[test]
fn amf_crate_captures_agree_with_the_amf_crate() {
    let mut agreed = 0;
    for path in fixtures("values/amf-crate") {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        let bytes = read(&path);
        let amf0 = name.starts_with("amf0");
        let ours = if amf0 {
            from_amf0(bytes.clone(), Registry::empty())
        } else {
            from_amf3(bytes.clone(), Registry::empty())
        };
        if amf_crate_rejects(&name) {
            assert!(ours.is_err(), "{name} should be rejected, got {ours:?}");
            continue;
        }
        let ours = ours.unwrap_or_else(|e| panic!("{name}: {e}"));
        if name.contains("date-invalid") || name.contains("date-minus") {
            // Flash's Date holds dates before 1970 and NaN (an invalid date);
            // the amf crate refuses them, we keep them.
            let kept = matches!(ours, Value::Date(d) if !d.millis.is_finite() || d.millis < 0.0);
            assert!(kept, "{name}: {ours:?}");
            continue;
        }
        if name == "amf0-unsupported.bin" {
            // The AMF0 spec lets a reader take the "unsupported" marker as a
            // value that could not be serialized; we read it as undefined.
            assert_eq!(ours, Value::Undefined);
            continue;
        }
        let version = if amf0 {
            amf::Version::Amf0
        } else {
            amf::Version::Amf3
        };
        let theirs = amf::Value::read_from(&mut &bytes[..], version)
            .unwrap_or_else(|e| panic!("amf crate on {name}: {e}"));
        let ours_as_theirs = if amf0 {
            // The amf crate keeps the avmplus switch as a value of its own.
            match theirs {
                amf::Value::Amf0(amf::Amf0Value::AvmPlus(_)) => {
                    amf::Value::Amf0(amf::Amf0Value::AvmPlus(flexgate_oracle::to_amf3(&ours)))
                }
                _ => amf::Value::Amf0(flexgate_oracle::to_amf0(&ours)),
            }
        } else {
            amf::Value::Amf3(flexgate_oracle::to_amf3(&ours))
        };
        // Compared through Debug so that NaN equals NaN.
        assert_eq!(
            format!("{ours_as_theirs:?}"),
            format!("{theirs:?}"),
            "{name}"
        );
        agreed += 1;
    }
    assert!(agreed >= 50, "only {agreed} captures compared");
}

#[path = "oracle/convert.rs"]
mod flexgate_oracle;
