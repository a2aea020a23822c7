//! The allocation budget (`DecodeLimits::alloc_per_byte` and
//! `alloc_allowance`): input that would allocate far more than its own size
//! is refused before the memory is taken, and real packets stay inside it.

mod common;

use bytes::Bytes;
use common::{read, registry};
use flexgate_amf::{DecodeError, DecodeErrorKind, DecodeLimits, Decoder, Packet, Registry};
use std::path::{Path, PathBuf};

/// Every AMF file under fixtures/, recursively.
fn all_fixtures() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("fixtures dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if !matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("md" | "toml" | "py" | "txt" | "json")
            ) {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    walk(&root, &mut out);
    out.sort();
    out
}

/// Decodes `bytes` as a packet, else as one AMF3 value, else as one AMF0 value.
fn decode(bytes: &Bytes, registry: &Registry, limits: DecodeLimits) -> Result<(), DecodeError> {
    Packet::decode_with(bytes.clone(), registry, limits)
        .map(drop)
        .or_else(|_| value(bytes, registry, limits, true))
        .or_else(|_| value(bytes, registry, limits, false))
}

fn value(
    bytes: &Bytes,
    registry: &Registry,
    limits: DecodeLimits,
    amf3: bool,
) -> Result<(), DecodeError> {
    let mut d = Decoder::with_limits(bytes.clone(), registry, limits);
    if amf3 {
        d.read_amf3()?;
    } else {
        d.read_amf0()?;
    }
    d.finish()
}

/// An AMF3 dense array of `n` elements, each `item`.
fn dense_array(n: u32, item: &[u8]) -> Vec<u8> {
    // U29 of (n << 1 | 1) for n < 2^20: three bytes.
    assert!(n < 1 << 20);
    let h = (n << 1) | 1;
    let mut out = vec![
        0x09,
        (h >> 14) as u8 | 0x80,
        (h >> 7) as u8 | 0x80,
        (h & 0x7F) as u8,
        0x01,
    ];
    for _ in 0..n {
        out.extend_from_slice(item);
    }
    out
}

#[test]
fn a_dense_array_of_nulls_is_refused_before_its_elements_are_allocated() {
    // A million 1-byte nulls: 40 MB of `Value`s, over 16 x 1 MB + 1 MiB.
    let bomb = dense_array(1_000_000, &[0x01]);
    let err = flexgate_amf::from_amf3(Bytes::from(bomb), Registry::empty()).expect_err("refused");
    let limit = DecodeLimits::default().alloc_budget(1_000_000 + 5);
    assert_eq!(err.kind, DecodeErrorKind::TooMuchMemory { limit });
    // Refused at the array's header, before any element was read.
    assert_eq!(err.offset, 5);
}

#[test]
fn the_same_count_of_doubles_fits_since_it_is_not_denser_than_the_budget() {
    // Same element count, 9 bytes each: 40 bytes of value per 9 input bytes.
    let doubles = dense_array(1_000_000, &[0x05, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0]);
    let v = flexgate_amf::from_amf3(Bytes::from(doubles), Registry::empty()).expect("decodes");
    assert_eq!(v.as_array().map(|a| a.dense.len()), Some(1_000_000));
}

#[test]
fn members_and_tables_are_charged_as_they_grow() {
    // An anonymous object with 2^16 dynamic members "k<i>" = null, 7-8 bytes
    // each: the member vector and the string table outgrow a budget of 4
    // bytes per input byte with no allowance.
    let mut obj = vec![0x0A, 0x0B, 0x01];
    for i in 0..1u32 << 16 {
        let name = format!("{i:05x}");
        obj.push(((name.len() as u8) << 1) | 1);
        obj.extend_from_slice(name.as_bytes());
        obj.push(0x01);
    }
    obj.push(0x01);
    let tight = DecodeLimits {
        alloc_per_byte: 4,
        alloc_allowance: 0,
        ..DecodeLimits::default()
    };
    let mut d = Decoder::with_limits(Bytes::from(obj.clone()), Registry::empty(), tight);
    let err = d.read_amf3().expect_err("refused");
    assert!(
        matches!(err.kind, DecodeErrorKind::TooMuchMemory { .. }),
        "{err}"
    );
    assert!(flexgate_amf::from_amf3(Bytes::from(obj), Registry::empty()).is_ok());
}

/// Every fixture that decodes at all decodes with the default bytes per
/// input byte and a small allowance, so the default is not what real
/// packets rely on the allowance for.
#[test]
fn every_fixture_decodes_within_the_default_budget() {
    let registry = registry();
    let unlimited = DecodeLimits {
        alloc_per_byte: usize::MAX,
        ..DecodeLimits::default()
    };
    let small_allowance = DecodeLimits {
        alloc_allowance: 64 << 10,
        ..DecodeLimits::default()
    };
    let mut checked = 0;
    for path in all_fixtures() {
        let bytes = read(&path);
        if decode(&bytes, &registry, unlimited).is_err() {
            continue;
        }
        for limits in [DecodeLimits::default(), small_allowance] {
            if let Err(e) = decode(&bytes, &registry, limits) {
                panic!("{}: {e}", path.display());
            }
        }
        checked += 1;
    }
    assert!(checked >= 250, "only {checked} fixtures decoded");
}
