//! An AMQP 0.9.1 link (RabbitMQ): a durable queue bound to the exchange,
//! each delivery acknowledged only once the store accepted it; Producer
//! messages published persistent, with publisher confirms. Reconnects
//! with back-off whenever the connection fails.

use super::backoff::reconnect_delay;
use super::common::{is_ours, store, BrokerHeaders};
use super::health::LinkState;
use super::link::{Link, ORIGIN_HEADER};
use crate::config::AmqpLinkConfig;
use flexgate_broker::{AnyStore, Broker, BrokerError};
use futures_util::StreamExt;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicPublishOptions, BasicQosOptions, BasicRejectOptions,
    ConfirmSelectOptions, ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions,
};
use lapin::types::{AMQPValue, FieldTable, LongString};
use lapin::{
    BasicProperties, Channel, Confirmation, Connection, ConnectionProperties, ExchangeKind,
};
use std::sync::RwLock;

/// Deliveries unacknowledged at once (the store is asked one at a time;
/// this only keeps the next ones on the way).
const PREFETCH: u16 = 64;
/// AMQP delivery mode: persistent.
const PERSISTENT: u8 = 2;

/// A destination's AMQP side.
#[derive(Debug)]
pub(crate) struct AmqpRemote {
    config: AmqpLinkConfig,
    /// The publishing channel (confirms on) while connected.
    out: RwLock<Option<Channel>>,
}

impl AmqpRemote {
    pub(super) fn new(config: AmqpLinkConfig) -> Self {
        AmqpRemote {
            config,
            out: RwLock::new(None),
        }
    }

    /// The gateway's queue: one per destination and exchange, shared by
    /// the gateways of a cluster (each delivery goes to one of them).
    fn queue(&self, link: &Link) -> String {
        format!("flexgate.{}.{}", self.config.exchange, link.destination)
    }

    /// Publishes with the subtopic as routing key; waits for the broker's
    /// confirmation.
    pub(super) async fn publish(
        &self,
        link: &Link,
        subtopic: Option<&str>,
        payload: Vec<u8>,
        headers: BrokerHeaders,
    ) -> Result<(), String> {
        let channel = self
            .out
            .read()
            .ok()
            .and_then(|c| c.clone())
            .ok_or("not connected to the AMQP server")?;
        let key = routing_key(subtopic, &link.separator)
            .ok_or_else(|| format!("subtopic {subtopic:?} has no AMQP routing key"))?;
        let mut table = FieldTable::default();
        for (name, value) in headers {
            table.insert(name.into(), AMQPValue::LongString(LongString::from(value)));
        }
        let properties = BasicProperties::default()
            .with_content_type("application/json".into())
            .with_delivery_mode(PERSISTENT)
            .with_headers(table);
        let confirm = channel
            .basic_publish(
                self.config.exchange.as_str().into(),
                key.into(),
                BasicPublishOptions::default(),
                &payload,
                properties,
            )
            .await
            .map_err(|e| e.to_string())?
            .await
            .map_err(|e| e.to_string())?;
        match confirm {
            Confirmation::Nack(_) => Err("the AMQP server refused the message".into()),
            _ => Ok(()),
        }
    }
}

/// The routing key for a subtopic: its tokens joined by `.`; `None` when
/// a token is empty, a wildcard or has a `.`.
fn routing_key(subtopic: Option<&str>, separator: &str) -> Option<String> {
    let Some(subtopic) = subtopic.filter(|s| !s.is_empty()) else {
        return Some(String::new());
    };
    let tokens: Vec<&str> = subtopic.split(separator).collect();
    let bad = |t: &&str| t.is_empty() || t.contains(['.', '*', '#']);
    (!tokens.iter().any(bad)).then(|| tokens.join("."))
}

/// A routing key as the subtopic (`None` for an empty key).
fn subtopic_of(key: &str, separator: &str) -> Option<String> {
    (!key.is_empty()).then(|| key.split('.').collect::<Vec<_>>().join(separator))
}

