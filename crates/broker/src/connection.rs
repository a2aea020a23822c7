//! Connections: one per Flex client (the `DSId`).

use std::collections::BTreeMap;

/// One Flex client known to the broker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    /// The Flex client id (`DSId`).
    pub id: String,
    /// The channel it connected through.
    pub channel: String,
    /// Creation time, epoch milliseconds.
    pub created_ms: u64,
    /// Last request of any kind, epoch milliseconds.
    pub last_active_ms: u64,
    /// Last poll, epoch milliseconds (0: never polled).
    pub last_polled_ms: u64,
    /// The authenticated principal, once logged in.
    pub principal: Option<String>,
    /// Session attributes (strings, so that a shared store can keep them).
    pub attributes: BTreeMap<String, String>,
    /// Idle time after which the connection expires, milliseconds.
    pub idle_timeout_ms: u64,
    /// While the connection has made one request only: the idle timeout
    /// it gets on its next one (its current, shorter one expires one-shot
    /// clients quickly). `None` once promoted.
    pub promoted_timeout_ms: Option<u64>,
}

impl Connection {
    /// A fresh connection created at `now_ms`.
    pub fn new(
        id: impl Into<String>,
        channel: impl Into<String>,
        now_ms: u64,
        idle_timeout_ms: u64,
    ) -> Self {
        Connection {
            id: id.into(),
            channel: channel.into(),
            created_ms: now_ms,
            last_active_ms: now_ms,
            last_polled_ms: 0,
            principal: None,
            attributes: BTreeMap::new(),
            idle_timeout_ms,
            promoted_timeout_ms: None,
        }
    }

    /// Gives a new connection the shorter `first_ms` timeout until its next
    /// request, which restores the current one. No effect when `first_ms`
    /// is not shorter.
    pub fn with_first_timeout_ms(mut self, first_ms: u64) -> Self {
        if first_ms < self.idle_timeout_ms {
            self.promoted_timeout_ms = Some(self.idle_timeout_ms);
            self.idle_timeout_ms = first_ms;
        }
        self
    }

    /// `true` once it has been idle for longer than its timeout.
    pub fn is_idle(&self, now_ms: u64) -> bool {
        now_ms.saturating_sub(self.last_active_ms) > self.idle_timeout_ms
    }
}

/// A new connection id in the form BlazeDS uses (upper-case UUID).
pub fn new_connection_id() -> String {
    upper_uuid()
}

/// A fresh v4 UUID, upper-case and hyphenated, written straight into its
/// string (no formatting machinery, no second pass to upper-case it).
pub(crate) fn upper_uuid() -> String {
    let mut buf = uuid::Uuid::encode_buffer();
    uuid::Uuid::new_v4()
        .hyphenated()
        .encode_upper(&mut buf)
        .to_owned()
}

/// A change to a stored connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectionUpdate {
    /// Record activity at this time (a request: it also promotes a new
    /// connection to its full idle timeout).
    Touch {
        /// Epoch milliseconds.
        now_ms: u64,
    },
    /// Set or clear the authenticated principal.
    Principal(Option<String>),
    /// Set (`Some`) or remove (`None`) a session attribute.
    Attribute {
        /// Attribute name.
        name: String,
        /// New value.
        value: Option<String>,
    },
    /// Change the idle timeout.
    IdleTimeout {
        /// Milliseconds.
        ms: u64,
    },
}

impl Connection {
    /// Applies `update` in place.
    pub fn apply(&mut self, update: ConnectionUpdate) {
        match update {
            ConnectionUpdate::Touch { now_ms } => {
                self.last_active_ms = self.last_active_ms.max(now_ms);
                if let Some(ms) = self.promoted_timeout_ms.take() {
                    self.idle_timeout_ms = ms;
                }
            }
            ConnectionUpdate::Principal(p) => self.principal = p,
            ConnectionUpdate::Attribute {
                name,
                value: Some(v),
            } => {
                self.attributes.insert(name, v);
            }
            ConnectionUpdate::Attribute { name, value: None } => {
                self.attributes.remove(&name);
            }
            ConnectionUpdate::IdleTimeout { ms } => {
                self.idle_timeout_ms = ms;
                self.promoted_timeout_ms = None;
            }
        }
    }
}
