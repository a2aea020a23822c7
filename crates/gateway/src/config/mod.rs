//! The gateway configuration: the ideas of BlazeDS's services-config.xml in TOML.
//!
//! Every field has a default, so an empty file (or none) serves the demo.

mod api;
mod broker_link;
mod destination;
mod hosting;
mod http_backend;
mod limits;
mod session;
mod static_files;

pub use crate::login_throttle::LoginThrottleConfig;
pub use api::{ApiConfig, ApiTokenError};
pub use broker_link::{AmqpLinkConfig, NatsLinkConfig};
pub use destination::{DestinationConfig, DestinationKind, ListEncoding};
pub use hosting::{CompatConfig, CorsConfig, CrossDomainConfig};
pub use http_backend::HttpBackendConfig;
pub use limits::Limits;
pub use session::{SameSite, SessionConfig};
pub use static_files::StaticConfig;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;

/// The whole configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Channels (endpoints), by id.
    pub channels: BTreeMap<String, ChannelConfig>,
    /// Destinations, by id.
    pub destinations: BTreeMap<String, DestinationConfig>,
    /// Where messages and subscriptions live.
    pub store: StoreConfig,
    /// Users of the built-in authenticator.
    pub users: BTreeMap<String, UserConfig>,
    /// Limits on untrusted input.
    pub limits: Limits,
    /// Idle time after which a Flex client (DSId) is dropped, in seconds.
    pub client_timeout_secs: u64,
    /// The operator status page and metrics.
    pub status: StatusConfig,
    /// The HTTP session cookie that Flex clients are bound to.
    pub session: SessionConfig,
    /// The back-off after failed logins.
    pub login: LoginThrottleConfig,
    /// The Flash `/crossdomain.xml` policy.
    pub crossdomain: CrossDomainConfig,
    /// Cross-origin access to the channels from browsers.
    pub cors: CorsConfig,
    /// Tolerance for clients that do not send what Flash does.
    pub compat: CompatConfig,
    /// Files served beside the channels (`[static]`).
    #[serde(rename = "static")]
    pub static_files: StaticConfig,
    /// The HTTP publish API (`POST /api/publish`).
    pub api: ApiConfig,
}

/// The operator pages: `/status` (HTML), `/status.json` and `/metrics`
/// (Prometheus). They list Flex client ids, which let anyone holding one
/// poll that client's messages, so by default only loopback peers may read
/// them.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StatusConfig {
    /// Serve the pages at all.
    pub enabled: bool,
    /// Require an HTTP Basic login of a user holding this role (checked by
    /// the gateway's authenticator, e.g. the `[users]` table), from any
    /// address.
    pub role: Option<String>,
    /// Serve anyone without a login. Behind a reverse proxy every peer is
    /// loopback: set `role` there instead.
    pub public: bool,
}

impl Default for StatusConfig {
    fn default() -> Self {
        StatusConfig {
            enabled: true,
            role: None,
            public: false,
        }
    }
}

/// What kind of channel an endpoint is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChannelKind {
    /// Request/response AMF; polls are answered at once.
    Amf,
    /// AMF where polls wait for messages (long polling).
    LongPolling,
    /// AMF with a streaming response for pushes (`?command=open`).
    Streaming,
}

/// One channel endpoint.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChannelConfig {
    /// The channel kind.
    pub kind: ChannelKind,
    /// The URL path it answers on.
    pub path: String,
    /// Long polling: how long a poll waits for messages, in ms.
    pub wait_interval_ms: u64,
    /// Long polling: polls that may wait at once on this server.
    pub max_waiting_polls: usize,
    /// Long polling: polls that may wait at once per Flex client.
    pub max_waiting_polls_per_client: usize,
    /// Sent as `DSPollWait` when a poll could not wait (BlazeDS forces 3000).
    pub busy_poll_wait_ms: u64,
    /// Streaming: a NULL byte is sent after this much silence, in ms.
    pub heartbeat_ms: u64,
    /// Streaming: open streams allowed on this server.
    pub max_streaming_clients: usize,
    /// Replies go in small form (DSK, DSC) to clients that advertise
    /// `DSMessagingVersion`, as BlazeDS's `enable-small-messages`; false:
    /// always full form.
    pub enable_small_messages: bool,
}

