//! A NATS link in JetStream mode: the link's subject is kept in a stream,
//! read with a durable pull consumer that every gateway of a cluster
//! shares, and each message is acknowledged only once the store accepted
//! it, so JetStream redelivers whatever the gateway did not store
//! (at-least-once). Sessions (stream, consumer, pull) are set up again
//! after any failure, which also recreates a stream or consumer that was
//! deleted meanwhile.

use super::backoff::reconnect_delay;
use super::common::{is_ours, store};
use super::link::{Link, ORIGIN_HEADER};
use super::mapping::{header_pairs, subtopic_of};
use crate::config::NatsLinkConfig;
use async_nats::jetstream::consumer::{pull, AckPolicy, PullConsumer};
use async_nats::jetstream::{self, stream, AckKind};
use flexgate_broker::{AnyStore, Broker, BrokerError};
use futures_util::StreamExt;
use std::time::Duration;

/// Messages delivered and not yet acknowledged, across every gateway on
/// the consumer; also the pull batch. The store is asked one message at a
/// time, so this only keeps the next ones on the way, and it bounds what
/// waits for redelivery when a gateway dies holding its batch.
const MAX_ACK_PENDING: usize = 64;
/// How long a delivered message may stay unacknowledged before JetStream
/// delivers it again (its gateway died, or the ack was lost): storing
/// takes milliseconds, so this is generous, and short enough that such
/// messages come back soon after a restart.
const ACK_WAIT: Duration = Duration::from_secs(10);
/// How long a message the store failed waits before it is delivered
/// again: a failing store (Redis down) rarely recovers at once, and
/// immediate redelivery would only spin.
const STORE_RETRY: Duration = Duration::from_secs(2);
/// The server's idle heartbeat on a waiting pull: a missed one means the
/// connection is gone without notice, and the session is set up again.
const HEARTBEAT: Duration = Duration::from_secs(5);
/// Longest destination part of a consumer name (the server names a
/// directory of its store after the consumer).
const MAX_NAME_PART: usize = 48;
/// What consumer names start with.
const CONSUMER_PREFIX: &str = "flexgate_";

