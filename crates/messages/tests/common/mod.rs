//! Helpers shared by the integration tests.
#![allow(dead_code)]

use bytes::Bytes;
use flexgate_amf::{Packet, Value};
use std::path::PathBuf;

/// `<workspace>/fixtures`.
pub(crate) fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// The `.amf` files of `fixtures/<sub>`, sorted by name (empty when absent).
pub(crate) fn fixture_files(sub: &str) -> Vec<PathBuf> {
    let Ok(dir) = std::fs::read_dir(fixtures_dir().join(sub)) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = dir
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "amf"))
        .collect();
    files.sort();
    files
}

/// Decodes a fixture packet with the crate's registry.
pub(crate) fn decode_packet(path: &std::path::Path) -> Packet {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Packet::decode(Bytes::from(bytes), flexgate_messages::registry())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A string member of an object value.
pub(crate) fn member<'v>(v: &'v Value, name: &str) -> &'v Value {
    v.as_object()
        .and_then(|o| o.get(name))
        .unwrap_or_else(|| panic!("no member {name} in {v:?}"))
}
