#![no_main]
//! Fuzz target `selector`: see fuzz/harness.rs.

#[allow(dead_code)] // each target uses one of the harness functions
#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::selector(data));
