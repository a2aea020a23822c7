//! The gateway's modules form no import cycle, and no source file is over
//! the size where it stops having one job (`flexgate_testkit::modules`;
//! the root package's tests/module_graph.rs checks every crate the same
//! way).

use flexgate_testkit::modules::Crate;

#[test]
fn no_import_cycle_and_no_long_file() {
    let problems = Crate::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src")).problems();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
