//! What one `/status.json` costs: a [`Snapshot`] of a gateway with 100 and
//! 10,000 connected clients (one subscription each, a quarter on a
//! subtopic), serialized to JSON. The memory store's lock is held while it
//! clones the connections, so this also bounds how long a status refresh
//! can delay a publish.

// `criterion_group!` defines an undocumented `pub fn`; a bench exports nothing.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use flexgate_broker::MessageStore;
use flexgate_gateway::config::Config;
use flexgate_gateway::Gateway;
use std::hint::black_box;

fn status_json(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("runtime");
    let mut group = c.benchmark_group("status_json");
    for clients in [100usize, 10_000] {
        let gateway = rt.block_on(async {
            let gateway = Gateway::new(Config::default())
                .in_process()
                .await
                .expect("memory store");
            let broker = gateway.broker();
            for i in 0..clients {
                let id = format!("CLIENT-{i:05}");
                broker.connect(Some(&id), "my-amf").await.expect("connect");
                let subtopic = (i % 4 == 0).then(|| format!("room.{}", i % 10));
                broker
                    .subscribe(&id, &format!("C{i}"), "chat", subtopic.as_deref(), None)
                    .await
                    .expect("subscribe");
            }
            gateway
        });
        // The part that holds the memory store's lock.
        group.bench_with_input(
            BenchmarkId::new("store_listing", clients),
            &clients,
            |b, _| {
                b.iter(|| {
                    rt.block_on(async {
                        let store = gateway.broker().store();
                        let conns = store.connections().await.expect("lists");
                        let subs = store.all_subscriptions().await.expect("lists");
                        black_box((conns, subs))
                    })
                });
            },
        );
        group.bench_with_input(
            BenchmarkId::new("snapshot_json", clients),
            &clients,
            |b, _| {
                b.iter(|| {
                    rt.block_on(async {
                        let s = gateway.snapshot().await;
                        black_box(serde_json::to_vec(&s).expect("serializes"))
                    })
                });
            },
        );
    }
    group.finish();
}

criterion_group!(benches, status_json);
criterion_main!(benches);
