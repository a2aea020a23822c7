//! `[destinations.<id>]`: one destination, with the gateway's settings
//! (kind, channels, source, roles) and, for messaging, every setting of
//! the broker's [`flexgate_broker::DestinationConfig`].

use super::broker_link::{AmqpLinkConfig, NatsLinkConfig};
use super::http_backend::HttpBackendConfig;
use serde::{Deserialize, Serialize};

/// What a destination serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DestinationKind {
    /// Publish/subscribe (Producer/Consumer).
    Messaging,
    /// RemoteObject calls to a registered service.
    Remoting,
}

/// How a remoting destination sends the dense arrays in its results
/// (`lists`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ListEncoding {
    /// As arrays (BlazeDS with the endpoint's `legacy-collection` set).
    #[default]
    Array,
    /// As `flex.messaging.io.ArrayCollection`s, nested ones included
    /// (BlazeDS's default for a Java `List`); a collection is bindable in
    /// Flex where an array is not.
    ArrayCollection,
}

/// One destination.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(from = "DestinationToml")]
pub struct DestinationConfig {
    /// Messaging or remoting.
    pub kind: DestinationKind,
    /// Channel ids it is reachable on; empty means every channel.
    pub channels: Vec<String>,
    /// Remoting: the registered service name (defaults to the destination id).
    pub source: Option<String>,
    /// Remoting: forward calls to this HTTP backend instead of a
    /// registered service.
    pub http: Option<HttpBackendConfig>,
    /// Roles allowed to use it; empty means no login is required.
    pub roles: Vec<String>,
    /// Remoting: the method a bare NetConnection target (`echo`, no dot)
    /// calls on this destination, as PyAMF resolves a service by its name
    /// alone; without it such a target is refused.
    pub default_method: Option<String>,
    /// Remoting: how the dense arrays of results are sent.
    pub lists: ListEncoding,
    /// Messaging: the broker's settings for it (TTLs, subtopics, echo to
    /// the sender, retention), handed to the broker as they are.
    pub messaging: flexgate_broker::DestinationConfig,
    /// Messaging: bridge it to this NATS subject, both ways.
    pub nats: Option<NatsLinkConfig>,
    /// Messaging: bridge it to this AMQP exchange, both ways.
    pub amqp: Option<AmqpLinkConfig>,
}

/// Time-to-live of messages that set none, in ms (`ttl_ms`).
const DEFAULT_TTL_MS: u64 = 60_000;

impl Default for DestinationConfig {
    /// A messaging destination on every channel, open to anyone, with
    /// subtopics allowed and a 60 s default TTL; the broker's defaults for
    /// the rest.
    fn default() -> Self {
        DestinationConfig {
            kind: DestinationKind::Messaging,
            channels: Vec::new(),
            source: None,
            http: None,
            roles: Vec::new(),
            default_method: None,
            lists: ListEncoding::Array,
            messaging: flexgate_broker::DestinationConfig::default()
                .default_ttl_ms(DEFAULT_TTL_MS)
                .allow_subtopics(true),
            nats: None,
            amqp: None,
        }
    }
}

/// The TOML spelling of a destination: flat keys, each defaulting to
/// [`DestinationConfig::default`].
#[derive(Deserialize)]
#[serde(default, deny_unknown_fields)]
struct DestinationToml {
    kind: DestinationKind,
    channels: Vec<String>,
    source: Option<String>,
    http: Option<HttpBackendConfig>,
    nats: Option<NatsLinkConfig>,
    amqp: Option<AmqpLinkConfig>,
    roles: Vec<String>,
    default_method: Option<String>,
    /// Remoting: `"array"` or `"array-collection"`.
    lists: ListEncoding,
    /// Time-to-live of messages that set none, in ms.
    ttl_ms: u64,
    /// Every message gets this time-to-live, in ms (BlazeDS `message-time-to-live`).
    ttl_override_ms: Option<u64>,
    allow_subtopics: bool,
    /// Refuse subscriptions to wildcard subtopics (BlazeDS `disallow-wildcard-subtopics`).
    disallow_wildcard_subtopics: bool,
    subtopic_separator: String,
    /// A subscribed publisher receives its own messages.
    echo_to_sender: bool,
    /// Messages retained per destination; older ones are dropped first.
    max_messages: usize,
    /// Bytes retained per destination; older ones are dropped first, and a
    /// larger message is refused.
    max_retained_bytes: usize,
    /// Longest time-to-live a publisher may ask for, in ms.
    max_ttl_ms: u64,
}

