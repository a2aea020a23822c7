//! What a body handler is given and what it answers: the request-wide
//! context of one AMF packet and the outcome of one body.

use crate::backends::TraceParent;
use crate::session::Session;
use flexgate_amf::{Header, Value, Version};
use std::net::{IpAddr, SocketAddr};

/// How a body was answered.
pub(crate) enum Outcome {
    /// `/N/onResult` with this value.
    Result(Value),
    /// `/N/onStatus` with this value.
    Status(Value),
}

/// Request-wide facts a body handler may need.
pub(crate) struct RequestContext<'a> {
    /// The channel id.
    pub(crate) channel: &'a str,
    /// The packet's headers (e.g. legacy `Credentials`).
    pub(crate) headers: &'a [Header],
    /// More than one body: long polls answer at once, as BlazeDS does.
    pub(crate) batched: bool,
    /// The HTTP session (cookie) the request came with.
    pub(crate) session: &'a Session,
    /// The TCP peer (none for in-process requests): login throttling and
    /// client admission count per address.
    pub(crate) peer: Option<SocketAddr>,
    /// Replies may go in small form: an AMF3 envelope on a channel with
    /// `enable_small_messages` (BlazeDS converts only those).
    pub(crate) small_messages: bool,
    /// The packet's version: an AMF0 one is an AMF0 NetConnection's, whose
    /// results are written in AMF0.
    pub(crate) version: Version,
    /// The HTTP request's valid `traceparent`, if any: backend calls
    /// continue its trace.
    pub(crate) trace: Option<&'a TraceParent>,
}

impl RequestContext<'_> {
    /// The peer's IP address, an IPv4-mapped IPv6 one as IPv4.
    pub(crate) fn peer_ip(&self) -> Option<IpAddr> {
        self.peer.map(|p| p.ip().to_canonical())
    }
}
