//! Whole request packets as py3amf sends them: decode, then re-encode to
//! the same bytes (py3amf, like Flash Player, writes true lengths).

mod common;

use common::{fixtures, read, registry};
use flexgate_amf::{Body, Header, Packet, Value, Version};

#[test]
fn request_fixtures_round_trip_byte_for_byte() {
    let registry = registry();
    let mut checked = 0;
    for path in fixtures("requests") {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if name.contains("_small") {
            continue; // small messages need flexgate-messages' registry
        }
        let bytes = read(&path);
        let packet =
            Packet::decode(bytes.clone(), &registry).unwrap_or_else(|e| panic!("{name}: {e}"));
        let expected = if name == "legacy_amf0.amf" || name == "legacy_credentials.amf" {
            Version::Amf0
        } else {
            Version::Amf3
        };
        assert_eq!(packet.version, expected, "{name}");
        assert!(!packet.bodies.is_empty(), "{name}");
        let again = packet.encode_request().expect("encodes");
        if name == "ping_len0.amf" {
            // Its body length field says 0; we write the true length.
            assert_eq!(again, read(&path.with_file_name("ping.amf")).as_ref());
        } else {
            assert_eq!(again, bytes.as_ref(), "{name}");
        }
        checked += 1;
    }
    assert!(checked >= 15, "only {checked} packets");
}

#[test]
fn legacy_call_targets_and_credentials_header() {
    let registry = registry();
    let dir = |n: &str| {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/requests")
            .join(n)
    };
    let p = Packet::decode(read(&dir("legacy_amf0.amf")), &registry).expect("decodes");
    assert_eq!(p.bodies[0].target, "EchoService.echo");
    assert_eq!(p.bodies[0].response, "/1");
    let args = p.bodies[0].value.as_array().expect("args array");
    assert_eq!(args.dense.len(), 3);

    let p = Packet::decode(read(&dir("legacy_credentials.amf")), &registry).expect("decodes");
    let h = &p.headers[0];
    assert_eq!(h.name, "Credentials");
    assert!(h.must_understand);
    assert!(h.value.as_object().and_then(|o| o.get("userid")).is_some());

    let p = Packet::decode(read(&dir("two_bodies.amf")), &registry).expect("decodes");
    let responses: Vec<&str> = p.bodies.iter().map(|b| b.response.as_str()).collect();
    assert_eq!(responses, ["/1", "/2"]);
}

#[test]
fn reply_encoding_lengths_and_avmplus() {
    let p = Packet {
        version: Version::Amf3,
        headers: vec![Header {
            name: "AppendToGatewayUrl".into(),
            must_understand: false,
            value: Value::string(";jsessionid=1"),
        }],
        bodies: vec![Body {
            target: "/1/onResult".into(),
            response: "null".into(),
            value: Value::Integer(5),
        }],
    };
    let b = p.encode().expect("encodes");
    let mut expected = vec![0, 3, 0, 1, 0, 18];
    expected.extend_from_slice(b"AppendToGatewayUrl");
    // The header's string stays AMF0 (marker 0x02, u16 length), as BlazeDS
    // writes it and as Royale's AMFNetConnection insists; the body switches.
    expected.extend_from_slice(&[0, 0, 0, 0, 16, 0x02, 0x00, 0x0D]);
    expected.extend_from_slice(b";jsessionid=1");
    expected.extend_from_slice(&[0, 1, 0, 11]);
    expected.extend_from_slice(b"/1/onResult");
    expected.extend_from_slice(&[0, 4]);
    expected.extend_from_slice(b"null");
    expected.extend_from_slice(&[0, 0, 0, 3, 0x11, 0x04, 0x05]);
    assert_eq!(b, expected);
    assert_eq!(Packet::decode(b.into(), &registry()).expect("decodes"), p);
}