impl Default for ChannelConfig {
    fn default() -> Self {
        ChannelConfig {
            kind: ChannelKind::Amf,
            path: "/messagebroker/amf".into(),
            wait_interval_ms: 30_000,
            max_waiting_polls: 1_000,
            max_waiting_polls_per_client: 1,
            busy_poll_wait_ms: 3_000,
            heartbeat_ms: 5_000,
            max_streaming_clients: 1_000,
            enable_small_messages: true,
        }
    }
}

/// Which store backs the broker.
#[derive(Clone, Default, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum StoreConfig {
    /// The embedded in-memory store (one node).
    #[default]
    Memory,
    /// A Redis server shared by every node of a cluster:
    /// `store = { kind = "redis", url = "redis://127.0.0.1:6379/0", prefix = "flexgate:" }`.
    Redis {
        /// `redis://[user:password@]host:port/db`.
        url: String,
        /// Starts every key and the wake-up channel; nodes sharing a
        /// prefix form one cluster.
        #[serde(default = "default_redis_prefix")]
        prefix: String,
    },
}

// The URL may hold a password: `{:?}` shows it redacted.
impl std::fmt::Debug for StoreConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreConfig::Memory => f.write_str("Memory"),
            StoreConfig::Redis { url, prefix } => f
                .debug_struct("Redis")
                .field("url", &redact_url(url))
                .field("prefix", prefix)
                .finish(),
        }
    }
}

/// `url` with the password of its user information replaced by `***`
/// (`redis://user:***@host:6379/0`), for messages and logs.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

fn default_redis_prefix() -> String {
    "flexgate:".into()
}

/// A user of the built-in authenticator: exactly one of `password` and
/// `password_hash`.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserConfig {
    /// The password in clear (fine for a demo; prefer `password_hash`).
    #[serde(default)]
    pub password: Option<String>,
    /// An Argon2 hash in PHC form (`$argon2id$v=19$m=...`), as
    /// `flexgate hash-password` prints it.
    #[serde(default)]
    pub password_hash: Option<String>,
    /// The roles granted.
    #[serde(default)]
    pub roles: Vec<String>,
}

impl UserConfig {
    /// A user with a clear-text password.
    pub fn with_password(password: &str, roles: &[&str]) -> Self {
        UserConfig {
            password: Some(password.to_owned()),
            password_hash: None,
            roles: roles.iter().map(|r| (*r).to_owned()).collect(),
        }
    }

    /// A user with an Argon2 PHC hash.
    pub fn with_hash(hash: &str, roles: &[&str]) -> Self {
        UserConfig {
            password: None,
            password_hash: Some(hash.to_owned()),
            roles: roles.iter().map(|r| (*r).to_owned()).collect(),
        }
    }
}

// Secrets stay out of `{:?}` output (a config printed while debugging).
impl std::fmt::Debug for UserConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserConfig")
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field(
                "password_hash",
                &self.password_hash.as_ref().map(|_| "<redacted>"),
            )
            .field("roles", &self.roles)
            .finish()
    }
}

