//! Decides whether the py3amf test runs or is ignored (see
//! flexgate-testkit for why this is a build script).

use flexgate_testkit::{build::declare, Prereq};

fn main() {
    declare(&[(Prereq::Py3amf, "the py3amf decoding test (tests/py3amf.rs)")]);
}
