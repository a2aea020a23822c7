//! N publishers and M long-polling consumers on one topic.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use flexgate_broker::{DrainBudget, IfUnsubscribed, MessageStore};
use tokio::sync::Barrier;
use tokio::time::Instant;

use super::{broker, msg};

const PUBLISHERS: usize = 4;
const PER_PUBLISHER: usize = 500;
const SINGLE_CONSUMER_CONNECTIONS: usize = 6;

pub(crate) async fn hammer<S: MessageStore>(store: S) {
    let total = PUBLISHERS * PER_PUBLISHER;
    let b = Arc::new(broker(store));

    // Connections: six with one consumer each, one with two consumers.
    let mut connections: Vec<(String, Vec<String>)> = (0..SINGLE_CONSUMER_CONNECTIONS)
        .map(|i| (format!("conn-{i}"), vec![format!("consumer-{i}")]))
        .collect();
    connections.push((
        "conn-multi".into(),
        vec!["multi-a".into(), "multi-b".into()],
    ));
    for (conn, consumers) in &connections {
        b.connect(Some(conn), "ch").await.unwrap();
        for c in consumers {
            b.subscribe(conn, c, "news", None, None).await.unwrap();
        }
    }

    let start = Arc::new(Barrier::new(PUBLISHERS + connections.len()));
    let mut pollers = Vec::new();
    for (conn, consumers) in connections.clone() {
        let b = b.clone();
        let start = start.clone();
        pollers.push(tokio::spawn(async move {
            start.wait().await;
            let mut got: HashMap<String, Vec<(u64, String)>> = HashMap::new();
            let expected = total * consumers.len();
            let mut received = 0;
            while received < expected {
                // Short deadlines make many waits start while publishes are
                // in flight, exercising the register-then-check race.
                let ds = b
                    .wait_for_messages(
                        &conn,
                        Instant::now() + Duration::from_millis(20),
                        DrainBudget::default(),
                        IfUnsubscribed::Fail,
                    )
                    .await
                    .unwrap();
                received += ds.len();
                for d in ds {
                    let body = d.message.payload.value().as_str().unwrap_or("").to_owned();
                    got.entry(d.client_id.clone())
                        .or_default()
                        .push((d.seq, body));
                }
            }
            got
        }));
    }
    let mut publishers = Vec::new();
    for p in 0..PUBLISHERS {
        let b = b.clone();
        let start = start.clone();
        publishers.push(tokio::spawn(async move {
            start.wait().await;
            for n in 0..PER_PUBLISHER {
                b.publish_message(msg("news", &format!("{p}:{n}")).with_ttl_ms(600_000))
                    .await
                    .unwrap();
                if n % 7 == 0 {
                    tokio::task::yield_now().await;
                }
            }
        }));
    }

    let all = async {
        for p in publishers {
            p.await.unwrap();
        }
        let mut per_consumer = HashMap::new();
        for poller in pollers {
            per_consumer.extend(poller.await.unwrap());
        }
        per_consumer
    };
    let per_consumer = tokio::time::timeout(Duration::from_secs(60), all)
        .await
        .expect("every consumer received every message before the timeout");

    assert_eq!(per_consumer.len(), SINGLE_CONSUMER_CONNECTIONS + 2);
    let reference: Vec<String> = per_consumer["consumer-0"]
        .iter()
        .map(|(_, b)| b.clone())
        .collect();
    for (consumer, list) in &per_consumer {
        assert_eq!(list.len(), total, "{consumer}: exactly once each");
        assert!(
            list.windows(2).all(|w| w[0].0 < w[1].0),
            "{consumer}: in publish order"
        );
        let mut next = [0usize; PUBLISHERS];
        for (_, body) in list {
            let (p, n) = body.split_once(':').unwrap();
            let (p, n): (usize, usize) = (p.parse().unwrap(), n.parse().unwrap());
            assert_eq!(
                n, next[p],
                "{consumer}: publisher {p} in order, nothing lost"
            );
            next[p] += 1;
        }
        let bodies: Vec<String> = list.iter().map(|(_, b)| b.clone()).collect();
        assert_eq!(
            bodies, reference,
            "{consumer}: same order as every other consumer"
        );
    }
}
