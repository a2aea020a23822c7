//! `[limits]`: bounds on what clients send or make the gateway hold
//! (docs/limits.md lists them all).

use serde::Deserialize;

/// Bounds on untrusted input.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Largest request body, in bytes.
    pub max_body_bytes: usize,
    /// Deepest nesting of AMF values.
    pub max_depth: usize,
    /// Largest AMF collection.
    pub max_items: usize,
    /// Most bodies in one AMF packet.
    pub max_bodies: usize,
    /// Bytes of decoded values allowed per body byte (`DecodeLimits::alloc_per_byte`).
    pub alloc_per_byte: usize,
    /// Bytes of decoded values allowed whatever the body's length.
    pub alloc_allowance_bytes: usize,
    /// Subscriptions (subtopic/selector filters) one Flex client may hold.
    pub max_subscriptions_per_client: usize,
    /// Longest selector (`DSSelector`) a subscribe may carry, in bytes;
    /// a longer one is refused with `Client.Message`.
    pub max_selector_bytes: usize,
    /// Messages handed to one Flex client in one poll reply or stream
    /// flush; later ones wait for the next poll.
    pub max_queued_messages_per_client: usize,
    /// TCP connections open at once; more are answered 503 and closed.
    pub max_connections: usize,
    /// Flex clients (DSIds) known at once; a ping that would create one
    /// more gets a fault until idle ones expire or disconnect.
    pub max_clients: usize,
    /// A connection that has not sent a whole request head within this many
    /// seconds is closed, so that silent peers cannot hold connection slots.
    pub header_read_timeout_secs: u64,
    /// A request body must arrive whole within this many seconds; otherwise
    /// it is answered 408 and its connection closed.
    pub body_timeout_secs: u64,
    /// After a 5 s grace, a request body arriving at a lower average rate
    /// (bytes per second) is answered 408 and its connection closed, so a
    /// stalled or trickling body frees its slot early. 0: no rate check.
    pub min_body_bytes_per_sec: u64,
    /// Bytes of messages retained over all destinations; the oldest are
    /// dropped first.
    pub max_total_retained_bytes: usize,
    /// Idle timeout, in seconds, of a Flex client until its second
    /// request, so one-shot pings cannot hold `max_clients` places.
    pub new_client_timeout_secs: u64,
    /// New Flex clients one peer address may create per minute; more get
    /// `Server.Processing` and no client.
    pub new_clients_per_peer_per_minute: u32,
    /// New Flex clients one HTTP session (cookie) may create per minute.
    pub new_clients_per_session_per_minute: u32,
    /// Longest `DSId`, `clientId` or `messageId` a Flex message may carry.
    pub max_id_bytes: usize,
    /// Longest destination id a Flex message may name.
    pub max_destination_bytes: usize,
    /// Longest subtopic (`DSSubtopic`, each `DSAddSub`/`DSRemSub` entry).
    pub max_subtopic_bytes: usize,
    /// Longest string header value (and header name) of a Flex message.
    pub max_header_value_bytes: usize,
    /// Largest response body an HTTP remoting backend may answer with; a
    /// larger one is a `Server.Processing` fault (the rest is not read).
    pub max_backend_response_bytes: usize,
    /// Largest request body of the publish API (`POST /api/publish`);
    /// a larger one is answered 413.
    pub max_api_body_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 16 << 20,
            max_depth: 128,
            max_items: 1 << 20,
            max_bodies: 256,
            alloc_per_byte: flexgate_amf::DecodeLimits::DEFAULT.alloc_per_byte,
            alloc_allowance_bytes: flexgate_amf::DecodeLimits::DEFAULT.alloc_allowance,
            max_subscriptions_per_client: 64,
            max_selector_bytes: flexgate_broker::selector::DEFAULT_MAX_SELECTOR_BYTES,
            max_queued_messages_per_client: 1_000,
            max_connections: 10_000,
            max_clients: 100_000,
            header_read_timeout_secs: 30,
            body_timeout_secs: 60,
            min_body_bytes_per_sec: 4096,
            max_total_retained_bytes: flexgate_broker::DEFAULT_MAX_TOTAL_RETAINED_BYTES,
            new_client_timeout_secs: flexgate_broker::DEFAULT_NEW_CLIENT_TIMEOUT.as_secs(),
            new_clients_per_peer_per_minute: 600,
            new_clients_per_session_per_minute: 60,
            max_id_bytes: 128,
            max_destination_bytes: 256,
            max_subtopic_bytes: 1024,
            max_header_value_bytes: 64 << 10,
            max_backend_response_bytes: 16 << 20,
            max_api_body_bytes: 1 << 20,
        }
    }
}
