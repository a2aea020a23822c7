//! Per-destination settings and the broker configuration.

use std::collections::HashMap;
use std::time::Duration;

use crate::selector::{DEFAULT_MAX_HEADER_BYTES, DEFAULT_MAX_SELECTOR_BYTES};
use crate::subtopic::DEFAULT_SEPARATOR;

/// Settings of one messaging destination. Defaults follow BlazeDS where it
/// has a rule and AmFast where it does not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DestinationConfig {
    /// TTL given to messages that arrive with a TTL of 0 (AmFast's store
    /// needs a bound; default 30 s as in AmFast's memory store).
    pub default_ttl_ms: u64,
    /// When set, every message gets this TTL (BlazeDS
    /// `message-time-to-live`).
    pub ttl_override_ms: Option<u64>,
    /// Whether subtopics may be used (BlazeDS `allow-subtopics`, default
    /// false).
    pub allow_subtopics: bool,
    /// Whether subscribing with a wildcard subtopic is refused (BlazeDS
    /// `disallow-wildcard-subtopics`, default false).
    pub disallow_wildcard_subtopics: bool,
    /// Subtopic separator (BlazeDS `subtopic-separator`, default `.`).
    pub subtopic_separator: String,
    /// Whether the publishing connection receives its own messages when it
    /// is subscribed. BlazeDS routes to every subscriber including the
    /// sender, so the default is true.
    pub echo_to_sender: bool,
    /// Most messages retained per destination; older ones are dropped
    /// first, and a consumer that falls that far behind misses them.
    pub max_messages: usize,
    /// Most bytes ([`Message::size_bytes`](crate::Message::size_bytes))
    /// retained per destination; older messages are dropped first. A
    /// single message larger than this is refused at publish
    /// ([`BrokerError::MessageTooLarge`](crate::BrokerError::MessageTooLarge)).
    pub max_retained_bytes: usize,
    /// Longest TTL a publisher may ask for; a larger one is cut to this.
    /// A TTL of 0 still means the destination default, and
    /// `ttl_override_ms` still wins (both are the server's own choice).
    pub max_ttl_ms: u64,
}

/// Default [`DestinationConfig::max_retained_bytes`]: 64 MiB.
pub const DEFAULT_MAX_RETAINED_BYTES: usize = 64 << 20;

/// Default [`DestinationConfig::max_ttl_ms`]: 10 minutes. Longer than any
/// reconnect gap a Flex channel rides out (its retries span seconds to a
/// minute), shorter than the 30-minute client idle timeout, so a publisher
/// cannot pin messages, in memory or in Redis, for longer than a consumer
/// could still come back for them.
pub const DEFAULT_MAX_TTL_MS: u64 = 10 * 60 * 1000;

/// Default [`BrokerConfig::max_total_retained_bytes`]: 256 MiB.
pub const DEFAULT_MAX_TOTAL_RETAINED_BYTES: usize = 256 << 20;

/// Default [`BrokerConfig::new_client_timeout`]: 2 minutes.
pub const DEFAULT_NEW_CLIENT_TIMEOUT: Duration = Duration::from_secs(2 * 60);

impl Default for DestinationConfig {
    fn default() -> Self {
        DestinationConfig {
            default_ttl_ms: 30_000,
            ttl_override_ms: None,
            allow_subtopics: false,
            disallow_wildcard_subtopics: false,
            subtopic_separator: DEFAULT_SEPARATOR.to_owned(),
            echo_to_sender: true,
            max_messages: 10_000,
            max_retained_bytes: DEFAULT_MAX_RETAINED_BYTES,
            max_ttl_ms: DEFAULT_MAX_TTL_MS,
        }
    }
}

impl DestinationConfig {
    /// Sets `allow_subtopics`.
    pub fn allow_subtopics(mut self, allow: bool) -> Self {
        self.allow_subtopics = allow;
        self
    }

    /// Sets `default_ttl_ms`.
    pub fn default_ttl_ms(mut self, ms: u64) -> Self {
        self.default_ttl_ms = ms;
        self
    }

    /// Sets `echo_to_sender`.
    pub fn echo_to_sender(mut self, echo: bool) -> Self {
        self.echo_to_sender = echo;
        self
    }

