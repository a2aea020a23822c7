//! One AMF request packet in, one reply packet out: every body is
//! dispatched in order and answered on `/N/onResult` or `/N/onStatus`.

use crate::backends::TraceParent;
use crate::flex;
use crate::legacy;
use crate::request::{Outcome, RequestContext};
use crate::session::Session;
use crate::state::State;
use bytes::Bytes;
use flexgate_amf::{
    Body, DecodeError, Header, Packet, Request, Str, Value, Version, NULL_TARGET, ON_RESULT,
    ON_STATUS,
};
use flexgate_messages::Message;
use std::net::SocketAddr;

/// Why a request packet got no AMF reply.
#[derive(Debug, thiserror::Error)]
pub enum EndpointError {
    /// The packet could not be decoded.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// More bodies than the configured limit.
    #[error("{0} bodies in one packet exceed the limit of {1}")]
    TooManyBodies(usize, usize),
    /// The reply could not be encoded.
    #[error("reply could not be encoded: {0}")]
    Encode(#[from] flexgate_amf::EncodeError),
}

/// The reply header that tells a NetConnection (Flash Player, Flex's
/// AMFChannel) to append its value to the gateway URL from then on.
pub(crate) const APPEND_TO_GATEWAY_URL: &str = "AppendToGatewayUrl";

/// Decodes a request packet, dispatches its bodies and encodes the reply.
/// `url_suffix` (a fresh session's `;jsessionid=TOKEN`) goes out in an
/// `AppendToGatewayUrl` header, as BlazeDS's SessionFilter sends it.
/// `trace` is the HTTP request's valid `traceparent`, continued by the
/// backend calls of its bodies.
pub(crate) async fn handle(
    state: &State,
    channel: &str,
    session: &Session,
    peer: Option<SocketAddr>,
    body: Bytes,
    url_suffix: Option<String>,
    trace: Option<&TraceParent>,
) -> Result<Vec<u8>, EndpointError> {
    // A body whose value cannot be read is answered with a fault, as
    // BlazeDS does; only an unreadable envelope fails the whole request.
    let packet = Request::decode_with(body, state.registry, state.decode_limits)?;
    let max = state.config.limits.max_bodies;
    if packet.bodies.len() > max {
        return Err(EndpointError::TooManyBodies(packet.bodies.len(), max));
    }
    // As BlazeDS's MessageBrokerFilter: small forms only in an AMF3
    // envelope (an AMF0 one is an older player's), and only where the
    // channel enables them.
    let small_messages = packet.version == Version::Amf3
        && state
            .config
            .channels
            .get(channel)
            .is_some_and(|c| c.enable_small_messages);
    let ctx = RequestContext {
        channel,
        headers: &packet.headers,
        batched: packet.bodies.len() > 1,
        session,
        peer,
        small_messages,
        version: packet.version,
        trace,
    };
    let mut replies = Vec::with_capacity(packet.bodies.len());
    for body in &packet.bodies {
        let value = match &body.value {
            Ok(value) => value,
            Err(e) if body.target != NULL_TARGET => {
                tracing::info!(target = %body.target, error = %e, "legacy call undecodable");
                replies.push(reply(&body.response, legacy::undecodable(e)));
                continue;
            }
            Err(e) => {
                tracing::info!(error = %e, "request body undecodable");
                replies.push(reply(&body.response, flex::undecodable(e)));
                continue;
            }
        };
        let message = if state.config.compat.anonymous_messages {
            Message::from_request_body(value)
        } else {
            Message::from_request_body_typed(value)
        };
        let outcome = match message {
            Ok(message) => flex::handle(state, &ctx, message).await,
            Err(_) if body.target != NULL_TARGET => {
                legacy::call(state, &ctx, &body.target, value).await
            }
            Err(e) => flex::undecodable(e),
        };
        replies.push(reply(&body.response, outcome));
    }
    // BlazeDS marks it mustUnderstand: a client must not go on without it.
    let headers = url_suffix
        .map(|suffix| Header {
            name: Str::from_static(APPEND_TO_GATEWAY_URL),
            must_understand: true,
            value: Value::from(suffix),
        })
        .into_iter()
        .collect();
    let reply = Packet {
        version: reply_version(packet.version),
        headers,
        bodies: replies,
    };
    Ok(reply.encode()?)
}

/// The version a reply packet carries: the request's, except that an AMF1
/// request (read as AMF0, as FMS sends it) is answered as AMF0, as
/// BlazeDS's AmfMessageDeserializer rewrites the version before the reply
/// takes it.
fn reply_version(request: Version) -> Version {
    match request {
        Version::Amf1 => Version::Amf0,
        other => other,
    }
}

/// The reply body to the request body whose response is `response` (`/N`).
fn reply(response: &str, outcome: Outcome) -> Body {
    let (suffix, value) = match outcome {
        Outcome::Result(v) => (ON_RESULT, v),
        Outcome::Status(v) => (ON_STATUS, v),
    };
    let mut target = String::with_capacity(response.len() + suffix.len());
    target.push_str(response);
    target.push_str(suffix);
    Body {
        target: Str::from(target),
        response: Str::from_static(NULL_TARGET),
        value,
    }
}
