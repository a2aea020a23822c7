//! Cross-node wake-ups over Redis pub/sub.
//!
//! Every node publishes its [`WakeEvent`]s on one channel (`<prefix>wake`)
//! and listens to it; a received event from another node is fed to the
//! local [`WakeHub`], so a long poll or a stream waiting on node B wakes
//! when node A appends a message. Pub/sub is fire-and-forget, which is
//! enough here: a wake-up only tells a waiter to look at the store, where
//! the message already is. An event lost while the listener reconnects is
//! made up for by waking every local waiter once it is subscribed again.
//!
//! Wire format of one event: `<node id> <kind> <name>`, kind `d`
//! (destination) or `c` (connection). A node ignores its own events: its
//! hub was woken directly by the broker.

use std::sync::Mutex;
use std::time::Duration;

use futures_util::StreamExt;
use redis::aio::{ConnectionManager, ConnectionManagerConfig, PubSub};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::error::StoreError;
use crate::wake::{ClusterNotifier, WakeEvent, WakeHub};

/// Longest wait between two attempts to subscribe again.
const MAX_BACKOFF: Duration = Duration::from_secs(2);

const KIND_DESTINATION: &str = "d";
const KIND_CONNECTION: &str = "c";

fn encode(node: &str, event: &WakeEvent) -> String {
    match event {
        WakeEvent::Destination(d) => format!("{node} {KIND_DESTINATION} {d}"),
        WakeEvent::Connection(c) => format!("{node} {KIND_CONNECTION} {c}"),
    }
}

/// Parses an event; `None` for one of this node's own, or a malformed one.
fn decode(own_node: &str, payload: &[u8]) -> Option<WakeEvent> {
    let text = std::str::from_utf8(payload).ok()?;
    let (node, rest) = text.split_once(' ')?;
    if node == own_node {
        return None;
    }
    let (kind, name) = rest.split_once(' ')?;
    match kind {
        KIND_DESTINATION => Some(WakeEvent::Destination(name.to_owned())),
        KIND_CONNECTION => Some(WakeEvent::Connection(name.to_owned())),
        _ => None,
    }
}

/// A [`ClusterNotifier`] over Redis pub/sub. Create it with
/// [`RedisWake::connect`], hand the broker's hub to
/// [`RedisWake::listen`], then give it to
/// [`Broker::with_cluster_notifier`](crate::Broker::with_cluster_notifier).
/// Its background tasks end when it is dropped.
pub struct RedisWake {
    node: String,
    channel: String,
    client: redis::Client,
    outbox: mpsc::UnboundedSender<WakeEvent>,
    /// Subscribed before `connect` returned, so that no event published
    /// after it is missed; taken by `listen`.
    subscribed: Mutex<Option<PubSub>>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

impl std::fmt::Debug for RedisWake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisWake")
            .field("node", &self.node)
            .field("channel", &self.channel)
            .finish_non_exhaustive()
    }
}

impl RedisWake {
    /// Connects a publisher and a subscriber to `url`, on the channel
    /// `<prefix>wake`.
    pub async fn connect(url: &str, prefix: &str) -> Result<RedisWake, StoreError> {
        let client = redis::Client::open(url)
            .map_err(|e| StoreError::with_source("redis: invalid URL".to_owned(), e))?;
        // Errors name the server, never the URL: it may hold a password.
        let server = client.get_connection_info().addr().to_string();
        let channel = format!("{prefix}wake");
        let pubsub = subscribe(&client, &channel).await.map_err(|e| {
            StoreError::with_source(format!("redis: cannot subscribe on {server}"), e)
        })?;
        let config = ConnectionManagerConfig::new()
            .set_number_of_retries(3)
            .set_connection_timeout(Some(Duration::from_secs(2)));
        let publisher = ConnectionManager::new_with_config(client.clone(), config)
            .await
            .map_err(|e| {
                StoreError::with_source(format!("redis: cannot connect to {server}"), e)
            })?;
        let (outbox, inbox) = mpsc::unbounded_channel();
        let node = uuid::Uuid::new_v4().simple().to_string();
        let task = tokio::spawn(publish_loop(
            publisher,
            channel.clone(),
            node.clone(),
            inbox,
        ));
        Ok(RedisWake {
            node,
            channel,
            client,
            outbox,
            subscribed: Mutex::new(Some(pubsub)),
            tasks: Mutex::new(vec![task]),
        })
    }