/// Why a session ended (the link sets up another after the back-off).
#[derive(Debug, thiserror::Error)]
enum SessionEnd {
    #[error("jetstream stream: {0}")]
    Stream(#[from] jetstream::context::CreateStreamError),
    #[error("jetstream consumer: {0}")]
    Consumer(#[from] stream::ConsumerError),
    #[error("jetstream pull: {0}")]
    Pull(#[from] jetstream::consumer::StreamError),
    #[error("jetstream messages: {0}")]
    Messages(#[from] pull::MessagesError),
    #[error("jetstream ack: {0}")]
    Ack(String),
    #[error("the consumer's messages ended")]
    Ended,
}

/// The durable consumer of `destination`: `flexgate_` and the
/// destination, with every character a consumer name cannot hold made
/// `_`; a name that had to be changed (or shortened) also gets a hash of
/// the destination, so that two destinations never share a consumer.
pub(super) fn consumer_name(destination: &str) -> String {
    let kept: String = destination
        .chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '_' | '-' => c,
            _ => '_',
        })
        .take(MAX_NAME_PART)
        .collect();
    if kept == destination {
        format!("{CONSUMER_PREFIX}{kept}")
    } else {
        format!("{CONSUMER_PREFIX}{kept}_{:016x}", fnv1a(destination))
    }
}

/// FNV-1a, 64 bits: stable across builds and releases (unlike std's
/// hasher), which a name on the server must be.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Consumes the stream until the task is aborted: a session, then the
/// back-off and another, for ever.
pub(super) async fn run(
    link: &Link,
    config: &NatsLinkConfig,
    stream: &str,
    js: &jetstream::Context,
    broker: &Broker<AnyStore>,
) {
    let mut attempts = 0;
    loop {
        let mut consuming = false;
        let Err(ended) = consume(link, config, stream, js, broker, &mut consuming).await;
        tracing::warn!(destination = %link.destination, error = %ended, "jetstream session ended; again after the back-off");
        link.health.set_error(&ended.to_string());
        attempts = if consuming { 0 } else { attempts + 1 };
        tokio::time::sleep(reconnect_delay(attempts)).await;
    }
}

async fn consume(
    link: &Link,
    config: &NatsLinkConfig,
    name: &str,
    js: &jetstream::Context,
    broker: &Broker<AnyStore>,
    consuming: &mut bool,
) -> Result<std::convert::Infallible, SessionEnd> {
    let stream = js
        .get_or_create_stream(stream::Config {
            name: name.to_owned(),
            subjects: vec![config.subject.clone()],
            storage: stream::StorageType::File,
            ..stream::Config::default()
        })
        .await?;
    let durable = consumer_name(&link.destination);
    let consumer: PullConsumer = stream
        .get_or_create_consumer(
            &durable,
            pull::Config {
                durable_name: Some(durable.clone()),
                filter_subject: config.subject.clone(),
                ack_policy: AckPolicy::Explicit,
                ack_wait: ACK_WAIT,
                max_ack_pending: i64::try_from(MAX_ACK_PENDING).unwrap_or(i64::MAX),
                ..pull::Config::default()
            },
        )
        .await?;
    let mut messages = consumer
        .stream()
        .max_messages_per_batch(MAX_ACK_PENDING)
        .heartbeat(HEARTBEAT)
        .messages()
        .await?;
    *consuming = true;
    while let Some(m) = messages.next().await {
        let m = m?;
        let kind = settle(link, config, broker, &m).await;
        let acked = match kind {
            AckKind::Ack => m.ack().await,
            other => m.ack_with(other).await,
        };
        acked.map_err(|e| SessionEnd::Ack(e.to_string()))?;
    }
    Err(SessionEnd::Ended)
}

/// Stores one message and says how to acknowledge it: `Ack` once stored
/// (or when it is this gateway's own, stored when it was sent); `Nak`
/// with a delay when the store failed, so it comes again; `Term` when it
/// is refused for good, since redelivery would only bring it back.
async fn settle(
    link: &Link,
    config: &NatsLinkConfig,
    broker: &Broker<AnyStore>,
    m: &jetstream::Message,
) -> AckKind {
    let origin = m.headers.as_ref().and_then(|h| h.get(ORIGIN_HEADER));
    if is_ours(link, origin.map(async_nats::HeaderValue::as_str)) {
        return AckKind::Ack;
    }
    let Ok(subtopic) = subtopic_of(config, m.subject.as_str(), &link.separator) else {
        return AckKind::Term;
    };
    match store(
        link,
        broker,
        subtopic,
        header_pairs(m.headers.as_ref()),
        &m.payload,
    )
    .await
    {
        Ok(()) => AckKind::Ack,
        Err(BrokerError::Store(_)) => AckKind::Nak(Some(STORE_RETRY)),
        Err(_) => AckKind::Term,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consumer_names_are_from_the_destination() {
        assert_eq!(consumer_name("prices"), "flexgate_prices");
        assert_eq!(consumer_name("a-b_C9"), "flexgate_a-b_C9");
        let dotted = consumer_name("a.b");
        assert!(dotted.starts_with("flexgate_a_b_"), "{dotted}");
        assert_ne!(dotted, consumer_name("a_b"));
        assert_ne!(dotted, consumer_name("a*b"));
        let long = consumer_name(&"x".repeat(200));
        assert!(
            long.len() <= CONSUMER_PREFIX.len() + MAX_NAME_PART + 17,
            "{long}"
        );
        assert_ne!(long, consumer_name(&"x".repeat(201)));
        for name in [dotted, long, consumer_name("a b/c>*")] {
            assert!(!name.contains(['.', '*', '>', ' ', '/', '\\']), "{name}");
        }
    }
}
