//! AMF packets captured from real Flash Player / Flex clients and servers,
//! published with PyAMF's and RocketAMF's test data (fixtures/captured/,
//! origin and license in its README): flexgate reads every one, writes it
//! back to an equal value, and answers every captured request body.

mod common;

use bytes::Bytes;
use common::{cookie_pair, post_with_cookie, TestServer, AMF};
use flexgate_amf::Packet;
use flexgate_gateway::config::Config;
use flexgate_messages::{registry, CommandOperation, Message};
use hyper::StatusCode;
use std::path::{Path, PathBuf};

/// Captures no AMF reader can read without the sender's classes: the file
/// and why.
const UNREADABLE: &[(&str, &str)] = &[
    (
        "pyamf-dumps/dashboard-response2.amf3",
        "a BlazeDS streaming body (NUL bytes, then a chunk-framed AMF3 message), not an envelope",
    ),
    (
        "pyamf-dumps/red5-externalizable-request.amf3",
        "externalizable org.red5 class",
    ),
    (
        "pyamf-dumps/red5-externalizable-response.amf3",
        "externalizable org.red5 class",
    ),
];

fn captures() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/captured");
    let mut files = Vec::new();
    for dir in ["pyamf-dumps", "rocketamf"] {
        for entry in std::fs::read_dir(root.join(dir)).expect("fixtures/captured") {
            let path = entry.expect("entry").path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.starts_with("LICENSE") {
                continue;
            }
            files.push(path);
        }
    }
    files.sort();
    assert!(files.len() > 70, "captures missing: {}", files.len());
    files
}

fn label(p: &Path) -> String {
    let dir = p
        .parent()
        .and_then(|d| d.file_name())
        .and_then(|n| n.to_str())
        .unwrap_or("");
    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
    format!("{dir}/{name}")
}

fn is_request(p: &Packet) -> bool {
    p.bodies
        .iter()
        .all(|b| !b.target.ends_with("/onResult") && !b.target.ends_with("/onStatus"))
}

#[test]
fn every_capture_decodes_and_reencodes_to_an_equal_packet() {
    let mut failures = Vec::new();
    for file in captures() {
        let name = label(&file);
        let bytes = Bytes::from(std::fs::read(&file).expect("readable"));
        let decoded = Packet::decode(bytes, registry());
        if let Some((_, why)) = UNREADABLE.iter().find(|(n, _)| *n == name) {
            assert!(decoded.is_err(), "{name} ({why}) decoded: {decoded:?}");
            continue;
        }
        let packet = match decoded {
            Ok(p) => p,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        let again = if is_request(&packet) {
            packet.encode_request()
        } else {
            packet.encode()
        };
        match again.map(|b| Packet::decode(Bytes::from(b), registry())) {
            // Or equal Debug text: a captured NaN is not == to itself.
            Ok(Ok(back)) if back == packet || format!("{back:?}") == format!("{packet:?}") => {}
            Ok(Ok(_)) => failures.push(format!("{name}: re-encoded packet differs")),
            Ok(Err(e)) => failures.push(format!("{name}: re-encoded packet unreadable: {e}")),
            Err(e) => failures.push(format!("{name}: cannot encode: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn every_captured_request_gets_an_answer_per_body() {
    let server = TestServer::start(Config::default()).await;
    let mut failures = Vec::new();
    let mut requests = 0;
    // One browser session replays them all: captures of one client reuse
    // its DSId, which flexgate binds to the session cookie.
    let mut cookie: Option<String> = None;
    for file in captures() {
        let name = label(&file);
        if UNREADABLE.iter().any(|(n, _)| *n == name) {
            continue;
        }
        let raw = std::fs::read(&file).expect("readable");
        let Ok(packet) = Packet::decode(Bytes::from(raw.clone()), registry()) else {
            continue; // reported by the decode test
        };
        if !is_request(&packet) {
            continue;
        }
        requests += 1;
        let reply = post_with_cookie(
            &server.url(AMF),
            "application/x-amf",
            raw,
            cookie.as_deref(),
        )
        .await;
        if let Some(set) = &reply.set_cookie {
            cookie = Some(cookie_pair(set));
        }
        let (status, body) = (reply.status, reply.body);
        if status != StatusCode::OK {
            failures.push(format!("{name}: HTTP {status}"));
            continue;
        }
        let reply = match Packet::decode(body, registry()) {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("{name}: reply unreadable: {e}"));
                continue;
            }
        };
        if reply.bodies.len() != packet.bodies.len() {
            failures.push(format!(
                "{name}: {} replies to {} bodies",
                reply.bodies.len(),
                packet.bodies.len()
            ));
            continue;
        }
        for (req, rep) in packet.bodies.iter().zip(&reply.bodies) {
            let ok = format!("{}/onResult", req.response);
            let fault = format!("{}/onStatus", req.response);
            if rep.target.as_ref() != ok && rep.target.as_ref() != fault {
                failures.push(format!("{name}: reply target {}", rep.target));
            }
            // A captured Flex ping must succeed: it needs nothing from the
            // server the capture was made against. A captured poll names a
            // client this server never saw subscribe: an empty success or
            // BlazeDS's NotSubscribed fault, nothing else.
            let flex = req
                .value
                .as_array()
                .and_then(|a| a.dense.first())
                .and_then(|v| Message::from_value(v).ok());
            if let Some(Message::Command(c)) = flex {
                let answered = match c.operation {
                    CommandOperation::ClientPing => rep.target.as_ref() == ok,
                    CommandOperation::Poll => {
                        rep.target.as_ref() == ok
                            || matches!(
                                Message::from_value(&rep.value),
                                Ok(Message::Error(e))
                                    if e.fault_code.as_deref()
                                        == Some("Server.Processing.NotSubscribed")
                            )
                    }
                    _ => true,
                };
                if !answered {
                    failures.push(format!(
                        "{name}: {:?} answered on {}",
                        c.operation, rep.target
                    ));
                }
            }
        }
    }
    server.running.shutdown().await;
    assert!(requests > 30, "only {requests} captured requests");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
