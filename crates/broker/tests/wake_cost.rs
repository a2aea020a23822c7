//! What a woken long poll asks the store for. Each store call is one
//! Redis round trip with the Redis store (one atomic pipeline or one
//! script), so the calls counted here are the round trips a woken poll
//! costs with Redis (docs/benchmarks.md, issue #18 target 5).

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use flexgate_broker::{
    Appended, Broker, BrokerError, Connection, ConnectionUpdate, Create, Delivery, DrainBudget,
    DrainScope, Drained, IfUnsubscribed, MemoryStore, MessageStore, Opened, Retention, Selector,
    StoreError, SubscribeOutcome, Subscription, SubscriptionKey, Subtopic, Unsubscribe,
};
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// The parked poll's task.
type Waiting = JoinHandle<Result<Vec<Delivery>, BrokerError>>;

/// Calls of the two methods a waiting poll uses.
#[derive(Default)]
struct Calls {
    subscriptions: AtomicUsize,
    take_pending: AtomicUsize,
}

/// A memory store that counts what the broker asks of it.
struct Counting {
    inner: MemoryStore,
    calls: Arc<Calls>,
}

impl MessageStore for Counting {
    async fn open_connection(
        &self,
        connection: Connection,
        create: Create,
    ) -> Result<Opened, StoreError> {
        self.inner.open_connection(connection, create).await
    }

    async fn connection_count(&self) -> Result<usize, StoreError> {
        self.inner.connection_count().await
    }

    async fn connection(&self, id: &str) -> Result<Option<Connection>, StoreError> {
        self.inner.connection(id).await
    }

    async fn update_connection(
        &self,
        id: &str,
        update: ConnectionUpdate,
    ) -> Result<bool, StoreError> {
        self.inner.update_connection(id, update).await
    }

    async fn remove_connection(&self, id: &str) -> Result<Option<Connection>, StoreError> {
        self.inner.remove_connection(id).await
    }

    async fn idle_connections(&self, now_ms: u64) -> Result<Vec<String>, StoreError> {
        self.inner.idle_connections(now_ms).await
    }

    async fn subscribe(
        &self,
        key: SubscriptionKey,
        endpoint: Option<String>,
        subtopic: Option<Subtopic>,
        selector: Option<Selector>,
    ) -> Result<SubscribeOutcome, StoreError> {
        self.inner
            .subscribe(key, endpoint, subtopic, selector)
            .await
    }

    async fn unsubscribe(
        &self,
        key: &SubscriptionKey,
        what: Unsubscribe<'_>,
    ) -> Result<bool, StoreError> {
        self.inner.unsubscribe(key, what).await
    }

    async fn subscriptions(
        &self,
        connection_id: &str,
    ) -> Result<Vec<Arc<Subscription>>, StoreError> {
        self.calls.subscriptions.fetch_add(1, Ordering::SeqCst);
        self.inner.subscriptions(connection_id).await
    }

    async fn append(
        &self,
        message: Arc<flexgate_broker::Message>,
        size_bytes: usize,
        retention: Retention,
    ) -> Result<Appended, StoreError> {
        self.inner.append(message, size_bytes, retention).await
    }

    async fn take_pending(
        &self,
        connection_id: &str,
        scope: &DrainScope,
        now_ms: u64,
        budget: DrainBudget,
    ) -> Result<Drained, StoreError> {
        self.calls.take_pending.fetch_add(1, Ordering::SeqCst);
        self.inner
            .take_pending(connection_id, scope, now_ms, budget)
            .await
    }

    async fn purge(&self, now_ms: u64) -> Result<usize, StoreError> {
        self.inner.purge(now_ms).await
    }
}

/// Waits until the poll has made its first drain (it is then registered
/// and about to sleep; a wake-up from then on is not lost).
async fn until_drained(calls: &Calls, count: usize) {
    tokio::time::timeout(Duration::from_secs(10), async {
        while calls.take_pending.load(Ordering::SeqCst) < count {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    })
    .await
    .expect("the poll drains");
}

/// A broker over a counting memory store with one subscription (`c1` to
/// `news`) and a long poll parked on it, past its first drain.
async fn parked_poll() -> (Arc<Broker<Counting>>, Arc<Calls>, Waiting) {
    let calls = Arc::new(Calls::default());
    let broker = Arc::new(common::broker(Counting {
        inner: MemoryStore::new(),
        calls: calls.clone(),
    }));
    broker.connect(Some("conn"), "amf").await.expect("connect");
    broker
        .subscribe("conn", "c1", "news", None, None)
        .await
        .expect("subscribe");
    let waiting = {
        let broker = broker.clone();
        tokio::spawn(async move {
            broker
                .wait_for_messages(
                    "conn",
                    Instant::now() + Duration::from_secs(30),
                    DrainBudget::default(),
                    IfUnsubscribed::Fail,
                )
                .await
        })
    };
    until_drained(&calls, 1).await;
    (broker, calls, waiting)
}

#[tokio::test]
async fn a_poll_woken_by_a_publish_makes_one_store_call() {
    let (broker, calls, waiting) = parked_poll().await;
    assert_eq!(
        calls.subscriptions.load(Ordering::SeqCst),
        1,
        "read once to register"
    );

    broker
        .publish_message(common::msg("news", "hello"))
        .await
        .expect("publish");
    let delivered = tokio::time::timeout(Duration::from_secs(10), waiting)
        .await
        .expect("woken")
        .expect("task")
        .expect("deliveries");
    assert_eq!(common::bodies(&delivered), ["hello"]);
    // The wake-up: one drain, and the subscriptions not read again.
    assert_eq!(calls.take_pending.load(Ordering::SeqCst), 2);
    assert_eq!(calls.subscriptions.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_poll_woken_by_a_subscription_change_reads_the_subscriptions_again() {
    let (broker, calls, waiting) = parked_poll().await;
    // A second destination: the poll must now also wait on it.
    broker
        .subscribe("conn", "c2", "chat", None, None)
        .await
        .expect("subscribe");
    until_drained(&calls, 2).await;
    assert_eq!(
        calls.subscriptions.load(Ordering::SeqCst),
        2,
        "read again after the change"
    );
    broker
        .publish_message(common::msg("chat", "on chat"))
        .await
        .expect("publish");
    let delivered = tokio::time::timeout(Duration::from_secs(10), waiting)
        .await
        .expect("woken by the new destination")
        .expect("task")
        .expect("deliveries");
    assert_eq!(common::bodies(&delivered), ["on chat"]);
}
