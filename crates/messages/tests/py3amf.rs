//! Re-encodes every decoded request fixture (full and small form, plus
//! replies built with `ack_for`/`error_for`) and checks that py3amf decodes
//! the bytes back to the same fields (`py3amf_check.py`).
//!
//! The interpreter is `flexgate_testkit::py3amf_python` (`FLEXGATE_PY3AMF_PYTHON`,
//! else the venv of scripts/install-test-deps, else `python3`). Without
//! an importable `pyamf` the test is ignored; under `CI=true` it runs and
//! fails.

mod common;

use common::{decode_packet, fixture_files};
use flexgate_amf::{to_amf3, Value};
use flexgate_messages::*;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

fn json_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn json_num(out: &mut String, n: f64) {
    if n.is_finite() {
        let _ = write!(out, "{n:?}");
    } else {
        out.push_str("null");
    }
}

fn json_members<'a>(
    out: &mut String,
    class: &str,
    members: impl Iterator<Item = (&'a str, &'a Value)>,
) {
    out.push_str("{\"$class\":");
    json_str(out, class);
    for (k, v) in members {
        out.push(',');
        json_str(out, k);
        out.push(':');
        json_value(out, v);
    }
    out.push('}');
}

/// The JSON form of a value that `py3amf_check.py`'s `norm` produces.
fn json_value(out: &mut String, v: &Value) {
    match v {
        Value::Null | Value::Undefined => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Integer(i) => json_num(out, f64::from(*i)),
        Value::Number(n) => json_num(out, *n),
        Value::String(s) => json_str(out, s),
        Value::Date(d) => {
            out.push_str("{\"$date\":");
            json_num(out, d.millis);
            out.push('}');
        }
        Value::ByteArray(b) => {
            out.push_str("{\"$bytes\":\"");
            for byte in b {
                let _ = write!(out, "{byte:02x}");
            }
            out.push_str("\"}");
        }
        Value::Array(a) if a.assoc.is_empty() => {
            out.push('[');
            for (i, item) in a.dense.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_value(out, item);
            }
            out.push(']');
        }
        Value::Array(a) => json_members(out, "", a.assoc.iter().map(|(k, v)| (k.as_str(), v))),
        Value::Object(o) => json_members(out, o.class(), o.members().map(|(k, v)| (k.as_str(), v))),
        Value::External(e) => {
            let inner = v
                .as_external::<ArrayCollection>()
                .map(|c| &c.source)
                .or_else(|| v.as_external::<ObjectProxy>().map(|p| &p.object));
            out.push_str("{\"$ext\":");
            json_str(out, e.class_name());
            out.push_str(",\"value\":");
            json_value(out, inner.unwrap_or(&Value::Null));
            out.push('}');
        }
        _ => out.push_str("\"unsupported\""),
    }
}

fn opt(out: &mut String, key: &str, v: Option<&str>) {
    out.push(',');
    json_str(out, key);
    out.push(':');
    match v {
        Some(s) => json_str(out, s),
        None => out.push_str("null"),
    }
}

/// The fields of `m` as `py3amf_check.py` compares them.
fn expected_json(m: &Message) -> String {
    let b = m.base();
    let kind = match m {
        Message::Async(_) => "async",
        Message::Command(_) => "command",
        Message::Acknowledge(_) => "acknowledge",
        Message::Error(_) => "error",
        Message::Remoting(_) => "remoting",
    };
    let mut out = String::from("{\"kind\":");
    json_str(&mut out, kind);
    opt(&mut out, "messageId", b.message_id.as_deref());
    opt(&mut out, "clientId", b.client_id.as_deref());
    opt(&mut out, "destination", b.destination.as_deref());
    let _ = write!(
        out,
        ",\"timestamp\":{:?},\"timeToLive\":{:?},\"headers\":{{",
        b.timestamp as f64, b.time_to_live as f64
    );
    for (i, (k, v)) in b.headers.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        json_str(&mut out, k);
        out.push(':');
        json_value(&mut out, v);
    }
    out.push_str("},\"body\":");
    json_value(&mut out, &b.body);
    if !matches!(m, Message::Remoting(_)) {
        opt(&mut out, "correlationId", m.correlation_id());
    }
    match m {
        Message::Command(c) => {
            let _ = write!(out, ",\"operation\":{:?}", f64::from(c.operation.code()));
        }
        Message::Error(e) => {
            opt(&mut out, "faultCode", e.fault_code.as_deref());
            opt(&mut out, "faultString", e.fault_string.as_deref());
            opt(&mut out, "faultDetail", e.fault_detail.as_deref());
            out.push_str(",\"rootCause\":");
            json_value(&mut out, &e.root_cause);
        }
        Message::Remoting(r) => {
            opt(&mut out, "operation", Some(&r.operation));
            opt(&mut out, "source", r.source.as_deref());
        }
        _ => {}
    }
    out.push('}');
    out
}

