//! A gateway with one broker-linked destination, waiting on its link's
//! state, and a plain AMQP consumer beside it (tests/amqp_bridge.rs,
//! nats_bridge.rs, amqp_restart.rs).

use super::TestServer;
use flexgate_gateway::config::{Config, DestinationConfig};
use flexgate_gateway::{LinkRow, LinkState, Running};
use lapin::options::{BasicConsumeOptions, QueueBindOptions, QueueDeclareOptions};
use lapin::types::FieldTable;
use std::time::Duration;

/// Hang guard for a link state change: a reconnect after a broker restart
/// may sit out the whole back-off (up to 4 s) and a slow broker start first.
const LINK_WAIT: Duration = Duration::from_secs(30);

/// A gateway whose messaging destination `id` is `dest` (with its `nats`
/// or `amqp` link), once the link is connected: for AMQP the queue is then
/// declared, bound and consumed; for NATS the subscription is sent.
pub(crate) async fn linked_gateway(id: &str, dest: DestinationConfig) -> TestServer {
    let mut config = Config::default();
    config.destinations.insert(id.into(), dest);
    let server = TestServer::start(config).await;
    until_connected(&server.running).await;
    server
}

/// Waits until a link of `running` reports [`LinkState::Connected`].
pub(crate) async fn until_connected(running: &Running) -> LinkRow {
    until_state(running, LinkState::Connected).await
}

/// Waits until a link of `running` is in `state`; returns its row.
pub(crate) async fn until_state(running: &Running, state: LinkState) -> LinkRow {
    let waited = tokio::time::timeout(LINK_WAIT, async {
        loop {
            let s = running.snapshot().await;
            if let Some(row) = s.links.into_iter().find(|l| l.state == state) {
                return row;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    waited.unwrap_or_else(|_| panic!("no link became {state:?} within {LINK_WAIT:?}"))
}

/// A plain AMQP consumer of `exchange`: an exclusive queue bound to every
/// key, consumed.
pub(crate) async fn amqp_consumer(channel: &lapin::Channel, exchange: &str) -> lapin::Consumer {
    let mine = channel
        .queue_declare(
            "".into(),
            QueueDeclareOptions {
                exclusive: true,
                auto_delete: true,
                ..QueueDeclareOptions::default()
            },
            FieldTable::default(),
        )
        .await
        .expect("a queue");
    channel
        .queue_bind(
            mine.name().clone(),
            exchange.into(),
            "#".into(),
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await
        .expect("bound");
    channel
        .basic_consume(
            mine.name().clone(),
            "test".into(),
            BasicConsumeOptions::default(),
            FieldTable::default(),
        )
        .await
        .expect("consuming")
}
