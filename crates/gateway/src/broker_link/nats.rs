//! A NATS link: connect (retrying with back-off), subscribe to the
//! subject, store each message; publish Producer messages.

use super::backoff::reconnect_delay;
use super::common::{is_ours, store, BrokerHeaders};
use super::health::LinkState;
use super::link::{Link, ORIGIN_HEADER};
use super::mapping::{subject_for, subtopic_of};
use crate::config::NatsLinkConfig;
use flexgate_broker::{AnyStore, Broker};
use futures_util::StreamExt;
use std::sync::{Arc, OnceLock};

/// A destination's NATS side.
#[derive(Debug)]
pub(crate) struct NatsRemote {
    pub(super) config: NatsLinkConfig,
    /// Set once the task has its client; Producer messages published
    /// before then are counted as failed.
    client: OnceLock<async_nats::Client>,
}

impl NatsRemote {
    pub(super) fn new(config: NatsLinkConfig) -> Self {
        NatsRemote {
            config,
            client: OnceLock::new(),
        }
    }

    /// Publishes on the subject for `subtopic`.
    pub(super) async fn publish(
        &self,
        link: &Link,
        subtopic: Option<&str>,
        payload: Vec<u8>,
        headers: BrokerHeaders,
    ) -> Result<(), String> {
        let client = self.client.get().ok_or("the link is not started yet")?;
        let subject = subject_for(&self.config, subtopic, &link.separator)
            .ok_or_else(|| format!("subtopic {subtopic:?} has no NATS subject"))?;
        let mut out = async_nats::HeaderMap::new();
        for (name, value) in &headers {
            out.insert(name.as_str(), value.as_str());
        }
        client
            .publish_with_headers(subject, out, payload.into())
            .await
            .map_err(|e| e.to_string())
    }
}

/// Runs the link until its task is aborted.
pub(super) async fn run(link: Arc<Link>, remote: &NatsRemote, broker: Arc<Broker<AnyStore>>) {
    let events = link.clone();
    let connected = async_nats::ConnectOptions::new()
        .name("flexgate")
        // Start even with the server down; the client then keeps retrying,
        // as it does after losing the server.
        .retry_on_initial_connect()
        .reconnect_delay_callback(reconnect_delay)
        .event_callback(move |event| {
            let link = events.clone();
            async move { on_event(&link, &event) }
        })
        .connect(remote.config.url.as_str())
        .await;
    let client = match connected {
        Ok(c) => c,
        Err(e) => return stopped(&link, &e.to_string()),
    };
    // A queue group: with several gateways over one shared store, each
    // message is stored once, by one of them.
    let queue = format!("flexgate.{}", link.destination);
    let subscribed = client
        .queue_subscribe(remote.config.subject.clone(), queue)
        .await;
    let mut messages = match subscribed {
        Ok(s) => s,
        Err(e) => return stopped(&link, &e.to_string()),
    };
    let _ = remote.client.set(client);
    while let Some(m) = messages.next().await {
        let origin = m.headers.as_ref().and_then(|h| h.get(ORIGIN_HEADER));
        if is_ours(&link, origin.map(async_nats::HeaderValue::as_str)) {
            continue;
        }
        let Ok(subtopic) = subtopic_of(&remote.config, m.subject.as_str(), &link.separator) else {
            continue;
        };
        let headers = m
            .headers
            .iter()
            .flat_map(|h| h.iter())
            .filter_map(|(n, v)| {
                let name: &str = n.as_ref();
                v.first().map(|v| (name, v.as_str()))
            });
        // Core NATS has no acknowledgement: a refused message is counted
        // and logged by `store`, and lost.
        let _ = store(&link, &broker, subtopic, headers, &m.payload).await;
    }
    link.health.set_state(LinkState::Closed);
}

fn stopped(link: &Link, error: &str) {
    tracing::error!(destination = %link.destination, %error, "nats link stopped");
    link.health.set_error(error);
    link.health.set_state(LinkState::Closed);
}

fn on_event(link: &Link, event: &async_nats::Event) {
    use async_nats::Event;
    match event {
        Event::Connected => link.health.set_state(LinkState::Connected),
        Event::Disconnected => link.health.set_state(LinkState::Reconnecting),
        Event::Closed => link.health.set_state(LinkState::Closed),
        Event::ServerError(_) | Event::ClientError(_) | Event::SlowConsumer(_) => {
            tracing::warn!(destination = %link.destination, %event, "nats link");
            link.health.set_error(&event.to_string());
        }
        Event::LameDuckMode | Event::Draining => {}
    }
}