impl Default for DestinationToml {
    fn default() -> Self {
        let d = DestinationConfig::default();
        let m = d.messaging;
        DestinationToml {
            kind: d.kind,
            channels: d.channels,
            source: d.source,
            http: d.http,
            nats: d.nats,
            amqp: d.amqp,
            roles: d.roles,
            default_method: d.default_method,
            lists: d.lists,
            ttl_ms: m.default_ttl_ms,
            ttl_override_ms: m.ttl_override_ms,
            allow_subtopics: m.allow_subtopics,
            disallow_wildcard_subtopics: m.disallow_wildcard_subtopics,
            subtopic_separator: m.subtopic_separator,
            echo_to_sender: m.echo_to_sender,
            max_messages: m.max_messages,
            max_retained_bytes: m.max_retained_bytes,
            max_ttl_ms: m.max_ttl_ms,
        }
    }
}

impl From<DestinationToml> for DestinationConfig {
    fn from(t: DestinationToml) -> Self {
        let mut messaging = flexgate_broker::DestinationConfig::default()
            .default_ttl_ms(t.ttl_ms)
            .allow_subtopics(t.allow_subtopics)
            .subtopic_separator(t.subtopic_separator)
            .echo_to_sender(t.echo_to_sender)
            .max_messages(t.max_messages)
            .max_retained_bytes(t.max_retained_bytes)
            .max_ttl_ms(t.max_ttl_ms);
        messaging.ttl_override_ms = t.ttl_override_ms;
        messaging.disallow_wildcard_subtopics = t.disallow_wildcard_subtopics;
        DestinationConfig {
            kind: t.kind,
            channels: t.channels,
            source: t.source,
            http: t.http,
            roles: t.roles,
            default_method: t.default_method,
            lists: t.lists,
            messaging,
            nats: t.nats,
            amqp: t.amqp,
        }
    }
}

