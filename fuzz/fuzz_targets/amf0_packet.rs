#![no_main]
//! Fuzz target `amf0_packet`: see fuzz/harness.rs.

#[allow(dead_code)] // each target uses one of the harness functions
#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::amf0_packet(data));
