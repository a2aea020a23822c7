//! Error types of the broker.

use crate::selector::SelectorError;
use crate::subtopic::SubtopicError;

/// An error reported by a [`MessageStore`](crate::store::MessageStore)
/// implementation (I/O, serialization, a remote server refusing a command).
#[derive(Debug, thiserror::Error)]
#[error("message store: {message}")]
pub struct StoreError {
    /// What went wrong.
    pub message: String,
    /// The underlying cause, when there is one.
    #[source]
    pub source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl StoreError {
    /// A store error with a message and no underlying cause.
    pub fn new(message: impl Into<String>) -> Self {
        StoreError {
            message: message.into(),
            source: None,
        }
    }

    /// A store error with a message and an underlying cause.
    pub fn with_source(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        StoreError {
            message: message.into(),
            source: Some(Box::new(source)),
        }
    }
}

/// Everything a broker operation can fail with.
#[derive(Debug, thiserror::Error)]
pub enum BrokerError {
    /// The destination is not configured.
    #[error("unknown destination '{0}'")]
    UnknownDestination(String),
    /// Creating a connection would pass the configured maximum.
    #[error("the server has its maximum of {0} connections")]
    TooManyConnections(usize),
    /// The connection (Flex client id) does not exist, was disconnected or
    /// expired.
    #[error("connection '{0}' is not connected")]
    NotConnected(String),
    /// The connection exists but holds no subscription, so a poll has
    /// nothing it could ever receive (after a store restart lost the
    /// subscriptions, the client must subscribe again).
    #[error("connection '{0}' has no subscriptions")]
    NotSubscribed(String),
    /// The message is larger than its destination may retain.
    #[error("a message of {size} bytes is larger than the {max} bytes destination '{destination}' may retain")]
    MessageTooLarge {
        /// The destination.
        destination: String,
        /// The message's [`Message::size_bytes`](crate::Message::size_bytes).
        size: usize,
        /// The bound it passes.
        max: usize,
    },
    /// A subtopic string is malformed.
    #[error(transparent)]
    Subtopic(#[from] SubtopicError),
    /// A subtopic was used on a destination configured without subtopics.
    #[error("destination '{destination}' does not allow subtopics (got '{subtopic}')")]
    SubtopicsNotAllowed {
        /// The destination.
        destination: String,
        /// The rejected subtopic.
        subtopic: String,
    },
    /// A wildcard subtopic was used to subscribe on a destination that
    /// disallows wildcard subscriptions.
    #[error("destination '{destination}' does not allow wildcard subtopics (got '{subtopic}')")]
    WildcardSubtopicNotAllowed {
        /// The destination.
        destination: String,
        /// The rejected subtopic.
        subtopic: String,
    },
    /// A message was published to a subtopic containing a wildcard; wildcards
    /// are only meaningful in subscriptions.
    #[error("cannot publish to wildcard subtopic '{0}'")]
    WildcardPublish(String),
    /// The selector expression of a subscription does not parse.
    #[error(transparent)]
    Selector(#[from] SelectorError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}
