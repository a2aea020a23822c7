//! AMF0 reference numbering over HTTP (issue #15 §2 items 4 and 5): dates
//! and XML documents take a slot as in Flash Player, PyAMF-style argument
//! arrays that take none are understood, and an undecodable body gets a
//! fault of its own instead of failing the request.

mod common;

use common::{post, TestServer, AMF};
use flexgate_amf::{Date, Object, Packet, Value};
use flexgate_gateway::config::Config;
use flexgate_messages::{registry, Message};
use hyper::StatusCode;

/// An AMF0 envelope with one body per `(target, response, value bytes)`,
/// each with its true length.
fn envelope(bodies: &[(&str, &str, &[u8])]) -> Vec<u8> {
    let mut out = vec![0, 0, 0, 0];
    out.extend((bodies.len() as u16).to_be_bytes());
    for (target, response, value) in bodies {
        for s in [target, response] {
            out.extend((s.len() as u16).to_be_bytes());
            out.extend(s.as_bytes());
        }
        out.extend((value.len() as u32).to_be_bytes());
        out.extend(*value);
    }
    out
}

/// An AMF0 UTF-8 string as an object member name (u16 length + bytes).
fn utf(s: &str) -> Vec<u8> {
    let mut out = (s.len() as u16).to_be_bytes().to_vec();
    out.extend(s.as_bytes());
    out
}

/// The value of the first reply body, its raw bytes included.
async fn call(server: &TestServer, request: Vec<u8>) -> (Packet, Vec<u8>) {
    let (status, _, body) = post(&server.url(AMF), "application/x-amf", request).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let raw = body.to_vec();
    (
        Packet::decode(body, registry()).expect("reply decodes"),
        raw,
    )
}

/// The arguments of Flash Player's `nc.call(..., payload)` with
/// `payload = {n_xml: new XML(...), n_xml_ref: payload.n_xml}`, as recorded
/// from Flash Player in ruffle-rs/rust-flash-lso issue 124: the repeated
/// XML is reference 2 (args array 0, payload 1, XML 2).
const XML: &str = "<root><child id=\"avm1\">test</child></root>";

fn flash_xml_args() -> Vec<u8> {
    let mut v = vec![0x0A, 0, 0, 0, 1, 0x03];
    v.extend(utf("n_xml"));
    v.push(0x0F);
    v.extend((XML.len() as u32).to_be_bytes());
    v.extend(XML.as_bytes());
    v.extend(utf("n_xml_ref"));
    v.extend([0x07, 0, 2, 0, 0, 0x09]);
    v
}

#[tokio::test]
async fn flash_xml_reference_is_read_and_echoed_as_a_reference() {
    let server = TestServer::start(Config::default()).await;
    let args = flash_xml_args();
    let (reply, raw) = call(&server, envelope(&[("EchoService.echo", "/1", &args)])).await;
    assert_eq!(reply.bodies[0].target, "/1/onResult");
    let payload = reply.bodies[0].value.as_object().expect("the payload");
    let xml = payload.get("n_xml").expect("n_xml");
    assert!(matches!(xml, Value::Xml(x) if x.text.as_ref() == XML));
    assert_eq!(payload.get("n_xml_ref"), Some(xml));
    // Echoed as Flash Player writes it: payload 0, XML 1, then reference 1.
    assert!(raw.ends_with(&[0x07, 0, 1, 0, 0, 0x09]), "{raw:02x?}");
    server.running.shutdown().await;
}

#[tokio::test]
async fn echoed_date_does_not_shift_later_references() {
    let server = TestServer::start(Config::default()).await;
    let o = Value::object(Object::anonymous([("k", Value::from("v"))]));
    let payload = Value::object(Object::anonymous([
        ("d", Value::Date(Date { millis: 12.0 })),
        ("a", o.clone()),
        ("b", o),
    ]));
    let request = Packet {
        version: flexgate_amf::Version::Amf0,
        headers: vec![],
        bodies: vec![flexgate_amf::Body {
            target: "EchoService.echo".into(),
            response: "/1".into(),
            value: Value::array(vec![payload]),
        }],
    };
    let bytes = request.encode_request().expect("encodes");
    let (_, raw) = call(&server, bytes).await;
    // The reply as a counting reader (Flash Player) numbers it: payload 0,
    // date 1, `a` 2; `b` must be reference 2, not 1 (the date).
    let mut tail = utf("b");
    tail.extend([0x07, 0, 2, 0, 0, 0x09]);
    assert!(raw.ends_with(&tail), "{raw:02x?}");
    server.running.shutdown().await;
}

#[tokio::test]
async fn pyamf_args_array_outside_the_reference_table() {
    let server = TestServer::start(Config::default()).await;
    // echoAll(o, o) as PyAMF writes it: the args array takes no slot, so
    // the repeated object is reference 0.
    let mut args = vec![0x0A, 0, 0, 0, 2, 0x03];
    args.extend(utf("k"));
    args.push(0x02);
    args.extend(utf("v"));
    args.extend([0, 0, 0x09, 0x07, 0, 0]);
    let (reply, _) = call(&server, envelope(&[("EchoService.echoAll", "/1", &args)])).await;
    assert_eq!(reply.bodies[0].target, "/1/onResult");
    let o = Value::object(Object::anonymous([("k", Value::from("v"))]));
    assert_eq!(reply.bodies[0].value, Value::array(vec![o.clone(), o]));
    server.running.shutdown().await;
}

#[tokio::test]
async fn undecodable_bodies_get_a_fault_each() {
    let server = TestServer::start(Config::default()).await;
    let bad_amf0 = [0x0A, 0, 0, 0, 1, 0x13];
    let bad_amf3 = [0x0A, 0, 0, 0, 1, 0x11, 0x13];
    let good = [0x0A, 0, 0, 0, 1, 0x02, 0, 2, b'o', b'k'];
    let request = envelope(&[
        ("EchoService.echo", "/1", &bad_amf0),
        ("null", "/2", &bad_amf3),
        ("EchoService.echo", "/3", &good),
    ]);
    let (reply, _) = call(&server, request).await;
    let targets: Vec<&str> = reply.bodies.iter().map(|b| b.target.as_ref()).collect();
    assert_eq!(targets, ["/1/onStatus", "/2/onStatus", "/3/onResult"]);
    let legacy = reply.bodies[0].value.as_object().expect("status object");
    assert_eq!(
        legacy.get("code").and_then(Value::as_str),
        Some("Client.Message.Encoding")
    );
    let flex = Message::from_value(&reply.bodies[1].value).expect("a Flex message");
    match flex {
        Message::Error(e) => assert_eq!(e.fault_code.as_deref(), Some("Client.Message.Encoding")),
        other => panic!("not an ErrorMessage: {other:?}"),
    }
    assert_eq!(reply.bodies[2].value, Value::from("ok"));
    server.running.shutdown().await;
}
