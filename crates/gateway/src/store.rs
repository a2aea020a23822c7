//! Opens the store the configuration names, with its cross-node wake-ups.

use crate::config::StoreConfig;
use flexgate_amf::Registry;
use flexgate_broker::{AnyStore, MemoryStore, RedisStore, RedisWake, StoreError};

/// The store behind the broker, and for a shared store the notifier that
/// wakes polls on the other nodes.
pub(crate) struct OpenedStore {
    /// The store.
    pub(crate) store: AnyStore,
    /// Cross-node wake-ups (shared stores only).
    pub(crate) wake: Option<RedisWake>,
}

/// The configured store could not be opened.
#[derive(Debug, thiserror::Error)]
#[error("cannot use the Redis store at {url}: {detail}")]
pub(crate) struct OpenStoreError {
    /// The configured URL, its password redacted.
    pub(crate) url: String,
    /// What failed, with its causes.
    pub(crate) detail: String,
    /// The store error.
    #[source]
    pub(crate) source: StoreError,
}

impl OpenStoreError {
    fn new(url: &str, source: StoreError) -> Self {
        // Spell the cause chain out: "connection refused" is what an
        // operator needs to read, and it sits in the sources.
        let mut detail = source.message.clone();
        let mut cause = std::error::Error::source(&source);
        while let Some(c) = cause {
            let text = c.to_string();
            // Client errors often repeat their cause in their own text.
            if !detail.contains(&text) {
                detail.push_str(": ");
                detail.push_str(&text);
            }
            cause = c.source();
        }
        // The URL may hold a password: never print it, not even where a
        // client error quotes the URL.
        let redacted = crate::config::redact_url(url);
        OpenStoreError {
            detail: detail.replace(url, &redacted),
            url: redacted,
            source,
        }
    }
}

/// Opens the store of `config`; a Redis store must answer now.
pub(crate) async fn open(
    config: &StoreConfig,
    registry: &'static Registry,
) -> Result<OpenedStore, OpenStoreError> {
    match config {
        StoreConfig::Memory => Ok(OpenedStore {
            store: MemoryStore::new().into(),
            wake: None,
        }),
        StoreConfig::Redis { url, prefix } => {
            let store = RedisStore::connect(url, prefix, registry)
                .await
                .map_err(|e| OpenStoreError::new(url, e))?;
            let wake = RedisWake::connect(url, prefix)
                .await
                .map_err(|e| OpenStoreError::new(url, e))?;
            tracing::info!(%prefix, node = wake.node_id(), "using the Redis store");
            Ok(OpenedStore {
                store: store.into(),
                wake: Some(wake),
            })
        }
    }
}
