//! The `flexgate` binary hands `inspect` and `encode` to flexgate-inspect
//! (whose own tests cover the mapping): one packet there and back.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn flexgate(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_flexgate"))
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

#[test]
fn inspect_and_encode_subcommands_round_trip_a_packet() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/requests/ping.amf");
    let bytes = std::fs::read(&path).expect("fixture");
    let json = flexgate(&["inspect", path.to_str().expect("utf-8 path")], b"");
    assert!(
        json.status.success(),
        "{}",
        String::from_utf8_lossy(&json.stderr)
    );
    assert!(json
        .stdout
        .starts_with(br#"{"version":3,"headers":[],"bodies":[{"#));
    let again = flexgate(&["encode", "-"], &json.stdout);
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert_eq!(again.stdout, bytes);
}
