//! Decode and encode a realistic Flex request: a RemotingMessage whose body
//! holds an ArrayCollection of 100 typed objects. The `amf` crate has no
//! externalizable classes, so both codecs are also timed on the same
//! structure with a plain array in place of the ArrayCollection.

// `criterion_group!` defines an undocumented `pub fn`; a bench exports nothing.
#![allow(missing_docs)]

use bytes::Bytes;
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use flexgate_amf::{from_amf3, to_amf3, Registry, Value};
use std::sync::Arc;

#[path = "common/people.rs"]
mod people;
use people::{people, read_collection, remoting_message, Collection, COLLECTION};

fn bench(c: &mut Criterion) {
    let mut registry = Registry::new();
    registry.register(COLLECTION, read_collection);

    let with_collection = remoting_message(Value::External(Arc::new(Collection(people()))));
    let bytes = Bytes::from(to_amf3(&with_collection).expect("encodes"));
    let plain = remoting_message(people());
    let plain_bytes = Bytes::from(to_amf3(&plain).expect("encodes"));
    let theirs = amf::Amf3Value::read_from(&mut &plain_bytes[..]).expect("amf crate decodes");

    let mut g = c.benchmark_group("remoting_100_people");
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.bench_function("flexgate/decode/arraycollection", |b| {
        b.iter(|| from_amf3(black_box(bytes.clone()), &registry).expect("decodes"));
    });
    g.bench_function("flexgate/encode/arraycollection", |b| {
        b.iter(|| to_amf3(black_box(&with_collection)).expect("encodes"));
    });
    g.throughput(Throughput::Bytes(plain_bytes.len() as u64));
    g.bench_function("flexgate/decode/array", |b| {
        b.iter(|| from_amf3(black_box(plain_bytes.clone()), &registry).expect("decodes"));
    });
    g.bench_function("flexgate/encode/array", |b| {
        b.iter(|| to_amf3(black_box(&plain)).expect("encodes"));
    });
    g.bench_function("amf-crate/decode/array", |b| {
        b.iter(|| amf::Amf3Value::read_from(&mut black_box(&plain_bytes[..])).expect("decodes"));
    });
    g.bench_function("amf-crate/encode/array", |b| {
        b.iter(|| {
            let mut out = Vec::new();
            black_box(&theirs).write_to(&mut out).expect("encodes");
            out
        });
    });
    g.finish();
    eprintln!(
        "packet sizes: flexgate {} bytes (with ArrayCollection), {} bytes (plain array)",
        bytes.len(),
        plain_bytes.len()
    );
    let mut out = Vec::new();
    theirs.write_to(&mut out).expect("encodes");
    eprintln!(
        "amf crate writes the plain structure in {} bytes (no references)",
        out.len()
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
