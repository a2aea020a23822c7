//! Decode + encode of the fixture corpus (every AMF packet under fixtures/:
//! py3amf-made requests and replies, the case requests, the captures from
//! PyAMF's and RocketAMF's test data) with flexgate, the `amf` crate (1.0)
//! and `flash-lso` (0.7), in one criterion run.
//!
//! Each codec is timed on the files that all three read and write back
//! (the common set, listed at start; `FLEXGATE_BENCH_CORPUS_LIST=<file>`
//! writes it for bench/py3amf_corpus.py). How many files each reads alone
//! is printed too.

// `criterion_group!` defines an undocumented `pub fn`; a bench exports nothing.
#![allow(missing_docs)]

use bytes::Bytes;
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use flexgate_amf::Packet;
use flexgate_messages::registry;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

fn corpus() -> Vec<(PathBuf, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let mut files = Vec::new();
    for dir in [
        "requests",
        "replies",
        "cases/requests",
        "captured/pyamf-dumps",
        "captured/rocketamf",
    ] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.starts_with("LICENSE") || name.ends_with(".md") {
                continue;
            }
            if let Ok(bytes) = std::fs::read(&p) {
                files.push((p, bytes));
            }
        }
    }
    files.sort();
    files
}

// ---- flexgate ----------------------------------------------------------

fn flexgate_roundtrip(bytes: &Bytes) -> Option<usize> {
    let p = Packet::decode(bytes.clone(), registry()).ok()?;
    let is_reply = p
        .bodies
        .iter()
        .any(|b| b.target.ends_with("/onResult") || b.target.ends_with("/onStatus"));
    let out = if is_reply {
        p.encode()
    } else {
        p.encode_request()
    };
    out.ok().map(|o| o.len())
}

// ---- flash-lso ---------------------------------------------------------

fn lso_roundtrip(bytes: &[u8]) -> Option<usize> {
    let p = flash_lso::packet::read::parse(bytes).ok()?;
    flash_lso::packet::write::write_to_bytes(&p, true)
        .ok()
        .map(|o| o.len())
}

// ---- the amf crate: values only, so the envelope framing is read here ---

fn read_u16(r: &mut Cursor<&[u8]>) -> Option<u16> {
    let mut b = [0; 2];
    r.read_exact(&mut b).ok()?;
    Some(u16::from_be_bytes(b))
}

fn read_utf(r: &mut Cursor<&[u8]>) -> Option<String> {
    let n = read_u16(r)?;
    let mut b = vec![0; usize::from(n)];
    r.read_exact(&mut b).ok()?;
    String::from_utf8(b).ok()
}

fn write_utf(out: &mut Vec<u8>, s: &str) -> Option<()> {
    out.extend(u16::try_from(s.len()).ok()?.to_be_bytes());
    out.extend(s.as_bytes());
    Some(())
}

fn amf_crate_roundtrip(bytes: &[u8]) -> Option<usize> {
    let mut r = Cursor::new(bytes);
    let version = read_u16(&mut r)?;
    let mut out = Vec::with_capacity(bytes.len());
    out.extend(version.to_be_bytes());
    for _section in 0..2 {
        // headers (name, must-understand, length, value) then bodies
        // (target, response, length, value)
        let count = read_u16(&mut r)?;
        out.extend(count.to_be_bytes());
        for _ in 0..count {
            let a = read_utf(&mut r)?;
            write_utf(&mut out, &a)?;
            if _section == 0 {
                let mut flag = [0u8; 1];
                r.read_exact(&mut flag).ok()?;
                out.push(flag[0]);
            } else {
                let b = read_utf(&mut r)?;
                write_utf(&mut out, &b)?;
            }
            let mut len = [0u8; 4];
            r.read_exact(&mut len).ok()?;
            let value = amf::amf0::Value::read_from(&mut r).ok()?;
            let mut body = Vec::new();
            value.write_to(&mut body).ok()?;
            out.extend(u32::try_from(body.len()).ok()?.to_be_bytes());
            out.extend(body);
        }
    }
    (usize::try_from(r.position()).ok()? == bytes.len()).then_some(out.len())
}

fn bench(c: &mut Criterion) {
    let files = corpus();
    let mut common = Vec::new();
    let (mut fg, mut lso, mut amf) = (0, 0, 0);
    let mut lso_panics = Vec::new();
    // flash-lso panics on some inputs ("Invalid reference" in its AMF3
    // writer): such a file counts as unreadable, quietly.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    for (path, bytes) in &files {
        let b = Bytes::from(bytes.clone());
        let lso_ok = match std::panic::catch_unwind(|| lso_roundtrip(bytes)) {
            Ok(r) => r.is_some(),
            Err(_) => {
                lso_panics.push(path.display().to_string());
                false
            }
        };
        let ok = [
            flexgate_roundtrip(&b).is_some(),
            lso_ok,
            amf_crate_roundtrip(bytes).is_some(),
        ];
        fg += usize::from(ok[0]);
        lso += usize::from(ok[1]);
        amf += usize::from(ok[2]);
        if ok.iter().all(|x| *x) {
            common.push((path.clone(), b));
        }
    }
    std::panic::set_hook(hook);
    eprintln!("flash-lso panicked on: {lso_panics:?}");
    let total_bytes: usize = common.iter().map(|(_, b)| b.len()).sum();
    eprintln!(
        "corpus: {} files; read and written back by flexgate {fg}, flash-lso {lso}, amf crate {amf}; \
         common set {} files, {total_bytes} bytes",
        files.len(),
        common.len()
    );
    if let Some(list) = std::env::var_os("FLEXGATE_BENCH_CORPUS_LIST") {
        let text: String = common
            .iter()
            .map(|(p, _)| format!("{}\n", p.display()))
            .collect();
        std::fs::write(list, text).expect("corpus list written");
    }
    let mut g = c.benchmark_group("corpus_decode_encode");
    g.throughput(Throughput::Bytes(total_bytes as u64));
    g.bench_function("flexgate", |b| {
        b.iter(|| {
            for (_, bytes) in &common {
                black_box(flexgate_roundtrip(black_box(bytes)));
            }
        });
    });
    g.bench_function("flash-lso", |b| {
        b.iter(|| {
            for (_, bytes) in &common {
                black_box(lso_roundtrip(black_box(bytes)));
            }
        });
    });
    g.bench_function("amf-crate", |b| {
        b.iter(|| {
            for (_, bytes) in &common {
                black_box(amf_crate_roundtrip(black_box(bytes)));
            }
        });
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
