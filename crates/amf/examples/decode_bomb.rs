//! Decodes a generated worst-case request and prints the peak memory
//! (VmHWM) of the process: a packet of about `MB` megabytes (default 15)
//! whose one body is an array of arrays of 1-byte nulls, the densest
//! allocation per input byte the AMF3 grammar allows.
//! `cargo run --release -p flexgate-amf --example decode_bomb -- 15`

use bytes::Bytes;
use flexgate_amf::{DecodeLimits, Packet, Registry};

/// Elements of each inner array: the default `max_items`.
const INNER: usize = 1 << 20;

fn u29(out: &mut Vec<u8>, v: u32) {
    match v {
        0..=0x7F => out.push(v as u8),
        0x80..=0x3FFF => out.extend([(v >> 7) as u8 | 0x80, (v & 0x7F) as u8]),
        0x4000..=0x1F_FFFF => out.extend([
            (v >> 14) as u8 | 0x80,
            (v >> 7) as u8 | 0x80,
            (v & 0x7F) as u8,
        ]),
        _ => out.extend([
            (v >> 22) as u8 | 0x80,
            (v >> 15) as u8 | 0x80,
            (v >> 8) as u8 | 0x80,
            v as u8,
        ]),
    }
}

fn bomb(megabytes: usize) -> Vec<u8> {
    let arrays = (megabytes << 20) / INNER;
    let mut out = vec![0, 3, 0, 0, 0, 1, 0, 4];
    out.extend(b"null");
    out.extend([0, 2]);
    out.extend(b"/1");
    out.extend([0xFF; 4]);
    // avmplus, then an array of `arrays` arrays.
    out.extend([0x11, 0x09]);
    u29(&mut out, (arrays as u32) << 1 | 1);
    out.push(0x01);
    for _ in 0..arrays {
        out.push(0x09);
        u29(&mut out, (INNER as u32) << 1 | 1);
        out.push(0x01);
        out.extend(std::iter::repeat_n(0x01, INNER));
    }
    out
}

fn peak_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let megabytes: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(15);
    let input = Bytes::from(bomb(megabytes));
    let len = input.len();
    let before = peak_kib().unwrap_or(0);
    let outcome = Packet::decode_with(input, Registry::empty(), DecodeLimits::default());
    let after = peak_kib().unwrap_or(0);
    println!(
        "input {len} bytes; decode {}; peak RSS {} MiB before decoding, {} MiB after",
        match &outcome {
            Ok(_) => "ok".to_owned(),
            Err(e) => format!("refused: {e}"),
        },
        before / 1024,
        after / 1024
    );
}
