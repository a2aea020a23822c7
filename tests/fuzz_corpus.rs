//! The fuzz corpus as regression tests: every input under fuzz/corpus/<target>/
//! and fuzz/regressions/<target>/ goes through the same harness the libFuzzer
//! targets run (fuzz/harness.rs), with the real decoders, and must not panic.
//! This is how CI exercises the fuzz targets on a stable toolchain.

// The harness also serves the libFuzzer binaries (fuzz/, its own workspace,
// without these lints), each of which uses part of it.
#[allow(dead_code, unreachable_pub)]
#[path = "../fuzz/harness.rs"]
mod harness;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

/// The files of `fuzz/<kind>/<target>/`, sorted (none if the folder is absent).
fn inputs(kind: &str, target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join(kind)
        .join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// Runs `target` over every input of `kind`; returns how many ran.
fn run(kind: &str) -> usize {
    let mut ran = 0;
    let mut failed = Vec::new();
    for (target, decode) in harness::TARGETS {
        for path in inputs(kind, target) {
            let data = match std::fs::read(&path) {
                Ok(d) => d,
                // A running fuzzer replaces corpus files with smaller ones.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => panic!("{}: {e}", path.display()),
            };
            if catch_unwind(AssertUnwindSafe(|| decode(&data))).is_err() {
                failed.push(path.display().to_string());
            }
            ran += 1;
        }
    }
    assert!(failed.is_empty(), "inputs that panic: {failed:#?}");
    ran
}

#[test]
fn every_corpus_input_decodes_without_panic() {
    let ran = run("corpus");
    // Each target has a committed, minimised corpus: an empty run would
    // mean the folder moved and nothing was tested.
    for (target, _) in harness::TARGETS {
        assert!(
            !inputs("corpus", target).is_empty(),
            "fuzz/corpus/{target} is empty"
        );
    }
    assert!(ran > 0);
}

#[test]
fn every_crash_found_by_fuzzing_stays_fixed() {
    run("regressions");
}

/// The crash fuzzing found (fuzz/regressions/flex_message/crash-0b4d...):
/// a small-form message whose headers object came from a sealed trait
/// with a member named "", re-encoded as a dynamic object, wrote the empty
/// name that AMF3 uses as the end of dynamic members, and everything after
/// it was read as garbage. Members and array keys named "" are now left
/// out in both formats, and what is written reads back.
#[test]
fn members_named_empty_are_left_out_so_the_output_reads_back() {
    use bytes::Bytes;
    use flexgate_amf::{from_amf0, from_amf3, to_amf0, to_amf3, Array, Object, Value};
    use flexgate_messages::registry;
    let object = Value::object(Object::anonymous([
        ("", Value::from(1)),
        ("kept", Value::from("yes")),
    ]));
    let array = Value::Array(std::sync::Arc::new(Array {
        dense: vec![Value::from(7)],
        assoc: vec![("".into(), Value::from(2)), ("k".into(), Value::from(3))],
    }));
    let expected_object = Value::object(Object::anonymous([("kept", Value::from("yes"))]));
    for v in [&object, &array] {
        let back3 = from_amf3(Bytes::from(to_amf3(v).expect("encodes")), registry())
            .expect("AMF3 reads back");
        let back0 = from_amf0(Bytes::from(to_amf0(v).expect("encodes")), registry())
            .expect("AMF0 reads back");
        if v == &object {
            assert_eq!(back3, expected_object);
            assert_eq!(back0, expected_object);
        } else {
            let a = back3.as_array().expect("array");
            assert_eq!(a.dense, [Value::from(7)]);
            assert_eq!(a.assoc.len(), 1);
            assert!(back0.as_array().is_some() || back0.as_object().is_some());
        }
    }
}
