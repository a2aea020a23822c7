//! Every crate's modules form no import cycle (but the codec's
//! value/externalizable pair), and no source file in any crate is over
//! 450 lines (`flexgate_testkit::modules`).

use std::path::Path;

use flexgate_testkit::modules::Crate;

/// The crate's checks with what each lets pass, by directory name.
fn rules(dir: &str, src: &Path) -> Crate {
    let krate = Crate::new(src);
    match dir {
        // An `Externalizable` reads and writes `Value`s, and a `Value`
        // holds the externalized object: one type pair, two files.
        "amf" => krate.allow_cycle(&["external", "value"]),
        _ => krate,
    }
}

#[test]
fn every_crate_has_no_import_cycle_and_no_long_file() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates");
    let mut checked = Vec::new();
    let mut failures = Vec::new();
    for entry in std::fs::read_dir(&crates).expect("crates/ is readable") {
        let dir = entry.expect("entry").path();
        let src = dir.join("src");
        if !src.is_dir() {
            continue;
        }
        let name = dir
            .file_name()
            .expect("named")
            .to_string_lossy()
            .into_owned();
        failures.extend(rules(&name, &src).problems());
        checked.push(name);
    }
    checked.sort();
    assert!(
        ["amf", "broker", "inspect", "messages"]
            .iter()
            .all(|c| checked.iter().any(|d| d == c)),
        "checked {checked:?}"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
