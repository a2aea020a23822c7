//! `nats = { url, subject, stream }` or `amqp = { url, exchange,
//! routing_key }` on a messaging destination: the destination is bridged
//! to a NATS subject (through a JetStream stream when `stream` is set) or
//! an AMQP exchange both ways (docs/brokers.md).

use serde::Deserialize;

/// A messaging destination's NATS link.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NatsLinkConfig {
    /// The server, `nats://host:port` (`tls://` for TLS).
    pub url: String,
    /// The subject: `prices.>` bridges `prices` and every subject under it
    /// (the suffix is the subtopic); a plain `prices` bridges that one
    /// subject, with subtopics published out under it.
    pub subject: String,
    /// A JetStream stream: set, the link stores `subject` in this stream
    /// (created if missing) and consumes it with a durable consumer, each
    /// message acknowledged once stored (at-least-once); unset, core NATS
    /// publish/subscribe (at-most-once).
    #[serde(default)]
    pub stream: Option<String>,
}

/// Longest stream name accepted: the server names a directory of its
/// store after the stream, and a short name keeps that path portable.
pub(crate) const MAX_STREAM_NAME: usize = 64;

/// The NATS subject wildcard for "this and every token after".
pub(crate) const TAIL_WILDCARD: &str = ">";

impl NatsLinkConfig {
    /// The subject without its trailing `.>`: what subtopics go under.
    pub(crate) fn base(&self) -> &str {
        self.subject
            .strip_suffix(TAIL_WILDCARD)
            .and_then(|s| s.strip_suffix('.'))
            .unwrap_or(&self.subject)
    }

    /// Whether `.>` ends the subject (the subtopics come in too).
    pub(crate) fn takes_subtopics(&self) -> bool {
        self.base().len() != self.subject.len()
    }

    /// Why these settings cannot work, if they cannot.
    pub(super) fn problem(&self) -> Option<String> {
        if !(self.url.starts_with("nats://") || self.url.starts_with("tls://")) {
            return Some(format!(
                "nats url '{}' must start with nats:// or tls://",
                self.url
            ));
        }
        let base = self.base();
        let bad_token = base
            .split('.')
            .any(|t| t.is_empty() || t == "*" || t.contains(['>', ' ', '\t']));
        if base.is_empty() || bad_token {
            return Some(format!(
                "nats subject '{}' must be tokens separated by '.', optionally ending in '.>', \
                 with no other wildcard",
                self.subject
            ));
        }
        match &self.stream {
            Some(stream) if !is_stream_name(stream) => Some(format!(
                "nats stream '{stream}' must be 1 to {MAX_STREAM_NAME} bytes with no whitespace, \
                 '.', '*', '>', '/' or '\\'"
            )),
            _ => None,
        }
    }
}

/// Whether `name` can name a JetStream stream (it is a subject token of
/// the JetStream API and a directory of the server's store).
fn is_stream_name(name: &str) -> bool {
    let bad = |c: char| c.is_whitespace() || c.is_control() || ".*>/\\".contains(c);
    !name.is_empty() && name.len() <= MAX_STREAM_NAME && !name.contains(bad)
}

/// A messaging destination's AMQP 0.9.1 link (RabbitMQ).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmqpLinkConfig {
    /// The server, `amqp://user:password@host:port/vhost`.
    pub url: String,
    /// The topic exchange (declared durable if missing).
    pub exchange: String,
    /// The binding pattern of the gateway's queue (`#`: everything).
    #[serde(default = "every_key")]
    pub routing_key: String,
}

fn every_key() -> String {
    "#".into()
}

/// Longest AMQP short string (exchange and queue names, routing keys).
const MAX_SHORT_STRING: usize = 255;

impl AmqpLinkConfig {
    /// Why these settings cannot work, if they cannot.
    pub(super) fn problem(&self) -> Option<String> {
        if !self.url.starts_with("amqp://") {
            return Some(format!("amqp url '{}' must start with amqp://", self.url));
        }
        let bad_name = |s: &str| s.is_empty() || s.len() > MAX_SHORT_STRING;
        if bad_name(&self.exchange) || self.routing_key.len() > MAX_SHORT_STRING {
            return Some("amqp exchange must be 1 to 255 bytes, routing_key at most 255".into());
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(subject: &str) -> NatsLinkConfig {
        NatsLinkConfig {
            url: "nats://127.0.0.1:4222".into(),
            subject: subject.into(),
            stream: None,
        }
    }

    #[test]
    fn the_base_drops_the_tail_wildcard() {
        assert_eq!(link("prices.>").base(), "prices");
        assert!(link("prices.>").takes_subtopics());
        assert_eq!(link("prices").base(), "prices");
        assert!(!link("prices").takes_subtopics());
    }

    #[test]
    fn bad_subjects_and_urls_are_refused() {
        for bad in [">", "a.*.b", "a..b", "a b", ".>", "", "a.>.b"] {
            assert!(link(bad).problem().is_some(), "{bad}");
        }
        assert_eq!(link("a.b.>").problem(), None);
        let mut l = link("a");
        l.url = "http://x".into();
        assert!(l.problem().is_some());
    }

    #[test]
    fn bad_stream_names_are_refused() {
        let with = |name: &str| NatsLinkConfig {
            stream: Some(name.into()),
            ..link("prices.>")
        };
        assert_eq!(with("PRICES").problem(), None);
        assert_eq!(with(&"S".repeat(MAX_STREAM_NAME)).problem(), None);
        let long = "S".repeat(MAX_STREAM_NAME + 1);
        for bad in ["", "a b", "a.b", "a*", "a>", "a/b", "a\\b", "a\tb", &long] {
            assert!(with(bad).problem().is_some(), "{bad:?}");
        }
    }
}
