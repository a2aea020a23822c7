//! Publish + drain throughput on one topic with 1, 100 and 10,000
//! subscribers (each on its own connection), in-memory store.
//!
//! One iteration publishes `BATCH` messages and then polls every
//! subscriber's connection once; throughput is counted in deliveries
//! (`BATCH × subscribers`).

// `criterion_group!` defines an undocumented `pub fn`; a bench exports nothing.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use flexgate_amf::Value;
use flexgate_broker::{
    Broker, BrokerConfig, DestinationConfig, DrainBudget, MemoryStore, Message, Payload,
};

const BATCH: usize = 10;

fn publish_drain(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("runtime");
    let mut group = c.benchmark_group("publish_drain");
    for subscribers in [1usize, 100, 10_000] {
        let broker = rt.block_on(async {
            let config =
                BrokerConfig::default().with_destination("topic", DestinationConfig::default());
            let b = Broker::new(MemoryStore::new(), config);
            for i in 0..subscribers {
                let conn = format!("conn-{i}");
                b.connect(Some(&conn), "bench").await.expect("connect");
                b.subscribe(&conn, &format!("consumer-{i}"), "topic", None, None)
                    .await
                    .expect("subscribe");
            }
            b
        });
        let ids: Vec<String> = (0..subscribers).map(|i| format!("conn-{i}")).collect();
        group.throughput(Throughput::Elements((BATCH * subscribers) as u64));
        group.bench_with_input(
            BenchmarkId::from_parameter(subscribers),
            &subscribers,
            |bench, _| {
                bench.iter(|| {
                    rt.block_on(async {
                        for n in 0..BATCH {
                            let m =
                                Message::new("topic", Payload::Message(Value::Integer(n as i32)))
                                    .with_header("n", n as i32);
                            broker.publish_message(m).await.expect("publish");
                        }
                        let mut delivered = 0;
                        for id in &ids {
                            delivered += broker
                                .poll(id, DrainBudget::default())
                                .await
                                .expect("poll")
                                .len();
                        }
                        assert_eq!(delivered, BATCH * ids.len());
                        black_box(delivered)
                    })
                });
            },
        );
    }
    group.finish();
}

criterion_group!(benches, publish_drain);
criterion_main!(benches);
