//! Decides whether the Redis half of the store suite runs or is ignored
//! (see flexgate-testkit for why this is a build script).

use flexgate_testkit::{build::declare, Prereq};

fn main() {
    // Without the `redis` feature there is no Redis suite to decide about.
    if std::env::var_os("CARGO_FEATURE_REDIS").is_some() {
        declare(&[(
            Prereq::Redis,
            "the Redis store suite (tests/store_suite.rs)",
        )]);
    } else {
        declare(&[]);
    }
}