impl Default for Config {
    /// The demo: an AMF, a long-polling and a streaming channel, an
    /// `EchoService` remoting destination and a `chat` messaging destination.
    fn default() -> Self {
        let channel = |kind, path: &str| ChannelConfig {
            kind,
            path: path.into(),
            ..ChannelConfig::default()
        };
        let channels = BTreeMap::from([
            (
                "my-amf".to_owned(),
                channel(ChannelKind::Amf, "/messagebroker/amf"),
            ),
            (
                "my-longpolling-amf".to_owned(),
                channel(ChannelKind::LongPolling, "/messagebroker/amflongpolling"),
            ),
            (
                "my-streaming-amf".to_owned(),
                channel(ChannelKind::Streaming, "/messagebroker/streamingamf"),
            ),
        ]);
        let destinations = BTreeMap::from([
            (
                "EchoService".to_owned(),
                DestinationConfig {
                    kind: DestinationKind::Remoting,
                    ..DestinationConfig::default()
                },
            ),
            ("chat".to_owned(), DestinationConfig::default()),
        ]);
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8400)),
            channels,
            destinations,
            store: StoreConfig::Memory,
            users: BTreeMap::new(),
            limits: Limits::default(),
            client_timeout_secs: 30 * 60,
            status: StatusConfig::default(),
            session: SessionConfig::default(),
            login: LoginThrottleConfig::default(),
            crossdomain: CrossDomainConfig::default(),
            cors: CorsConfig::default(),
            compat: CompatConfig::default(),
            static_files: StaticConfig::default(),
            api: ApiConfig::default(),
        }
    }
}

/// A configuration that could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML for this schema.
    #[error("invalid config {path}: {source}")]
    Parse {
        /// The file.
        path: String,
        /// Why.
        source: Box<toml::de::Error>,
    },
    /// The settings contradict each other.
    #[error("invalid config: {0}")]
    Invalid(String),
}

impl Config {
    /// Loads and validates a TOML file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&text).map_err(|e| match e {
            ConfigError::Parse { source, .. } => ConfigError::Parse {
                path: path.display().to_string(),
                source,
            },
            other => other,
        })
    }

    /// Parses and validates TOML text.
    pub fn parse(text: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: "<text>".into(),
            source: Box::new(e),
        })?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let mut paths = std::collections::HashSet::new();
        for (id, c) in &self.channels {
            if !c.path.starts_with('/') {
                return Err(ConfigError::Invalid(format!(
                    "channel '{id}': path must start with '/'"
                )));
            }
            if !paths.insert(c.path.as_str()) {
                return Err(ConfigError::Invalid(format!(
                    "channel '{id}': path {} is used twice",
                    c.path
                )));
            }
        }
        self.crossdomain.validate().map_err(ConfigError::Invalid)?;
        self.cors.validate().map_err(ConfigError::Invalid)?;
        if self.status.public && self.status.role.is_some() {
            return Err(ConfigError::Invalid(
                "status: set either `public` or `role`, not both".into(),
            ));
        }
        for (name, u) in &self.users {
            match (&u.password, &u.password_hash) {
                (Some(_), None) => {}
                (None, Some(hash)) => crate::password::check_hash(hash).map_err(|e| {
                    ConfigError::Invalid(format!("user '{name}': password_hash: {e}"))
                })?,
                _ => {
                    return Err(ConfigError::Invalid(format!(
                        "user '{name}': set exactly one of `password` and `password_hash`"
                    )))
                }
            }
        }
        self.api
            .secret()
            .map_err(|e| ConfigError::Invalid(e.to_string()))?;
        for (id, d) in &self.destinations {
            if let Some(problem) = d.problem() {
                return Err(ConfigError::Invalid(format!(
                    "destination '{id}': {problem}"
                )));
            }
            if let Some(unknown) = d.channels.iter().find(|c| !self.channels.contains_key(*c)) {
                return Err(ConfigError::Invalid(format!(
                    "destination '{id}': unknown channel '{unknown}'"
                )));
            }
        }
        Ok(())
    }

    /// The channel serving `path`, with its id.
    pub fn channel_for_path(&self, path: &str) -> Option<(&str, &ChannelConfig)> {
        let path = normalize_path(path);
        self.channels
            .iter()
            .find(|(_, c)| normalize_path(&c.path) == path)
            .map(|(id, c)| (id.as_str(), c))
    }
}

/// A channel path as matched: without the `;name=value` path parameters
/// Flex appends (`;jsessionid=...`) and without a trailing slash, except
/// the root `/` itself.
fn normalize_path(path: &str) -> &str {
    let path = path.split(';').next().unwrap_or(path);
    match path.strip_suffix('/') {
        Some("") | None => path,
        Some(p) => p,
    }
}
