//! The fuzz corpus as regression tests: every input under fuzz/corpus/<target>/
//! and fuzz/regressions/<target>/ goes through the same harness the libFuzzer
//! targets run (fuzz/harness.rs), with the real decoders, and must not panic.
//! This is how CI exercises the fuzz targets on a stable toolchain.

#[allow(dead_code)] // the harness also serves the libFuzzer binaries
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
