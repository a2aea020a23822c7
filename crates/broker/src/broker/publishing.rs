//! Publishing: a message into its destination's log, and the wake-ups.

use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use flexgate_amf::Value;

use crate::error::BrokerError;
use crate::message::{Message, Payload};
use crate::store::{MessageStore, Retention};
use crate::wake::WakeEvent;

use super::outcome::Published;
use super::Broker;

impl<S: MessageStore> Broker<S> {
    /// Publishes a message: validates destination and subtopics, stamps the
    /// timestamp and TTL, stores it, then wakes waiting polls.
    pub async fn publish_message(&self, mut message: Message) -> Result<Published, BrokerError> {
        let dest = self.destination(&message.destination)?;
        // BlazeDS skips empty subtopics; a repeated one reaches nobody twice.
        message.subtopics.retain(|s| !s.is_empty());
        let mut seen = HashSet::with_capacity(message.subtopics.len());
        message.subtopics.retain(|s| seen.insert(s.clone()));
        for s in &message.subtopics {
            if let Some(st) = self.parse_subtopic(&message.destination, dest, Some(s))? {
                if st.has_wildcard() {
                    return Err(BrokerError::WildcardPublish(st.to_string()));
                }
            }
        }
        message.timestamp_ms = self.now_ms();
        message.ttl_ms = dest.effective_ttl_ms(message.ttl_ms);
        let size = message.size_bytes();
        let retention = Retention {
            max_messages: dest.max_messages,
            max_bytes: dest.max_retained_bytes,
            max_total_bytes: self.config.max_total_retained_bytes,
        };
        let max = retention.max_bytes.min(retention.max_total_bytes);
        if size > max {
            return Err(BrokerError::MessageTooLarge {
                destination: message.destination,
                size,
                max,
            });
        }
        let message = Arc::new(message);
        let appended = self.store.append(message.clone(), size, retention).await?;
        self.published.fetch_add(1, Ordering::Relaxed);
        if appended.dropped > 0 {
            self.dropped.fetch_add(appended.dropped, Ordering::Relaxed);
            tracing::debug!(
                destination = %message.destination,
                dropped = appended.dropped,
                "retention bounds reached; the oldest messages were dropped"
            );
        }
        let seq = appended.seq;
        tracing::trace!(destination = %message.destination, seq, id = %message.id, "published");
        self.announce(WakeEvent::Destination(message.destination.clone()));
        Ok(Published { seq, message })
    }

    /// Server-side publish for Rust services: `body` becomes the body of an
    /// `AsyncMessage` the gateway builds ([`Payload::Body`]).
    pub async fn publish<I, K>(
        &self,
        destination: &str,
        subtopic: Option<&str>,
        body: Value,
        headers: I,
    ) -> Result<Published, BrokerError>
    where
        I: IntoIterator<Item = (K, Value)>,
        K: Into<String>,
    {
        let mut message = Message::new(destination, Payload::Body(body));
        message.subtopics = subtopic.map(str::to_owned).into_iter().collect();
        message.headers = headers.into_iter().map(|(k, v)| (k.into(), v)).collect();
        self.publish_message(message).await
    }
}
