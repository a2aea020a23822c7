//! Broker-backed messaging destinations: a destination configured with
//! `nats = { url, subject, stream }` or `amqp = { url, exchange,
//! routing_key }` is bridged to that subject (through a JetStream stream
//! when `stream` is set) or exchange both ways
//! (docs/brokers.md). Messages arriving on the subject are stored in the
//! destination like a server-side publish, so Flex Consumers get them by
//! any channel; a Flex Producer's message is published out after it is
//! stored. Messages from the broker never pass the Producer path, so none
//! goes back out; a Producer's message, marked with this gateway's origin,
//! comes back in on the subscription and is skipped there.

mod amqp;
mod backoff;
mod common;
mod health;
mod jetstream;
mod link;
mod mapping;
mod nats;

pub use health::{LinkRow, LinkState};

use crate::config::{Config, DestinationConfig, DestinationKind};
use backoff::SEND_WAIT;
use flexgate_broker::{AnyStore, Broker};
use health::LinkHealth;
use link::Link;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::task::JoinHandle;

/// Which broker a link talks to.
#[derive(Debug)]
enum Remote {
    Nats(nats::NatsRemote),
    Amqp(amqp::AmqpRemote),
}

impl Remote {
    fn of(d: &DestinationConfig) -> Option<Remote> {
        if let Some(n) = &d.nats {
            return Some(Remote::Nats(nats::NatsRemote::new(n.clone())));
        }
        d.amqp
            .as_ref()
            .map(|a| Remote::Amqp(amqp::AmqpRemote::new(a.clone())))
    }

    fn kind(&self) -> &'static str {
        match self {
            Remote::Nats(_) => "nats",
            Remote::Amqp(_) => "amqp",
        }
    }
}

/// A destination's link with its broker side.
#[derive(Debug)]
pub(crate) struct Bridge {
    link: Arc<Link>,
    remote: Remote,
}

/// Runs `bridge` until its task is aborted.
async fn run(bridge: Arc<Bridge>, broker: Arc<Broker<AnyStore>>) {
    match &bridge.remote {
        Remote::Nats(n) => nats::run(bridge.link.clone(), n, broker).await,
        Remote::Amqp(a) => amqp::run(&bridge.link, a, &broker).await,
    }
}

/// Why a Producer's message did not reach the broker.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SendError {
    /// No connection within [`SEND_WAIT`].
    #[error("not connected to the broker (waited {}s)", SEND_WAIT.as_secs())]
    NotConnected,
    /// The body or headers have no broker form.
    #[error("{0}")]
    Unmappable(String),
    /// The broker refused it or the connection failed on the way.
    #[error("{0}")]
    Broker(String),
}

impl Bridge {
    /// Publishes a Producer's message out on `subtopic` and waits for the
    /// broker to take it (a confirm where the broker gives one); a link
    /// that is reconnecting is waited for up to [`SEND_WAIT`]. The caller
    /// stores and acknowledges the message only on `Ok`, so that nothing
    /// acknowledged to a Producer is missing from the broker.
    pub(crate) async fn publish_out(
        &self,
        subtopic: Option<&str>,
        body: &flexgate_amf::Value,
        headers: &flexgate_messages::Headers,
    ) -> Result<(), SendError> {
        let link = &self.link;
        let sent = async {
            let (payload, headers) =
                common::outgoing(link, body, headers).map_err(SendError::Unmappable)?;
            if !link.health.connected_within(SEND_WAIT).await {
                return Err(SendError::NotConnected);
            }
            match &self.remote {
                Remote::Nats(n) => n.publish(link, subtopic, payload, headers).await,
                Remote::Amqp(a) => a.publish(link, subtopic, payload, headers).await,
            }
            .map_err(SendError::Broker)
        }
        .await;
        match &sent {
            Ok(()) => link.health.count(health::Count::Sent),
            Err(why) => {
                tracing::warn!(destination = %link.destination, error = %why, "not published to the broker");
                link.health.set_error(&why.to_string());
                link.health.count(health::Count::Failed);
            }
        }
        sent
    }

    /// The destination this link bridges.
    pub(crate) fn destination(&self) -> &str {
        &self.link.destination
    }
}

/// Every configured link, by destination.
#[derive(Debug, Default)]
pub(crate) struct Links {
    by_destination: HashMap<String, Arc<Bridge>>,
}

impl Links {
    /// The links `config` asks for (none connected yet).
    pub(crate) fn new(config: &Config) -> Self {
        let origin = flexgate_messages::uid::new_uid();
        let by_destination = config
            .destinations
            .iter()
            .filter(|(_, d)| d.kind == DestinationKind::Messaging)
            .filter_map(|(id, d)| {
                let link = Link {
                    destination: id.clone(),
                    separator: d.messaging.subtopic_separator.clone(),
                    health: LinkHealth::default(),
                    origin: origin.clone(),
                    max_depth: config.limits.max_depth,
                    max_header_bytes: config.limits.max_header_value_bytes,
                };
                let bridge = Bridge {
                    link: Arc::new(link),
                    remote: Remote::of(d)?,
                };
                Some((id.clone(), Arc::new(bridge)))
            })
            .collect();
        Links { by_destination }
    }

    /// Starts each link's task: connect (retrying with back-off), subscribe,
    /// store what arrives. The tasks end when the handles are aborted.
    pub(crate) fn start(&self, broker: &Arc<Broker<AnyStore>>) -> LinkTasks {
        LinkTasks(
            self.by_destination
                .values()
                .map(|bridge| tokio::spawn(run(bridge.clone(), broker.clone())))
                .collect(),
        )
    }

    /// The link of `destination`, if it has one.
    pub(crate) fn get(&self, destination: &str) -> Option<&Arc<Bridge>> {
        self.by_destination.get(destination)
    }

    /// Status rows, by destination id.
    pub(crate) fn rows(&self) -> Vec<LinkRow> {
        let mut rows: Vec<LinkRow> = self
            .by_destination
            .values()
            .map(|b| b.link.health.row(&b.link.destination, b.remote.kind()))
            .collect();
        rows.sort_by(|a, b| a.destination.cmp(&b.destination));
        rows
    }
}

/// The running links' tasks; dropping them stops the links.
#[derive(Debug, Default)]
pub(crate) struct LinkTasks(Vec<JoinHandle<()>>);

impl Drop for LinkTasks {
    fn drop(&mut self) {
        for task in &self.0 {
            task.abort();
        }
    }
}
