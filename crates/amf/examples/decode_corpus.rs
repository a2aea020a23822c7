//! Decodes every AMF3 value and packet under fixtures/ a fixed number of
//! times: a deterministic workload for instruction counting, e.g.
//! `valgrind --tool=callgrind target/release/examples/decode_corpus 200`.

use bytes::Bytes;
use flexgate_amf::{from_amf3, Packet, Registry};
use std::path::Path;

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let mut values = Vec::new();
    let mut packets = Vec::new();
    for (dir, into) in [("values", &mut values), ("requests", &mut packets)] {
        for entry in std::fs::read_dir(root.join(dir)).expect("fixtures") {
            let path = entry.expect("entry").path();
            let keep = match dir {
                "values" => path.extension().is_some_and(|e| e == "amf3"),
                _ => !path.to_string_lossy().contains("_small"),
            };
            if keep {
                into.push(Bytes::from(std::fs::read(&path).expect("readable")));
            }
        }
    }
    let registry = Registry::new();
    let mut decoded = 0usize;
    for _ in 0..rounds {
        for v in &values {
            decoded += usize::from(from_amf3(v.clone(), &registry).is_ok());
        }
        for p in &packets {
            decoded += usize::from(Packet::decode(p.clone(), &registry).is_ok());
        }
    }
    println!("{decoded} decodes");
}
