//! Encodes the codec bench's plain-array request (100 typed Person objects
//! in a RemotingMessage) a fixed number of times with flexgate's encoder or
//! with the `amf` crate's: a deterministic workload for instruction
//! counting, e.g.
//! `valgrind --tool=callgrind target/release/examples/encode_compare flexgate 1000`
//! (the same with `0` rounds gives the start-up to subtract).

use bytes::Bytes;
use flexgate_amf::{to_amf3, Value};
use std::hint::black_box;

#[path = "../benches/common/people.rs"]
mod people;

fn main() {
    let mut args = std::env::args().skip(1);
    let which = args.next().unwrap_or_else(|| "flexgate".into());
    let rounds: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100);
    let plain = people::remoting_message(people::people());
    let bytes = Bytes::from(to_amf3(&plain).expect("encodes"));
    let theirs = amf::Amf3Value::read_from(&mut &bytes[..]).expect("amf crate decodes");
    let mut total = 0usize;
    match which.as_str() {
        "flexgate" => {
            for _ in 0..rounds {
                total += to_amf3(black_box(&plain)).expect("encodes").len();
            }
        }
        "amf" => {
            for _ in 0..rounds {
                let mut out = Vec::new();
                black_box(&theirs).write_to(&mut out).expect("encodes");
                total += out.len();
            }
        }
        "collection" => {
            let c = people::remoting_message(Value::External(std::sync::Arc::new(
                people::Collection(people::people()),
            )));
            for _ in 0..rounds {
                total += to_amf3(black_box(&c)).expect("encodes").len();
            }
        }
        other => panic!("unknown encoder {other}: flexgate, amf or collection"),
    }
    println!("{total} bytes");
}
