//! Decode and encode a realistic Flex request: a RemotingMessage whose body
//! holds an ArrayCollection of 100 typed objects. The `amf` crate has no
//! externalizable classes, so both codecs are also timed on the same
//! structure with a plain array in place of the ArrayCollection.

// `criterion_group!` defines an undocumented `pub fn`; a bench exports nothing.
#![allow(missing_docs)]

use bytes::Bytes;
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use flexgate_amf::{
    eq_external, from_amf3, to_amf3, DecodeError, EncodeError, ExternalInput, ExternalOutput,
    Externalizable, Object, Registry, Traits, Value,
};
use std::sync::Arc;

const COLLECTION: &str = "flex.messaging.io.ArrayCollection";

#[derive(Debug, PartialEq)]
struct Collection(Value);

impl Externalizable for Collection {
    fn class_name(&self) -> &str {
        COLLECTION
    }
    fn write_external(&self, out: &mut dyn ExternalOutput) -> Result<(), EncodeError> {
        out.write_amf3(&self.0)
    }
    fn eq_external(&self, other: &dyn Externalizable) -> bool {
        eq_external(self, other)
    }
}

fn read_collection(d: &mut dyn ExternalInput) -> Result<Value, DecodeError> {
    Ok(Value::External(Arc::new(Collection(d.read_amf3()?))))
}

fn people() -> Value {
    let person = Traits::sealed(
        "com.example.Person",
        &["id", "name", "email", "age", "active", "score"],
    );
    Value::array(
        (0..100)
            .map(|i| {
                Value::object(Object::typed(
                    person.clone(),
                    vec![
                        Value::Integer(i),
                        Value::string(format!("Person {i}")),
                        Value::string(format!("person{i}@example.com")),
                        Value::Integer(20 + i % 50),
                        Value::Bool(i % 2 == 0),
                        Value::Number(f64::from(i) * 1.5),
                    ],
                ))
            })
            .collect(),
    )
}

fn remoting_message(arg: Value) -> Value {
    let traits = Traits::sealed(
        "flex.messaging.messages.RemotingMessage",
        &[
            "body",
            "clientId",
            "destination",
            "headers",
            "messageId",
            "operation",
            "source",
            "timestamp",
            "timeToLive",
        ],
    );
    let headers = Object::anonymous([
        (
            "DSId",
            Value::string("7B0ACE2B-1F4E-4C8D-A3E1-0D5F6A7B8C9D"),
        ),
        ("DSEndpoint", Value::string("my-amf")),
    ]);
    Value::object(Object::typed(
        traits,
        vec![
            Value::array(vec![arg]),
            Value::Null,
            Value::string("PersonService"),
            Value::object(headers),
            Value::string("A0000000-0000-4000-8000-000000000001"),
            Value::string("save"),
            Value::Null,
            Value::Integer(0),
            Value::Integer(0),
        ],
    ))
}

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
