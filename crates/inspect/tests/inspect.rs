//! `inspect` and `encode`, run as the real binary (`flexgate-inspect`, whose
//! subcommands the `flexgate` binary delegates to).

use bytes::Bytes;
use flexgate_amf::{from_amf0, from_amf3, Packet, Registry};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_flexgate-inspect");

fn fixtures(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("amf" | "amf0" | "amf3" | "bin")
            )
        })
        .collect();
    files.sort();
    files
}

/// Runs `flexgate ARGS` with `stdin` as its standard input.
fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("flexgate starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin)
        .expect("stdin written");
    child.wait_with_output().expect("flexgate ends")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// What a fixture holds, from its directory and name.
fn value_args(path: &Path) -> Vec<&'static str> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    match path.extension().and_then(|e| e.to_str()) {
        Some("amf") => vec![],
        Some("amf0") => vec!["--value", "amf0"],
        Some("amf3") => vec!["--value", "amf3"],
        _ if name.starts_with("amf0") => vec!["--value", "amf0"],
        _ => vec!["--value", "amf3"],
    }
}

/// Whether flexgate's own codec decodes the fixture (with the Flex classes).
fn codec_decodes(path: &Path, bytes: Bytes) -> bool {
    let registry: &Registry = flexgate_messages::registry();
    match value_args(path).get(1).copied() {
        None => Packet::decode(bytes, registry).is_ok(),
        Some("amf0") => from_amf0(bytes, registry).is_ok(),
        _ => from_amf3(bytes, registry).is_ok(),
    }
}

/// Every fixture the codec decodes comes back byte for byte from
/// `inspect | encode`; those it rejects, inspect rejects too (exit 1, with
/// the offset). No fixture is expected to differ: the JSON records py3amf's
/// zero body length, its ECMA counts, its referenced Dates and re-inlined
/// traits, the request versus reply layout and the NaN bit patterns.
#[test]
fn inspect_then_encode_reproduces_every_fixture() {
    let mut round_trips = 0;
    let mut rejected = 0;
    for dir in ["requests", "replies", "values", "values/amf-crate"] {
        for path in fixtures(dir) {
            let name = path.display().to_string();
            let bytes = std::fs::read(&path).expect("fixture");
            let args = value_args(&path);
            let path_arg = path.to_str().expect("utf-8 path");
            let inspected = run(&[&["inspect"], &args[..], &[path_arg]].concat(), b"");
            if !codec_decodes(&path, Bytes::from(bytes.clone())) {
                assert_eq!(
                    inspected.status.code(),
                    Some(1),
                    "{name} should be rejected"
                );
                assert!(
                    stderr(&inspected).contains(": byte "),
                    "{name}: {}",
                    stderr(&inspected)
                );
                rejected += 1;
                continue;
            }
            assert!(inspected.status.success(), "{name}: {}", stderr(&inspected));
            let encoded = run(
                &[&["encode"], &args[..], &["-"]].concat(),
                &inspected.stdout,
            );
            assert!(encoded.status.success(), "{name}: {}", stderr(&encoded));
            assert!(encoded.stdout == bytes, "{name}: encode changed the bytes");
            round_trips += 1;
        }
    }
    assert!(
        round_trips >= 150,
        "only {round_trips} fixtures round-tripped"
    );
    assert!(
        rejected >= 30,
        "only {rejected} malformed fixtures rejected"
    );
}

#[test]
fn sample_packet_json_matches_the_checked_in_file() {
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/requests/remoting_echo.amf");
    let expected = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/inspect/remoting_echo.json"),
    )
    .expect("expected JSON");
    let out = run(
        &["inspect", "--pretty", fixture.to_str().expect("utf-8")],
        b"",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected);
}

#[test]
fn unknown_marker_gives_its_offset() {
    // Version 3, no headers, one body "x" -> "y" whose value starts with 0x42.
    let packet = b"\x00\x03\x00\x00\x00\x01\x00\x01x\x00\x01y\x00\x00\x00\x01\x42";
    let out = run(&["inspect", "-"], packet);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "flexgate inspect: -: byte 16: expected an AMF0 type marker: \
         unknown AMF0 type marker 0x42\n"
    );
    let out = run(&["inspect", "--value", "amf3", "-"], b"\x09\x03\x01\x20");
    assert_eq!(
        stderr(&out),
        "flexgate inspect: -: byte 3: expected an AMF3 type marker: \
         unknown AMF3 type marker 0x20\n"
    );
}

