//! What a body handler is given and what it answers: the request-wide
//! context of one AMF packet and the outcome of one body.

use crate::session::Session;
use flexgate_amf::{Header, Value};

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
}