    /// This node's id in published events.
    pub fn node_id(&self) -> &str {
        &self.node
    }

    /// Starts feeding other nodes' events to `hub`. Only the first call
    /// starts a listener.
    pub fn listen(&self, hub: WakeHub) {
        let Some(pubsub) = self
            .subscribed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        else {
            return;
        };
        let task = tokio::spawn(listen_loop(
            self.client.clone(),
            self.channel.clone(),
            self.node.clone(),
            pubsub,
            hub,
        ));
        self.tasks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(task);
    }
}

impl ClusterNotifier for RedisWake {
    fn announce(&self, event: &WakeEvent) {
        // The publisher task ends only when this notifier is dropped.
        let _ = self.outbox.send(event.clone());
    }
}

impl Drop for RedisWake {
    fn drop(&mut self) {
        for t in self
            .tasks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .drain(..)
        {
            t.abort();
        }
    }
}

async fn subscribe(client: &redis::Client, channel: &str) -> redis::RedisResult<PubSub> {
    let mut pubsub = client.get_async_pubsub().await?;
    pubsub.subscribe(channel).await?;
    Ok(pubsub)
}

async fn publish_loop(
    mut conn: ConnectionManager,
    channel: String,
    node: String,
    mut inbox: mpsc::UnboundedReceiver<WakeEvent>,
) {
    while let Some(event) = inbox.recv().await {
        let payload = encode(&node, &event);
        let sent: redis::RedisResult<i64> = redis::cmd("PUBLISH")
            .arg(&channel)
            .arg(payload)
            .query_async(&mut conn)
            .await;
        if let Err(e) = sent {
            // Other nodes' polls then wake at their deadline instead.
            tracing::warn!(error = %e, ?event, "cannot publish a wake-up to Redis");
        }
    }
}

async fn listen_loop(
    client: redis::Client,
    channel: String,
    node: String,
    first: PubSub,
    hub: WakeHub,
) {
    let mut pubsub = first;
    loop {
        {
            let mut messages = pubsub.on_message();
            while let Some(msg) = messages.next().await {
                if let Some(event) = decode(&node, msg.get_payload_bytes()) {
                    hub.wake(&event);
                }
            }
        }
        // The connection is gone (Redis restarted, network): subscribe
        // again, then let every waiter re-check what it may have missed.
        tracing::warn!(%channel, "lost the Redis wake-up subscription; reconnecting");
        let mut backoff = Duration::from_millis(50);
        pubsub = loop {
            tokio::time::sleep(backoff).await;
            match subscribe(&client, &channel).await {
                Ok(p) => break p,
                Err(e) => {
                    tracing::debug!(error = %e, "Redis wake-up subscription failed");
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
            }
        };
        tracing::info!(%channel, "Redis wake-up subscription restored");
        hub.wake_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_round_trip_and_own_events_are_ignored() {
        let e = WakeEvent::Destination("chat room".into());
        let wire = encode("n1", &e);
        assert_eq!(decode("n2", wire.as_bytes()), Some(e));
        assert_eq!(decode("n1", wire.as_bytes()), None);
        let c = WakeEvent::Connection("ABC".into());
        assert_eq!(decode("n2", encode("n1", &c).as_bytes()), Some(c));
        assert_eq!(decode("n2", b"n1 x y"), None);
        assert_eq!(decode("n2", b"garbage"), None);
    }
}
