//! HTTP handling: routes a request to its channel and enforces the HTTP
//! rules (method, content type, body size) before any AMF is read.

use crate::config::ChannelKind;
use crate::endpoint;
use crate::response::{amf, text, ResponseBody, AMF_CONTENT_TYPE};
use crate::session::Session;
use crate::state::State;
use crate::streaming;
use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, ALLOW, CONTENT_TYPE, SET_COOKIE};
use hyper::{Method, Request, Response, StatusCode};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use tracing::Instrument;

/// Handles one HTTP request.
pub(crate) async fn handle(
    state: Arc<State>,
    peer: SocketAddr,
    req: Request<Incoming>,
) -> Result<Response<ResponseBody>, Infallible> {
    let span = tracing::info_span!(
        "request",
        %peer,
        method = %req.method(),
        path = %req.uri().path(),
        channel = tracing::field::Empty,
        client_id = tracing::field::Empty,
        operation = tracing::field::Empty,
        destination = tracing::field::Empty,
    );
    Ok(route(state, peer, req).instrument(span).await)
}

async fn route(
    state: Arc<State>,
    peer: SocketAddr,
    req: Request<Incoming>,
) -> Response<ResponseBody> {
    let Some((channel_id, channel)) = state.config.channel_for_path(req.uri().path()) else {
        // Channels first: a channel configured at /status keeps its path.
        let (method, path, headers) = (req.method(), req.uri().path(), req.headers());
        if let Some(r) = crate::status::handle(&state, peer, method, path, headers).await {
            return r;
        }
        return text(StatusCode::NOT_FOUND, "no channel at this path");
    };
    tracing::Span::current().record("channel", channel_id);
    let channel_id = channel_id.to_owned();
    let kind = channel.kind;
    if req.method() != Method::POST {
        let mut r = text(StatusCode::METHOD_NOT_ALLOWED, "AMF channels take POST");
        r.headers_mut()
            .insert(ALLOW, HeaderValue::from_static("POST"));
        return r;
    }
    let session = Session::from_headers(req.headers(), &state.config.session);
    // Streaming commands (`?command=open|close`) are form posts, not AMF.
    if let Some(command) = streaming::command(req.uri().query()) {
        if kind != ChannelKind::Streaming {
            return text(StatusCode::BAD_REQUEST, "this channel does not stream");
        }
        return match read_body(&state, req).await {
            Ok(body) => streaming::handle(state, &channel_id, &session, command, &body).await,
            Err(r) => r,
        };
    }
    let is_amf = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .is_some_and(|t| t.trim().eq_ignore_ascii_case(AMF_CONTENT_TYPE))
        });
    if !is_amf {
        return text(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "content type must be application/x-amf",
        );
    }
    let body = match read_body(&state, req).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    match endpoint::handle(&state, &channel_id, &session, body).await {
        Ok(reply) => {
            let mut r = amf(reply);
            if let Some(cookie) = session.set_cookie(&state.config.session) {
                r.headers_mut().insert(SET_COOKIE, cookie);
            }
            r
        }
        Err(e) => {
            tracing::warn!(error = %e, "rejected a malformed AMF packet");
            text(
                StatusCode::BAD_REQUEST,
                &format!("malformed AMF packet: {e}"),
            )
        }
    }
}

/// Reads the whole body, refusing more than the configured limit.
async fn read_body(state: &State, req: Request<Incoming>) -> Result<Bytes, Response<ResponseBody>> {
    let limit = state.config.limits.max_body_bytes;
    let declared = req
        .headers()
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large(limit));
    }
    match Limited::new(req.into_body(), limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e)
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some() =>
        {
            Err(too_large(limit))
        }
        Err(e) => {
            tracing::debug!(error = %e, "request body not read");
            Err(text(
                StatusCode::BAD_REQUEST,
                "request body could not be read",
            ))
        }
    }
}

fn too_large(limit: usize) -> Response<ResponseBody> {
    text(
        StatusCode::PAYLOAD_TOO_LARGE,
        &format!("request body larger than {limit} bytes"),
    )
}