    /// Sets `max_messages`.
    pub fn max_messages(mut self, max: usize) -> Self {
        self.max_messages = max;
        self
    }

    /// Sets `max_retained_bytes`.
    pub fn max_retained_bytes(mut self, max: usize) -> Self {
        self.max_retained_bytes = max;
        self
    }

    /// Sets `max_ttl_ms`.
    pub fn max_ttl_ms(mut self, ms: u64) -> Self {
        self.max_ttl_ms = ms;
        self
    }

    /// Sets `subtopic_separator`.
    pub fn subtopic_separator(mut self, separator: impl Into<String>) -> Self {
        self.subtopic_separator = separator.into();
        self
    }

    /// The TTL a message published with `requested_ms` gets: the override
    /// if set, else the default for 0, else the request cut to `max_ttl_ms`.
    pub fn effective_ttl_ms(&self, requested_ms: u64) -> u64 {
        match self.ttl_override_ms {
            Some(ttl) => ttl,
            None if requested_ms == 0 => self.default_ttl_ms,
            None => requested_ms.min(self.max_ttl_ms),
        }
    }
}

/// Broker configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokerConfig {
    /// Destinations by id; anything else is an unknown destination.
    pub destinations: HashMap<String, DestinationConfig>,
    /// Idle time after which a connection expires (default 30 minutes, the
    /// usual servlet session timeout).
    pub connection_idle_timeout: Duration,
    /// Most connections at once; a connect that would create one more is
    /// refused (default: unbounded).
    pub max_connections: usize,
    /// Longest selector a subscribe may carry, in bytes (default 4096); a
    /// longer one is refused before it is parsed.
    pub max_selector_bytes: usize,
    /// Longest string header a selector inspects, in bytes (default
    /// 64 KiB); a longer one is present but not comparable to selectors.
    pub max_selector_header_bytes: usize,
    /// Idle timeout of a connection until its second request: a client
    /// that pings once and never returns (a ping flood) frees its place in
    /// `max_connections` after this instead of the full idle timeout.
    /// Never longer than `connection_idle_timeout`.
    pub new_client_timeout: Duration,
    /// Most bytes retained across all destinations (across nodes with a
    /// shared store); the oldest messages, whatever their destination,
    /// are dropped first.
    pub max_total_retained_bytes: usize,
}

impl Default for BrokerConfig {
    fn default() -> Self {
        BrokerConfig {
            destinations: HashMap::new(),
            connection_idle_timeout: Duration::from_secs(30 * 60),
            max_connections: usize::MAX,
            max_selector_bytes: DEFAULT_MAX_SELECTOR_BYTES,
            max_selector_header_bytes: DEFAULT_MAX_HEADER_BYTES,
            new_client_timeout: DEFAULT_NEW_CLIENT_TIMEOUT,
            max_total_retained_bytes: DEFAULT_MAX_TOTAL_RETAINED_BYTES,
        }
    }
}

impl BrokerConfig {
    /// Adds (or replaces) a destination.
    pub fn with_destination(mut self, id: impl Into<String>, config: DestinationConfig) -> Self {
        self.destinations.insert(id.into(), config);
        self
    }

    /// Sets the most connections at once.
    pub fn with_max_connections(mut self, max: usize) -> Self {
        self.max_connections = max;
        self
    }

    /// Sets the longest selector a subscribe may carry, in bytes.
    pub fn with_max_selector_bytes(mut self, max: usize) -> Self {
        self.max_selector_bytes = max;
        self
    }

    /// Sets the longest string header a selector inspects, in bytes.
    pub fn with_max_selector_header_bytes(mut self, max: usize) -> Self {
        self.max_selector_header_bytes = max;
        self
    }

    /// Sets the idle timeout of connections that made one request only.
    pub fn with_new_client_timeout(mut self, timeout: Duration) -> Self {
        self.new_client_timeout = timeout;
        self
    }

    /// Sets the most bytes retained across all destinations.
    pub fn with_max_total_retained_bytes(mut self, max: usize) -> Self {
        self.max_total_retained_bytes = max;
        self
    }

    /// Sets the connection idle timeout.
    pub fn with_idle_timeout(mut self, timeout: Duration) -> Self {
        self.connection_idle_timeout = timeout;
        self
    }
}
