//! A NATS link: connect (retrying with back-off), then either subscribe
//! to the subject (core NATS, at-most-once) or, with a `stream`, consume
//! it through JetStream (the jetstream module, at-least-once); store each
//! message; publish Producer messages.

use super::backoff::reconnect_delay;
use super::common::{is_ours, store, BrokerHeaders};
use super::health::LinkState;
use super::jetstream;
use super::link::{Link, ORIGIN_HEADER};
use super::mapping::{header_pairs, subject_for, subtopic_of};
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
    out: OnceLock<Out>,
}

/// Where Producer messages go.
#[derive(Debug)]
enum Out {
    /// Core publish: the server takes it, with no confirmation.
    Core(async_nats::Client),
    /// JetStream publish: the stream's PubAck confirms it is stored.
    JetStream(async_nats::jetstream::Context),
}

impl NatsRemote {
    pub(super) fn new(config: NatsLinkConfig) -> Self {
        NatsRemote {
            config,
            out: OnceLock::new(),
        }
    }

    /// Publishes on the subject for `subtopic`; in JetStream mode, waits
    /// for the stream's PubAck.
    pub(super) async fn publish(
        &self,
        link: &Link,
        subtopic: Option<&str>,
        payload: Vec<u8>,
        headers: BrokerHeaders,
    ) -> Result<(), String> {
        let out = self.out.get().ok_or("the link is not started yet")?;
        let subject = subject_for(&self.config, subtopic, &link.separator)
            .ok_or_else(|| format!("subtopic {subtopic:?} has no NATS subject"))?;
        let mut map = async_nats::HeaderMap::new();
        for (name, value) in &headers {
            map.insert(name.as_str(), value.as_str());
        }
        match out {
            Out::Core(client) => client
                .publish_with_headers(subject, map, payload.into())
                .await
                .map_err(|e| e.to_string()),
            Out::JetStream(js) => {
                let ack = js
                    .publish_with_headers(subject, map, payload.into())
                    .await
                    .map_err(|e| e.to_string())?;
                ack.await.map(drop).map_err(|e| e.to_string())
            }
        }
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
    if let Some(stream) = &remote.config.stream {
        let js = async_nats::jetstream::new(client);
        let _ = remote.out.set(Out::JetStream(js.clone()));
        return jetstream::run(&link, &remote.config, stream, &js, &broker).await;
    }
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
    let _ = remote.out.set(Out::Core(client));
    while let Some(m) = messages.next().await {
        let origin = m.headers.as_ref().and_then(|h| h.get(ORIGIN_HEADER));
        if is_ours(&link, origin.map(async_nats::HeaderValue::as_str)) {
            continue;
        }
        let Ok(subtopic) = subtopic_of(&remote.config, m.subject.as_str(), &link.separator) else {
            continue;
        };
        // Core NATS has no acknowledgement: a refused message is counted
        // and logged by `store`, and lost.
        let _ = store(
            &link,
            &broker,
            subtopic,
            header_pairs(m.headers.as_ref()),
            &m.payload,
        )
        .await;
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