impl DestinationConfig {
    /// Why these settings contradict each other, if they do.
    pub(super) fn problem(&self) -> Option<String> {
        if self.nats.is_some() || self.amqp.is_some() {
            if self.kind != DestinationKind::Messaging {
                return Some("`nats` and `amqp` need kind = \"messaging\"".into());
            }
            return match (&self.nats, &self.amqp) {
                (Some(_), Some(_)) => Some("set either `nats` or `amqp`, not both".into()),
                (Some(n), None) => n.problem(),
                (None, Some(a)) => a.problem(),
                (None, None) => None,
            };
        }
        let http = self.http.as_ref()?;
        if self.kind != DestinationKind::Remoting {
            return Some("`http` needs kind = \"remoting\"".into());
        }
        if self.source.is_some() {
            return Some("set either `source` (a Rust service) or `http`, not both".into());
        }
        http.problem()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<DestinationConfig, toml::de::Error> {
        toml::from_str(text)
    }

    #[test]
    fn an_empty_table_is_the_default() {
        let d = parse("").expect("parses");
        assert_eq!(d, DestinationConfig::default());
        assert_eq!(d.messaging.default_ttl_ms, 60_000);
        assert!(d.messaging.allow_subtopics);
        assert!(d.messaging.echo_to_sender);
        assert_eq!(d.messaging.max_messages, 10_000);
    }

    #[test]
    fn every_broker_setting_is_read() {
        let d = parse(
            "kind = \"messaging\"\nttl_ms = 5\nttl_override_ms = 7\nallow_subtopics = false\n\
             disallow_wildcard_subtopics = true\nsubtopic_separator = \"/\"\n\
             echo_to_sender = false\nmax_messages = 9\nroles = [\"r\"]\n\
             max_retained_bytes = 1000\nmax_ttl_ms = 2000\n",
        )
        .expect("parses");
        let m = &d.messaging;
        assert_eq!(
            (m.default_ttl_ms, m.ttl_override_ms, m.allow_subtopics),
            (5, Some(7), false)
        );
        assert!(m.disallow_wildcard_subtopics);
        assert_eq!(m.subtopic_separator, "/");
        assert!(!m.echo_to_sender);
        assert_eq!(m.max_messages, 9);
        assert_eq!((m.max_retained_bytes, m.max_ttl_ms), (1000, 2000));
        assert_eq!(d.roles, ["r"]);
    }

    #[test]
    fn lists_are_arrays_unless_asked() {
        assert_eq!(parse("").expect("parses").lists, ListEncoding::Array);
        let d = parse("kind = \"remoting\"\nlists = \"array-collection\"\n").expect("parses");
        assert_eq!(d.lists, ListEncoding::ArrayCollection);
        assert!(parse("lists = \"vector\"\n").is_err());
    }

    #[test]
    fn an_http_backend_is_read_and_checked() {
        let d = parse(
            "kind = \"remoting\"\nhttp = { url = \"http://127.0.0.1:9000/rpc\", timeout_ms = 50 }\n",
        )
        .expect("parses");
        let http = d.http.as_ref().expect("http");
        assert_eq!((http.timeout_ms, http.max_in_flight), (50, 256));
        assert_eq!(d.problem(), None);
        let messaging = parse("http = { url = \"http://h/\" }\n").expect("parses");
        assert!(messaging.problem().is_some_and(|p| p.contains("remoting")));
    }

    #[test]
    fn a_nats_link_is_read_and_checked() {
        let d = parse("nats = { url = \"nats://127.0.0.1:4222\", subject = \"prices.>\" }\n")
            .expect("parses");
        assert_eq!(d.nats.as_ref().map(|n| n.base()), Some("prices"));
        assert_eq!(d.problem(), None);
        let remoting =
            parse("kind = \"remoting\"\nnats = { url = \"nats://h\", subject = \"a\" }\n")
                .expect("parses");
        assert!(remoting.problem().is_some_and(|p| p.contains("messaging")));
        assert!(parse("nats = { url = \"nats://h\" }\n").is_err());
        assert_eq!(d.nats.as_ref().and_then(|n| n.stream.as_deref()), None);
        let js =
            parse("nats = { url = \"nats://h\", subject = \"prices.>\", stream = \"PRICES\" }\n")
                .expect("parses");
        assert_eq!(
            js.nats.as_ref().and_then(|n| n.stream.as_deref()),
            Some("PRICES")
        );
        assert_eq!(js.problem(), None);
        let dotted = parse("nats = { url = \"nats://h\", subject = \"a\", stream = \"a.b\" }\n")
            .expect("parses");
        assert!(dotted.problem().is_some_and(|p| p.contains("stream")));
        let amqp =
            parse("amqp = { url = \"amqp://guest:guest@h:5672/%2f\", exchange = \"prices\" }\n")
                .expect("parses");
        assert_eq!(
            amqp.amqp.as_ref().map(|a| a.routing_key.as_str()),
            Some("#")
        );
        assert_eq!(amqp.problem(), None);
        let both = parse(
            "amqp = { url = \"amqp://h\", exchange = \"e\" }\nnats = { url = \"nats://h\", subject = \"a\" }\n",
        )
        .expect("parses");
        assert!(both.problem().is_some_and(|p| p.contains("not both")));
    }

    #[test]
    fn unknown_keys_are_refused() {
        assert!(parse("ttl = 5\n").is_err());
    }
}
