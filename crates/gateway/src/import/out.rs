//! The TOML the import writes: only what it maps, in the spelling
//! [`Config::parse`](crate::config::Config::parse) reads back. Maps are
//! sorted by id, so the output is deterministic.

use crate::config::{ChannelKind, DestinationKind};
use serde::Serialize;
use std::collections::BTreeMap;

/// The imported configuration.
#[derive(Debug, Default, Serialize)]
pub(crate) struct Imported {
    /// `<flex-client><timeout-minutes>`, in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) client_timeout_secs: Option<u64>,
    /// Always written, even empty: a missing table would load the demo's.
    pub(crate) channels: BTreeMap<String, Channel>,
    /// Always written, even empty, for the same reason.
    pub(crate) destinations: BTreeMap<String, Destination>,
}

/// `[channels.<id>]`.
#[derive(Debug, Serialize)]
pub(crate) struct Channel {
    pub(crate) kind: ChannelKind,
    pub(crate) path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) wait_interval_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) max_waiting_polls: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) heartbeat_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) max_streaming_clients: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) enable_small_messages: Option<bool>,
}

impl Channel {
    /// A channel with nothing but its kind and path.
    pub(crate) fn new(kind: ChannelKind, path: String) -> Channel {
        Channel {
            kind,
            path,
            wait_interval_ms: None,
            max_waiting_polls: None,
            heartbeat_ms: None,
            max_streaming_clients: None,
            enable_small_messages: None,
        }
    }
}

/// `[destinations.<id>]`.
#[derive(Debug, Serialize)]
pub(crate) struct Destination {
    pub(crate) kind: DestinationKind,
    pub(crate) channels: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) roles: Vec<String>,
    /// Written for every messaging destination: BlazeDS's default is
    /// false, flexgate's true.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) allow_subtopics: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) disallow_wildcard_subtopics: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) subtopic_separator: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) ttl_override_ms: Option<u64>,
}

impl Destination {
    /// A destination of `kind` on `channels`, open to anyone.
    pub(crate) fn new(kind: DestinationKind, channels: Vec<String>) -> Destination {
        Destination {
            kind,
            channels,
            roles: Vec::new(),
            allow_subtopics: None,
            disallow_wildcard_subtopics: None,
            subtopic_separator: None,
            ttl_override_ms: None,
        }
    }
}
