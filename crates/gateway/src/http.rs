//! HTTP handling: routes a request to its channel and enforces the HTTP
//! rules (method, content type, body size) before any AMF is read.

use crate::backends::TraceParent;
use crate::body::{self, BodyError};
use crate::config::ChannelKind;
use crate::endpoint;
use crate::hosting::{self, cors::Cors};
use crate::response::{amf, text, ResponseBody, AMF_CONTENT_TYPE};
use crate::session::Session;
use crate::state::State;
use crate::streaming;
use bytes::Bytes;
use hyper::body::Incoming;
use hyper::header::{HeaderValue, ALLOW, CONNECTION, CONTENT_TYPE, SET_COOKIE};
use hyper::{Method, Request, Response, StatusCode};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use tracing::Instrument;

/// Handles one HTTP request.
///
/// `peer_text` is `peer` as text, written once per connection rather than
/// formatted again for each request's span.
pub(crate) async fn handle(
    state: Arc<State>,
    peer: SocketAddr,
    peer_text: Arc<str>,
    req: Request<Incoming>,
) -> Result<Response<ResponseBody>, Infallible> {
    let span = tracing::info_span!(
        "request",
        peer = &*peer_text,
        method = req.method().as_str(),
        // Without path parameters: `;jsessionid=` carries a session token.
        path = req.uri().path().split(';').next().unwrap_or_default(),
        channel = tracing::field::Empty,
        client_id = tracing::field::Empty,
        operation = tracing::field::Empty,
        destination = tracing::field::Empty,
        // An incoming W3C trace the request continues (backends/trace.rs).
        trace_id = tracing::field::Empty,
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
        if req.uri().path() == crate::api::PUBLISH_PATH {
            return crate::api::handle(&state, req).await;
        }
        return not_a_channel(&state, peer, &req).await;
    };
    tracing::Span::current().record("channel", channel_id);
    let channel_id = channel_id.to_owned();
    let kind = channel.kind;
    let cors = Cors::for_request(&state.config.cors, req.headers());
    if req.method() == Method::OPTIONS {
        if let Some(r) = cors.preflight(&state.config.cors) {
            return r;
        }
    }
    let mut r = channel_request(state, peer, req, &channel_id, kind).await;
    cors.decorate(&mut r);
    r
}

/// A request to channel `channel_id`.
async fn channel_request(
    state: Arc<State>,
    peer: SocketAddr,
    req: Request<Incoming>,
    channel_id: &str,
    kind: ChannelKind,
) -> Response<ResponseBody> {
    if req.method() != Method::POST {
        let mut r = text(StatusCode::METHOD_NOT_ALLOWED, "AMF channels take POST");
        r.headers_mut()
            .insert(ALLOW, HeaderValue::from_static("POST"));
        return r;
    }
    let session = Session::from_request(req.headers(), req.uri().path(), &state.config.session);
    // Streaming commands (`?command=open|close`) are form posts, not AMF.
    if let Some(command) = streaming::command(req.uri().query()) {
        if kind != ChannelKind::Streaming {
            return text(StatusCode::BAD_REQUEST, "this channel does not stream");
        }
        // Picks the kick-start padding (streaming/kickstart.rs).
        let agent = req.headers().get(hyper::header::USER_AGENT).cloned();
        let agent = agent.as_ref().and_then(|v| v.to_str().ok());
        return match read_body(&state, req).await {
            Ok(body) => {
                let open = streaming::Open {
                    session: &session,
                    user_agent: agent,
                };
                streaming::handle(state, channel_id, open, command, &body).await
            }
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
    let trace = TraceParent::from_headers(req.headers());
    if let Some(t) = &trace {
        // Displayed as the backend span shows it (unquoted).
        tracing::Span::current().record("trace_id", tracing::field::display(&t.trace_id));
    }
    let body = match read_body(&state, req).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let url_suffix = session.url_suffix(&state.config.session);
    let handled = endpoint::handle(
        &state,
        channel_id,
        &session,
        Some(peer),
        body,
        url_suffix,
        trace.as_ref(),
    );
    match handled.await {
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

/// Everything that is not a channel, in precedence order: channels first
/// (a channel configured at /status keeps its path), then the operator
/// pages, then the static files. The one place such routes are chosen.
async fn not_a_channel(
    state: &State,
    peer: SocketAddr,
    req: &Request<Incoming>,
) -> Response<ResponseBody> {
    let (method, path, headers) = (req.method(), req.uri().path(), req.headers());
    if let Some(r) = hosting::crossdomain::handle(&state.config.crossdomain, method, path) {
        return r;
    }
    if let Some(r) = crate::status::handle(state, peer, method, path, headers).await {
        return r;
    }
    let files = &state.config.static_files;
    if let Some(r) = crate::static_files::handle(files, method, path, headers).await {
        return r;
    }
    text(StatusCode::NOT_FOUND, "no channel at this path")
}

/// Reads the whole body within the configured size and time bounds.
async fn read_body(state: &State, req: Request<Incoming>) -> Result<Bytes, Response<ResponseBody>> {
    let limits = &state.config.limits;
    let bounds = body::BodyBounds::from_limits(limits, limits.max_body_bytes);
    body::read_request(req, bounds).await.map_err(|e| match e {
        BodyError::TooLarge(_) => text(StatusCode::PAYLOAD_TOO_LARGE, &e.to_string()),
        BodyError::TooSlow { .. } => {
            tracing::warn!(error = %e, "closed a slow request body");
            let mut r = text(StatusCode::REQUEST_TIMEOUT, &e.to_string());
            // The rest of the body will not be read: the connection must go.
            r.headers_mut()
                .insert(CONNECTION, HeaderValue::from_static("close"));
            r
        }
        BodyError::Broken(_) => {
            tracing::debug!(error = %e, "request body not read");
            text(StatusCode::BAD_REQUEST, "request body could not be read")
        }
    })
}
