//! Publish → delivery latency of a long poll: memory store on one node,
//! Redis store on one node, and Redis across two nodes (publish on node A,
//! the poll waits on node B and is woken through Redis pub/sub).
//!
//! `cargo bench -p flexgate-broker --bench redis_latency` (Redis: a private
//! redis-server, else `FLEXGATE_TEST_REDIS`; see flexgate-testkit)
//!
//! Each message is published once the consumer's poll is parked (a short
//! pause between messages), so every figure includes the wake-up path,
//! not just a store read. Latency is measured from just before
//! `publish_message` to the moment `wait_for_messages` returns it.

use std::sync::Arc;
use std::time::Duration;

use flexgate_amf::{Registry, Value};
use flexgate_broker::{
    Broker, BrokerConfig, DestinationConfig, DrainBudget, IfUnsubscribed, MemoryStore, Message,
    MessageStore, Payload, RedisStore, RedisWake,
};
use tokio::sync::mpsc;
use tokio::time::Instant;

const MESSAGES: usize = 2_000;
/// Lets the consumer go back to waiting before the next publish.
const PAUSE: Duration = Duration::from_millis(2);

fn config() -> BrokerConfig {
    BrokerConfig::default().with_destination("topic", DestinationConfig::default())
}

async fn measure<S: MessageStore, T: MessageStore>(
    publisher: Arc<Broker<S>>,
    consumer: Arc<Broker<T>>,
) -> Vec<Duration> {
    consumer
        .connect(Some("bench-consumer"), "bench")
        .await
        .expect("connect");
    consumer
        .subscribe("bench-consumer", "c", "topic", None, None)
        .await
        .expect("subscribe");
    let (tx, mut rx) = mpsc::unbounded_channel();
    let waiter = tokio::spawn(async move {
        let mut received = 0;
        while received < MESSAGES {
            let ds = consumer
                .wait_for_messages(
                    "bench-consumer",
                    Instant::now() + Duration::from_secs(10),
                    DrainBudget::default(),
                    IfUnsubscribed::Fail,
                )
                .await
                .expect("wait");
            let now = Instant::now();
            received += ds.len();
            for _ in ds {
                let _ = tx.send(now);
            }
        }
    });
    let mut latencies = Vec::with_capacity(MESSAGES);
    for i in 0..MESSAGES {
        tokio::time::sleep(PAUSE).await;
        let message = Message::new("topic", Payload::Body(Value::Integer(i as i32)));
        let start = Instant::now();
        publisher.publish_message(message).await.expect("publish");
        let delivered = rx.recv().await.expect("delivery");
        latencies.push(delivered - start);
    }
    waiter.await.expect("waiter");
    latencies
}

fn report(name: &str, mut l: Vec<Duration>) {
    l.sort();
    let at = |p: usize| l[(l.len() * p / 100).min(l.len() - 1)];
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    println!(
        "{name:<24} n={:<5} p50={:>8.1} µs  p90={:>8.1} µs  p99={:>8.1} µs  max={:>8.1} µs",
        l.len(),
        us(at(50)),
        us(at(90)),
        us(at(99)),
        us(l[l.len() - 1]),
    );
}

async fn redis_node(url: &str, prefix: &str) -> Arc<Broker<RedisStore>> {
    let store = RedisStore::connect(url, prefix, Registry::empty())
        .await
        .expect("Redis store");
    let wake = RedisWake::connect(url, prefix)
        .await
        .expect("Redis wake-ups");
    let broker = Broker::new(store, config());
    wake.listen(broker.wake_hub().clone());
    Arc::new(broker.with_cluster_notifier(Arc::new(wake)))
}

fn main() {
    // `cargo bench` passes `--bench`; nothing to parse.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let memory = Arc::new(Broker::new(MemoryStore::new(), config()));
        report("memory, one node", measure(memory.clone(), memory).await);

        // A private redis-server, else FLEXGATE_TEST_REDIS; neither is a
        // failure, not a report without its Redis half.
        let url = flexgate_testkit::redis::url();
        let prefix = format!("flexgate-bench:{}:", uuid::Uuid::new_v4().simple());
        let one = redis_node(&url, &format!("{prefix}one:")).await;
        report("redis, one node", measure(one.clone(), one.clone()).await);
        let a = redis_node(&url, &format!("{prefix}two:")).await;
        let b = redis_node(&url, &format!("{prefix}two:")).await;
        report("redis, node A → node B", measure(a.clone(), b).await);
        for store in [one.store(), a.store()] {
            store.delete_all().await.expect("cleanup");
        }
    });
}