#[test]
fn truncated_input_gives_the_offset_of_the_missing_bytes() {
    // A double cut after 3 of its 8 bytes.
    let out = run(&["inspect", "--value", "amf3", "-"], b"\x05\x40\x08\x00");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "flexgate inspect: -: byte 1: expected a double (8 bytes): \
         unexpected end of input (5 more bytes needed)\n"
    );
    // A packet cut inside its body header.
    let ping = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/requests/ping.amf"),
    )
    .expect("fixture");
    let out = run(&["inspect", "-"], &ping[..18]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "flexgate inspect: -: byte 16: expected the body length (u32): \
         unexpected end of input (2 more bytes needed)\n"
    );
}

#[test]
fn hexdump_shows_bytes_beside_their_meaning_and_stops_at_an_error() {
    let out = run(
        &["inspect", "--hexdump", "--value", "amf3", "-"],
        b"\x09\x05\x01\x04\x07\x06",
    );
    assert_eq!(out.status.code(), Some(1));
    let dump = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = dump.lines().map(str::trim_end).collect();
    assert_eq!(
        lines[0],
        format!("00000000  {:<48}  array, 2 dense", "09 05")
    );
    assert_eq!(
        lines[1],
        format!("00000002  {:<48}    end of members", "01")
    );
    assert_eq!(lines[2], format!("00000003  {:<48}    integer 7", "04 07"));
    // The string marker was read; its length is missing.
    assert_eq!(
        lines[3],
        format!("00000005  {:<48}  (read before the error)", "06")
    );
    assert!(
        lines[4].starts_with("00000006  error: byte 6: expected an AMF3 string"),
        "{dump}"
    );
}

#[test]
fn non_canonical_input_re_encodes_to_an_equal_value() {
    // ["abc", "abc"] with the second string inline again instead of a
    // reference, and the integer 1 as an over-long two-byte U29.
    let input = b"\x09\x07\x01\x06\x07abc\x06\x07abc\x04\x80\x01";
    let json = run(&["inspect", "--value", "amf3", "-"], input);
    assert!(json.status.success(), "{}", stderr(&json));
    let bytes = run(&["encode", "--value", "amf3", "-"], &json.stdout);
    assert!(bytes.status.success(), "{}", stderr(&bytes));
    assert_eq!(bytes.stdout, b"\x09\x07\x01\x06\x07abc\x06\x00\x04\x01");
    let registry = Registry::empty();
    assert_eq!(
        from_amf3(Bytes::from(bytes.stdout), registry),
        from_amf3(Bytes::from_static(input), registry)
    );
}

#[test]
fn encode_names_the_json_path_of_a_problem() {
    let json = br#"{"version": 3, "headers": [], "bodies": [
        {"target": "a", "response": "b", "value": [{"amf3": {"class": "P", "sealed": {"when": {"date": "yesterday"}}}}]}
    ]}"#;
    let out = run(&["encode", "-"], json);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "flexgate encode: -: at bodies[0].value[0].amf3.sealed.when.date: \
         expected an ISO-8601 date such as 2020-01-02T03:04:05.678Z\n"
    );
}

#[test]
fn edited_json_encodes_to_what_the_codec_reads() {
    // A hand-written request: a typed object with a date, behind avmplus.
    let json = br#"{"version": 3, "headers": [], "bodies": [
        {"target": "EchoService.echo", "response": "/1",
         "value": [{"amf3": {"class": "P", "sealed": {"n": 1, "when": {"date": "2020-01-02T03:04:05.678Z"}}}}]}
    ]}"#;
    let out = run(&["encode", "-"], json);
    assert!(out.status.success(), "{}", stderr(&out));
    let packet = Packet::decode(Bytes::from(out.stdout), Registry::empty()).expect("decodes");
    let args = packet.bodies[0].value.as_array().expect("args");
    let p = args.dense[0].as_object().expect("object");
    assert_eq!(p.class(), "P");
    assert_eq!(p.get("n"), Some(&flexgate_amf::Value::Integer(1)));
    assert_eq!(
        p.get("when"),
        Some(&flexgate_amf::Value::Date(flexgate_amf::Date {
            millis: 1_577_934_245_678.0
        }))
    );
}

#[test]
fn bad_command_lines_exit_2() {
    assert_eq!(run(&["inspect"], b"").status.code(), Some(2));
    assert_eq!(
        run(&["inspect", "--value", "amf4", "-"], b"").status.code(),
        Some(2)
    );
    assert_eq!(
        run(&["encode", "--pretty", "-"], b"").status.code(),
        Some(2)
    );
}
