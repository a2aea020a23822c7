//! The memory store's own rules: retention and purging.

use super::*;
use crate::message::Payload;
use flexgate_amf::Value;

fn m(dest: &str, ttl_ms: u64) -> Arc<Message> {
    Arc::new(Message::new(dest, Payload::Message(Value::Null)).with_ttl_ms(ttl_ms))
}

const TEN: Retention = Retention {
    max_messages: 10,
    max_bytes: usize::MAX,
    max_total_bytes: usize::MAX,
};

async fn append(s: &MemoryStore, message: Arc<Message>) -> u64 {
    s.append(message, 100, TEN).await.unwrap().seq
}

async fn take(s: &MemoryStore, now_ms: u64) -> Vec<Pending> {
    match s
        .take_pending("c", &DrainScope::All, now_ms, DrainBudget::default())
        .await
        .unwrap()
    {
        Drained::Pending(p) => p,
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn retention_follows_subscribers() {
    let s = MemoryStore::new();
    // Nobody subscribed: sequence advances, nothing retained.
    assert_eq!(append(&s, m("d", 1000)).await, 1);
    assert_eq!(s.retained_messages(), 0);
    s.open_connection(Connection::new("c", "ch", 0, 1000), Create::IfAbsent)
        .await
        .unwrap();
    let key = SubscriptionKey::new("c", "d", "x");
    let out = s.subscribe(key, None, None, None).await.unwrap();
    assert_eq!(out, SubscribeOutcome::Created { since_seq: 1 });
    append(&s, m("d", 1000)).await;
    append(&s, m("d", 1000)).await;
    assert_eq!(s.retained_messages(), 2);
    assert_eq!(s.retained_bytes(), 200);
    // Purge keeps what the subscriber has not consumed yet...
    assert_eq!(s.purge(0).await.unwrap(), 0);
    let pending = take(&s, 0).await;
    assert_eq!(pending[0].messages.len(), 2);
    // ...and drops it once consumed by every subscriber.
    assert_eq!(s.purge(0).await.unwrap(), 2);
    assert_eq!(s.retained_messages(), 0);
    assert_eq!(s.retained_bytes(), 0);
    // Removing the connection removes the subscription.
    s.remove_connection("c").await.unwrap();
    append(&s, m("d", 1000)).await;
    assert_eq!(s.retained_messages(), 0);
}

#[tokio::test]
async fn expired_entries_in_the_middle_are_purged() {
    let s = MemoryStore::new();
    s.open_connection(Connection::new("c", "ch", 0, 1000), Create::IfAbsent)
        .await
        .unwrap();
    s.subscribe(SubscriptionKey::new("c", "d", "x"), None, None, None)
        .await
        .unwrap();
    append(&s, m("d", 1000)).await;
    append(&s, m("d", 10)).await;
    append(&s, m("d", 1000)).await;
    assert_eq!(s.purge(100).await.unwrap(), 1);
    let pending = take(&s, 100).await;
    let seqs: Vec<u64> = pending[0].messages.iter().map(|(q, _)| *q).collect();
    assert_eq!(seqs, [1, 3]);
}
