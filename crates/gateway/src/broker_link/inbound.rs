//! A link's task: connect to NATS, subscribe to the subject, store each
//! message in the destination.

use super::health::{Count, LinkState};
use super::mapping::{crosses, subtopic_of};
use super::Link;
use crate::json_values::{from_json, FromJsonOptions};
use crate::state::Store;
use flexgate_amf::Value;
use flexgate_broker::{Broker, Message, Payload};
use futures_util::StreamExt;
use std::sync::Arc;
use std::time::Duration;

/// Upper bound of the wait between reconnect attempts.
const MAX_RECONNECT_DELAY: Duration = Duration::from_secs(10);

/// Runs the link until its task is aborted.
pub(super) async fn run(link: Arc<Link>, broker: Arc<Broker<Store>>) {
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
        .connect(link.config.url.as_str())
        .await;
    let client = match connected {
        Ok(c) => c,
        Err(e) => {
            // Only a bad URL or options get here (retries cover the rest).
            tracing::error!(destination = %link.destination, error = %e, "nats link not started");
            link.health.set_error(&e.to_string());
            link.health.set_state(LinkState::Closed);
            return;
        }
    };
    // A queue group: with several gateways over one shared store, each
    // message is stored once, by one of them.
    let queue = format!("flexgate.{}", link.destination);
    let mut messages = match client
        .queue_subscribe(link.config.subject.clone(), queue)
        .await
    {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(destination = %link.destination, error = %e, "nats subscribe failed");
            link.health.set_error(&e.to_string());
            link.health.set_state(LinkState::Closed);
            return;
        }
    };
    let _ = link.client.set(client);
    while let Some(m) = messages.next().await {
        store(&link, &broker, m).await;
    }
    link.health.set_state(LinkState::Closed);
}

/// Doubles from 100 ms up to [`MAX_RECONNECT_DELAY`].
fn reconnect_delay(attempts: usize) -> Duration {
    let shift = u32::try_from(attempts.min(10)).unwrap_or(10);
    Duration::from_millis(100u64 << shift).min(MAX_RECONNECT_DELAY)
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

/// Stores one message from the broker; what cannot be stored is counted
/// and logged, never retried (core NATS has no redelivery).
async fn store(link: &Link, broker: &Broker<Store>, m: async_nats::Message) {
    let origin = m.headers.as_ref().and_then(|h| h.get(super::ORIGIN_HEADER));
    if origin.is_some_and(|o| o.as_str() == link.origin) {
        return; // A Producer's message of ours, stored when it was sent.
    }
    let Ok(subtopic) = subtopic_of(&link.config, m.subject.as_str(), &link.separator) else {
        return;
    };
    let mut message = Message::new(
        link.destination.clone(),
        Payload::Body(body(link, &m.payload)),
    );
    message.subtopics = subtopic.into_iter().collect();
    for (name, values) in m.headers.iter().flat_map(|h| h.iter()) {
        let name: &str = name.as_ref();
        if name == super::ORIGIN_HEADER {
            continue;
        }
        let value = values.first().map(async_nats::HeaderValue::as_str);
        if let Some(value) = value
            .filter(|v| crosses(name, link.max_header_bytes) && v.len() <= link.max_header_bytes)
        {
            message.headers.insert(name.to_owned(), Value::from(value));
        }
    }
    match broker.publish_message(message).await {
        Ok(_) => link.health.count(Count::Received),
        Err(e) => {
            tracing::warn!(destination = %link.destination, subject = %m.subject, error = %e, "nats message not stored");
            link.health.set_error(&e.to_string());
            link.health.count(Count::Failed);
        }
    }
}

/// The payload as a Flex body: JSON through the natural mapping, other
/// UTF-8 text as a string, anything else as a ByteArray.
fn body(link: &Link, payload: &bytes::Bytes) -> Value {
    let options = FromJsonOptions {
        max_depth: link.max_depth,
    };
    if let Ok(json) = serde_json::from_slice::<serde_json::Value>(payload) {
        if let Ok(v) = from_json(&json, options) {
            return v;
        }
    }
    match std::str::from_utf8(payload) {
        Ok(text) => Value::from(text),
        Err(_) => Value::ByteArray(payload.clone()),
    }
}
