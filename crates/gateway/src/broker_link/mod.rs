//! Broker-backed messaging destinations: a destination configured with
//! `nats = { url, subject }` is bridged to that subject both ways
//! (docs/brokers.md). Messages arriving on the subject are stored in the
//! destination like a server-side publish, so Flex Consumers get them by
//! any channel; a Flex Producer's message is published out after it is
//! stored. Messages from the broker never pass the Producer path, so none
//! goes back out; a Producer's message, marked with this gateway's origin,
//! comes back in on the subscription and is skipped there.

mod health;
mod inbound;
mod mapping;
mod outbound;

pub use health::{LinkRow, LinkState};

use crate::config::{Config, DestinationKind, NatsLinkConfig};
use crate::state::Store;
use flexgate_broker::Broker;
use health::LinkHealth;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use tokio::task::JoinHandle;

/// The broker header naming the gateway that published a message out.
pub(crate) const ORIGIN_HEADER: &str = "Flexgate-Origin";

/// One destination's link.
#[derive(Debug)]
pub(crate) struct Link {
    destination: String,
    config: NatsLinkConfig,
    /// The destination's subtopic separator.
    separator: String,
    /// Set once the link's task has its client; Producer messages
    /// published before then are counted as failed.
    client: OnceLock<async_nats::Client>,
    health: LinkHealth,
    /// This gateway's mark on what it publishes out (the
    /// [`ORIGIN_HEADER`]): its own messages come back on its subscription
    /// and are skipped there.
    origin: String,
    /// Bounds on what comes in (as for the publish API).
    max_depth: usize,
    max_header_bytes: usize,
}

/// Every configured link, by destination.
#[derive(Debug, Default)]
pub(crate) struct Links {
    by_destination: HashMap<String, Arc<Link>>,
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
                    config: d.nats.clone()?,
                    separator: d.messaging.subtopic_separator.clone(),
                    client: OnceLock::new(),
                    health: LinkHealth::default(),
                    origin: origin.clone(),
                    max_depth: config.limits.max_depth,
                    max_header_bytes: config.limits.max_header_value_bytes,
                };
                Some((id.clone(), Arc::new(link)))
            })
            .collect();
        Links { by_destination }
    }

    /// Starts each link's task: connect (retrying with back-off), subscribe,
    /// store what arrives. The tasks end when the handles are aborted.
    pub(crate) fn start(&self, broker: &Arc<Broker<Store>>) -> LinkTasks {
        LinkTasks(
            self.by_destination
                .values()
                .map(|link| tokio::spawn(inbound::run(link.clone(), broker.clone())))
                .collect(),
        )
    }

    /// The link of `destination`, if it has one.
    pub(crate) fn get(&self, destination: &str) -> Option<&Arc<Link>> {
        self.by_destination.get(destination)
    }

    /// Status rows, by destination id.
    pub(crate) fn rows(&self) -> Vec<LinkRow> {
        let mut rows: Vec<LinkRow> = self
            .by_destination
            .values()
            .map(|l| l.health.row(&l.destination, "nats"))
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
