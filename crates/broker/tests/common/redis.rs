//! Running the suite against a real Redis: where it is, a paused-clock
//! adapter, and key cleanup (`flexgate_testkit::redis::KeyCleanup`).
//!
//! The Redis is this test process's own redis-server, else the one in
//! `FLEXGATE_TEST_REDIS` (`flexgate_testkit::redis::url`). Without either
//! the build script compiles the Redis tests as ignored; under `CI=true`
//! they run and fail.

use std::future::Future;
use std::sync::Arc;

use flexgate_amf::Registry;
use flexgate_broker::{
    Appended, Connection, ConnectionUpdate, Create, DrainBudget, DrainScope, Drained, MessageStore,
    Opened, RedisStore, Retention, Selector, StoreError, SubscribeOutcome, Subscription,
    SubscriptionKey, Subtopic, Unsubscribe,
};
use flexgate_testkit::redis::KeyCleanup;

/// A prefix no other test uses.
pub(crate) fn unique_prefix() -> String {
    format!("flexgate-test:{}:", uuid::Uuid::new_v4().simple())
}

/// A Redis store for a test on a normal (running-clock) runtime.
pub(crate) async fn live_store() -> (RedisStore, KeyCleanup) {
    let url = flexgate_testkit::redis::url();
    let prefix = unique_prefix();
    let store = RedisStore::connect(&url, &prefix, Registry::empty())
        .await
        .unwrap_or_else(|e| panic!("the test Redis at {url} is unusable: {e}"));
    (store, KeyCleanup::new(&url, &prefix))
}

/// A Redis store for the scenarios, which run on tokio's paused clock.
///
/// A paused runtime jumps its clock to the next timer whenever it has
/// nothing to run, and a task waiting for a Redis reply counts as nothing
/// to run: a 30 s long-poll deadline would pass during one round trip,
/// and so would the client's own response timeouts. So this adapter runs
/// the real store on a runtime of its own and blocks the test thread for
/// each call: from the paused clock's point of view a store call takes no
/// time, as it does with the memory store. The broker passes every store
/// method the (virtual) time, so expiry rules still see the test's clock.
pub(crate) struct PausedClockRedis {
    store: Arc<RedisStore>,
    runtime: Option<tokio::runtime::Runtime>,
    _cleanup: KeyCleanup,
}

impl PausedClockRedis {
    pub(crate) fn new() -> Self {
        let url = flexgate_testkit::redis::url();
        let prefix = unique_prefix();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("redis runtime");
        let cleanup = KeyCleanup::new(&url, &prefix);
        let (tx, rx) = std::sync::mpsc::channel();
        runtime.spawn(async move {
            let _ = tx.send(RedisStore::connect(&url, &prefix, Registry::empty()).await);
        });
        let store = rx
            .recv()
            .expect("connect task")
            .unwrap_or_else(|e| panic!("the test Redis is unusable: {e}"));
        PausedClockRedis {
            store: Arc::new(store),
            runtime: Some(runtime),
            _cleanup: cleanup,
        }
    }

    fn run<T, F>(&self, call: impl FnOnce(Arc<RedisStore>) -> F) -> T
    where
        T: Send + 'static,
        F: Future<Output = T> + Send + 'static,
    {
        let (tx, rx) = std::sync::mpsc::channel();
        let fut = call(self.store.clone());
        self.runtime
            .as_ref()
            .expect("runtime lives until drop")
            .spawn(async move {
                let _ = tx.send(fut.await);
            });
        rx.recv().expect("store call finished")
    }
}

impl Drop for PausedClockRedis {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            // Dropping a runtime would block, which an async context
            // forbids; nothing is running on it any more.
            rt.shutdown_background();
        }
    }
}

impl super::Wipe for PausedClockRedis {
    /// Deletes every key under the prefix: a FLUSHDB for this store.
    async fn wipe(&self) {
        self.run(|s| async move { s.delete_all().await })
            .expect("delete the prefix's keys");
    }
}

impl MessageStore for PausedClockRedis {
    async fn open_connection(
        &self,
        connection: Connection,
        create: Create,
    ) -> Result<Opened, StoreError> {
        self.run(|s| async move { s.open_connection(connection, create).await })
    }

    async fn connection_count(&self) -> Result<usize, StoreError> {
        self.run(|s| async move { s.connection_count().await })
    }

    async fn connection(&self, id: &str) -> Result<Option<Connection>, StoreError> {
        let id = id.to_owned();
        self.run(|s| async move { s.connection(&id).await })
    }

    async fn update_connection(
        &self,
        id: &str,
        update: ConnectionUpdate,
    ) -> Result<bool, StoreError> {
        let id = id.to_owned();
        self.run(|s| async move { s.update_connection(&id, update).await })
    }

    async fn remove_connection(&self, id: &str) -> Result<Option<Connection>, StoreError> {
        let id = id.to_owned();
        self.run(|s| async move { s.remove_connection(&id).await })
    }

    async fn idle_connections(&self, now_ms: u64) -> Result<Vec<String>, StoreError> {
        self.run(|s| async move { s.idle_connections(now_ms).await })
    }

    async fn subscribe(
        &self,
        key: SubscriptionKey,
        endpoint: Option<String>,
        subtopic: Option<Subtopic>,
        selector: Option<Selector>,
    ) -> Result<SubscribeOutcome, StoreError> {
        self.run(|s| async move { s.subscribe(key, endpoint, subtopic, selector).await })
    }

    async fn unsubscribe(
        &self,
        key: &SubscriptionKey,
        what: Unsubscribe<'_>,
    ) -> Result<bool, StoreError> {
        let key = key.clone();
        let what: Option<(Option<String>, Option<String>)> = match what {
            Unsubscribe::All => None,
            Unsubscribe::Filter { subtopic, selector } => {
                Some((subtopic.map(str::to_owned), selector.map(str::to_owned)))
            }
        };
        self.run(|s| async move {
            let what = match &what {
                None => Unsubscribe::All,
                Some((t, sel)) => Unsubscribe::Filter {
                    subtopic: t.as_deref(),
                    selector: sel.as_deref(),
                },
            };
            s.unsubscribe(&key, what).await
        })
    }

    async fn subscriptions(
        &self,
        connection_id: &str,
    ) -> Result<Vec<Arc<Subscription>>, StoreError> {
        let id = connection_id.to_owned();
        self.run(|s| async move { s.subscriptions(&id).await })
    }

    async fn append(
        &self,
        message: Arc<flexgate_broker::Message>,
        size_bytes: usize,
        retention: Retention,
    ) -> Result<Appended, StoreError> {
        self.run(|s| async move { s.append(message, size_bytes, retention).await })
    }

    async fn take_pending(
        &self,
        connection_id: &str,
        scope: &DrainScope,
        now_ms: u64,
        budget: DrainBudget,
    ) -> Result<Drained, StoreError> {
        let id = connection_id.to_owned();
        let scope = scope.clone();
        self.run(|s| async move { s.take_pending(&id, &scope, now_ms, budget).await })
    }

    async fn purge(&self, now_ms: u64) -> Result<usize, StoreError> {
        self.run(|s| async move { s.purge(now_ms).await })
    }

    async fn connections(&self) -> Result<Vec<Connection>, StoreError> {
        self.run(|s| async move { s.connections().await })
    }

    async fn all_subscriptions(&self) -> Result<Vec<Arc<Subscription>>, StoreError> {
        self.run(|s| async move { s.all_subscriptions().await })
    }
}