fn write_case(dir: &Path, name: &str, m: &Message, v: &Value) {
    let bytes = to_amf3(v).unwrap_or_else(|e| panic!("{name}: {e}"));
    std::fs::write(dir.join(format!("{name}.amf3")), bytes).unwrap();
    std::fs::write(dir.join(format!("{name}.json")), expected_json(m)).unwrap();
}

#[test]
#[cfg_attr(
    not(flexgate_py3amf),
    ignore = "needs py3amf: FLEXGATE_PY3AMF_PYTHON or its venv (scripts/test installs it)"
)]
fn py3amf_reads_what_we_write() {
    let py = flexgate_testkit::require(flexgate_testkit::py3amf_python());
    let files = fixture_files("requests");
    assert!(!files.is_empty(), "fixtures/requests is empty");
    let dir: PathBuf = std::env::temp_dir().join(format!("flexgate-py3amf-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();

    let mut cases = 0;
    for path in files {
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let packet = decode_packet(&path);
        for (i, body) in packet.bodies.iter().enumerate() {
            if &*body.target != "null" {
                continue;
            }
            let m = Message::from_request_body(&body.value).unwrap();
            for (form, tag) in [(Form::Full, "full"), (Form::Small, "small")] {
                write_case(&dir, &format!("{stem}.{i}.{tag}"), &m, &m.to_value(form));
            }
            if let Message::Command(c) = &m {
                // Any command can go as DSC; py3amf, like the Java and AS3
                // readers, gives an omitted operation its constructor default
                // rather than 0, so subscribe (0) is left out here.
                if c.operation.code() != 0 {
                    let v = CommandMessageExt::new(c.clone()).into_value();
                    write_case(&dir, &format!("{stem}.{i}.dsc"), &m, &v);
                }
            }
            let ack = Message::from(ack_for(&m));
            write_case(
                &dir,
                &format!("{stem}.{i}.ack"),
                &ack,
                &ack.to_value(Form::Small),
            );
            let fault = Fault::new(FaultCode::ClientAuthorization, "denied").with_detail("why");
            let err = Message::from(error_for(&m, fault));
            write_case(
                &dir,
                &format!("{stem}.{i}.err"),
                &err,
                &err.to_value(Form::Small),
            );
            cases += 1;
        }
    }
    assert!(cases > 0);
    // A canary whose expectation is wrong on purpose: proves the script compares.
    let canary = Message::from(AsyncMessage {
        base: AbstractMessage {
            destination: Some("right".into()),
            ..Default::default()
        },
        correlation_id: None,
    });
    let mut wrong = canary.clone();
    wrong.base_mut().destination = Some("wrong".into());
    write_case(&dir, "zz_canary", &wrong, &canary.to_value(Form::Small));

    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/py3amf_check.py");
    let out = Command::new(&py).arg(&script).arg(&dir).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    let _ = std::fs::remove_dir_all(&dir);
    let failures: Vec<&str> = stdout.lines().filter(|l| l.starts_with("FAIL")).collect();
    assert!(
        failures.len() == 1 && failures[0].starts_with("FAIL zz_canary:"),
        "py3amf disagrees:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