/// Why a session ended.
#[derive(Debug, thiserror::Error)]
enum SessionEnd {
    #[error("{0}")]
    Amqp(#[from] lapin::Error),
    /// The store failed: deliveries go back to the queue (the channel
    /// closes unacknowledged) and come again after the back-off.
    #[error("store: {0}")]
    Store(BrokerError),
    #[error("the AMQP server cancelled the consumer")]
    Cancelled,
}

/// Runs the link until its task is aborted: a session, then back-off and
/// another, for ever.
pub(super) async fn run(link: &Link, remote: &AmqpRemote, broker: &Broker<AnyStore>) {
    let mut attempts = 0;
    loop {
        let mut connected = false;
        let Err(ended) = consume(link, remote, broker, &mut connected).await;
        if let Ok(mut out) = remote.out.write() {
            *out = None;
        }
        tracing::warn!(destination = %link.destination, error = %ended, "amqp link lost; reconnecting");
        link.health.set_error(&ended.to_string());
        link.health.set_state(LinkState::Reconnecting);
        attempts = if connected { 0 } else { attempts + 1 };
        tokio::time::sleep(reconnect_delay(attempts)).await;
    }
}

async fn consume(
    link: &Link,
    remote: &AmqpRemote,
    broker: &Broker<AnyStore>,
    connected: &mut bool,
) -> Result<std::convert::Infallible, SessionEnd> {
    let c = &remote.config;
    let connection = Connection::connect(&c.url, ConnectionProperties::default()).await?;
    let channel = connection.create_channel().await?;
    let durable = ExchangeDeclareOptions {
        durable: true,
        ..ExchangeDeclareOptions::default()
    };
    channel
        .exchange_declare(
            c.exchange.as_str().into(),
            ExchangeKind::Topic,
            durable,
            FieldTable::default(),
        )
        .await?;
    let queue = remote.queue(link);
    let durable = QueueDeclareOptions {
        durable: true,
        ..QueueDeclareOptions::default()
    };
    channel
        .queue_declare(queue.as_str().into(), durable, FieldTable::default())
        .await?;
    channel
        .queue_bind(
            queue.as_str().into(),
            c.exchange.as_str().into(),
            c.routing_key.as_str().into(),
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await?;
    channel
        .basic_qos(PREFETCH, BasicQosOptions::default())
        .await?;
    let out = connection.create_channel().await?;
    out.confirm_select(ConfirmSelectOptions::default()).await?;
    let mut deliveries = channel
        .basic_consume(
            queue.as_str().into(),
            "flexgate".into(),
            BasicConsumeOptions::default(),
            FieldTable::default(),
        )
        .await?;
    if let Ok(mut slot) = remote.out.write() {
        *slot = Some(out);
    }
    *connected = true;
    link.health.set_state(LinkState::Connected);
    while let Some(delivery) = deliveries.next().await {
        let d = delivery?;
        let headers: Vec<(String, String)> = d
            .properties
            .headers()
            .iter()
            .flat_map(|t| t.inner().iter())
            .filter_map(|(k, v)| header_text(v).map(|v| (k.as_str().to_owned(), v)))
            .collect();
        let origin = headers
            .iter()
            .find(|(k, _)| k == ORIGIN_HEADER)
            .map(|(_, v)| v.as_str());
        if is_ours(link, origin) {
            d.ack(BasicAckOptions::default()).await?;
            continue;
        }
        let subtopic = subtopic_of(d.routing_key.as_str(), &link.separator);
        let pairs = headers.iter().map(|(k, v)| (k.as_str(), v.as_str()));
        match store(link, broker, subtopic, pairs, &d.data).await {
            // Acknowledged only now that the store has it.
            Ok(()) => {
                d.ack(BasicAckOptions::default()).await?;
            }
            Err(BrokerError::Store(e)) => return Err(SessionEnd::Store(BrokerError::Store(e))),
            // Refused for good (too large, a subtopic not allowed):
            // requeueing would only bring it back.
            Err(_) => {
                d.reject(BasicRejectOptions { requeue: false }).await?;
            }
        }
    }
    Err(SessionEnd::Cancelled)
}

/// A header value as text, for the string-valued Flex headers.
fn header_text(v: &AMQPValue) -> Option<String> {
    match v {
        AMQPValue::LongString(s) => std::str::from_utf8(s.as_bytes()).ok().map(str::to_owned),
        AMQPValue::ShortString(s) => Some(s.as_str().to_owned()),
        AMQPValue::Boolean(b) => Some(b.to_string()),
        AMQPValue::LongInt(i) => Some(i.to_string()),
        AMQPValue::LongLongInt(i) => Some(i.to_string()),
        AMQPValue::Double(f) => Some(f.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subtopics_are_routing_keys() {
        assert_eq!(routing_key(None, "."), Some(String::new()));
        assert_eq!(routing_key(Some("eu/fx"), "/"), Some("eu.fx".into()));
        assert_eq!(routing_key(Some("eu.*"), "."), None);
        assert_eq!(routing_key(Some("a.b"), "/"), None);
        assert_eq!(subtopic_of("eu.fx", "/"), Some("eu/fx".into()));
        assert_eq!(subtopic_of("", "."), None);
    }
}
