//! Hostile input: every failure is a typed error with an offset, found fast,
//! never a panic, a hang or a huge allocation.

use bytes::Bytes;
use flexgate_amf::{
    from_amf0, from_amf3, DecodeErrorKind, DecodeLimits, Decoder, Packet, Registry, Table,
};
use std::path::Path;

fn amf3_err(b: &[u8]) -> DecodeErrorKind {
    from_amf3(Bytes::copy_from_slice(b), Registry::empty())
        .expect_err("must be rejected")
        .kind
}

#[test]
fn every_truncation_of_every_request_fixture_is_an_error() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/requests");
    let mut packets = 0;
    for entry in std::fs::read_dir(dir).expect("fixtures/requests") {
        let bytes = std::fs::read(entry.expect("entry").path()).expect("readable");
        for cut in 0..bytes.len() {
            let r = Packet::decode(Bytes::copy_from_slice(&bytes[..cut]), Registry::empty());
            let e = r.expect_err("a truncated packet cannot decode");
            assert!(
                e.offset <= cut,
                "offset {} past the input end {cut}",
                e.offset
            );
        }
        packets += 1;
    }
    assert!(packets >= 10);
}

#[test]
fn absurd_lengths_are_refused_before_allocating() {
    // A string, byte array, array and vector each claiming 2^28-1 elements.
    let huge = [0xBF, 0xFF, 0xFF, 0xFF];
    for marker in [0x06u8, 0x0C, 0x09, 0x0D, 0x10, 0x11] {
        let mut b = vec![marker];
        b.extend_from_slice(&huge);
        b.extend_from_slice(&[0x01, 0x01]);
        let kind = amf3_err(&b);
        assert!(
            matches!(
                kind,
                DecodeErrorKind::LengthTooLarge { .. } | DecodeErrorKind::TooManyItems { .. }
            ),
            "marker {marker:#x}: {kind:?}"
        );
    }
    // AMF0 strict array and long string claiming 4 GiB.
    for marker in [0x0Au8, 0x0C] {
        let b = [marker, 0xFF, 0xFF, 0xFF, 0xFF];
        let e = from_amf0(Bytes::copy_from_slice(&b), Registry::empty()).expect_err("rejected");
        let refused = matches!(
            e.kind,
            DecodeErrorKind::LengthTooLarge { .. } | DecodeErrorKind::TooManyItems { .. }
        );
        assert!(refused, "{e}");
    }
}

#[test]
fn item_limit_applies_to_terminated_collections() {
    // An anonymous object with 3 dynamic members against a limit of 2.
    let b = [
        0x0A, 0x0B, 0x01, 0x03, b'a', 0x01, 0x03, b'b', 0x01, 0x03, b'c', 0x01, 0x01,
    ];
    let limits = DecodeLimits {
        max_items: 2,
        ..DecodeLimits::default()
    };
    let mut d = Decoder::with_limits(Bytes::copy_from_slice(&b), Registry::empty(), limits);
    let e = d.read_amf3().expect_err("over the limit");
    assert!(matches!(
        e.kind,
        DecodeErrorKind::TooManyItems { limit: 2, .. }
    ));
}

#[test]
fn deep_nesting_stops_at_the_limit() {
    // 100,000 nested one-element arrays, in AMF3 and in AMF0.
    let amf3: Vec<u8> = [0x09u8, 0x03, 0x01].repeat(100_000);
    assert_eq!(amf3_err(&amf3), DecodeErrorKind::TooDeep(128));
    let amf0: Vec<u8> = [0x0Au8, 0, 0, 0, 1].repeat(100_000);
    let e = from_amf0(Bytes::from(amf0), Registry::empty()).expect_err("too deep");
    assert_eq!(e.kind, DecodeErrorKind::TooDeep(128));
    // Objects nest through the same counter.
    let objects: Vec<u8> = [0x0Au8, 0x0B, 0x01, 0x03, b'a'].repeat(100_000);
    assert_eq!(amf3_err(&objects), DecodeErrorKind::TooDeep(128));
}

#[test]
fn bad_and_cyclic_references() {
    // String reference 5 with an empty table.
    assert_eq!(
        amf3_err(&[0x06, 0x0A]),
        DecodeErrorKind::BadReference {
            table: Table::String,
            index: 5
        }
    );
    // Traits reference 3 with an empty table.
    assert_eq!(
        amf3_err(&[0x0A, 0x0D]),
        DecodeErrorKind::BadReference {
            table: Table::Traits,
            index: 3
        }
    );
    // An array whose only element is a reference to itself (object 0).
    assert_eq!(
        amf3_err(&[0x09, 0x03, 0x01, 0x09, 0x00]),
        DecodeErrorKind::CyclicReference(Table::Object)
    );
    // An object whose member refers back to it.
    assert_eq!(
        amf3_err(&[0x0A, 0x0B, 0x01, 0x03, b's', 0x0A, 0x00, 0x01]),
        DecodeErrorKind::CyclicReference(Table::Object)
    );
    // AMF0: an object containing a reference to itself.
    let b = [0x03, 0x00, 0x01, b's', 0x07, 0x00, 0x00, 0x00, 0x00, 0x09];
    let e = from_amf0(Bytes::copy_from_slice(&b), Registry::empty()).expect_err("cyclic");
    assert_eq!(e.kind, DecodeErrorKind::CyclicReference(Table::Amf0Object));
}

#[test]
fn invalid_utf8_unknown_markers_and_classes() {
    let e = from_amf3(
        Bytes::from_static(&[0x06, 0x05, b'a', 0xFF]),
        Registry::empty(),
    )
    .expect_err("not UTF-8");
    assert_eq!((e.offset, e.kind), (3, DecodeErrorKind::InvalidUtf8));
    assert_eq!(
        amf3_err(&[0x12]),
        DecodeErrorKind::UnknownMarker {
            format: "AMF3",
            marker: 0x12
        }
    );
    // An externalizable class nobody registered is named in the error.
    let mut b = vec![0x0A, 0x07, 0x07];
    b.extend_from_slice(b"com");
    assert_eq!(amf3_err(&b), DecodeErrorKind::UnknownExternal("com".into()));
    let e = Packet::decode(Bytes::from_static(&[0, 2, 0, 0, 0, 0]), Registry::empty())
        .expect_err("version 2");
    assert_eq!(e.kind, DecodeErrorKind::BadVersion(2));
    let e = from_amf3(Bytes::from_static(&[0x01, 0x01]), Registry::empty()).expect_err("trailing");
    assert_eq!((e.offset, e.kind), (1, DecodeErrorKind::TrailingBytes(1)));
}
