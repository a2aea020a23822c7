//! The HTTP publish API: `POST /api/publish` with a bearer token turns a
//! JSON message into an AsyncMessage for the Flex consumers
//! (docs/backends.md). Off unless `[api]` has a token.

mod error;
mod publish;

use crate::body::{self, BodyError};
use crate::response::{json, ResponseBody};
use crate::session::constant_time_eq;
use crate::state::State;
use error::ApiError;
use hyper::body::Incoming;
use hyper::header::{HeaderMap, HeaderValue, ALLOW, AUTHORIZATION, WWW_AUTHENTICATE};
use hyper::{Method, Request, Response, StatusCode};

/// The publish route.
pub(crate) const PUBLISH_PATH: &str = "/api/publish";

/// The authentication scheme (RFC 6750).
const BEARER: &str = "Bearer ";

/// Handles a request to [`PUBLISH_PATH`].
pub(crate) async fn handle(state: &State, req: Request<Incoming>) -> Response<ResponseBody> {
    let Some(token) = state.api_token.as_deref() else {
        let off = ApiError::NotFound("the publish API is off ([api] has no token)".into());
        return error_response(&off);
    };
    match publish(state, token, req).await {
        Ok(id) => {
            tracing::info!(message_id = %id, "published through the API");
            json(
                StatusCode::ACCEPTED,
                &serde_json::json!({ "messageId": id }),
            )
        }
        Err(e) => {
            tracing::info!(status = %e.status(), error = %e, "publish API request refused");
            error_response(&e)
        }
    }
}

async fn publish(state: &State, token: &str, req: Request<Incoming>) -> Result<String, ApiError> {
    if req.method() != Method::POST {
        return Err(ApiError::MethodNotAllowed);
    }
    if !authorized(req.headers(), token) {
        return Err(ApiError::Unauthorized);
    }
    let limits = &state.config.limits;
    let bounds = body::BodyBounds::from_limits(limits, limits.max_api_body_bytes);
    let bytes = body::read_request(req, bounds).await.map_err(|e| match e {
        BodyError::TooLarge(_) => ApiError::TooLarge(e.to_string()),
        BodyError::TooSlow { .. } => ApiError::Timeout(e.to_string()),
        BodyError::Broken(_) => ApiError::BadRequest(e.to_string()),
    })?;
    let request = publish::PublishRequest::parse(&bytes)?;
    publish::publish(state, request).await
}

/// Whether the request carries `Authorization: Bearer <token>`.
fn authorized(headers: &HeaderMap, token: &str) -> bool {
    headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix(BEARER))
        .is_some_and(|sent| constant_time_eq(sent.trim(), token))
}

fn error_response(e: &ApiError) -> Response<ResponseBody> {
    let body = serde_json::json!({ "error": e.kind(), "message": e.to_string() });
    let mut r = json(e.status(), &body);
    match e {
        ApiError::Unauthorized => {
            r.headers_mut().insert(
                WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"flexgate\""),
            );
        }
        ApiError::MethodNotAllowed => {
            r.headers_mut()
                .insert(ALLOW, HeaderValue::from_static("POST"));
        }
        // The rest of an unread body would be taken for the next request.
        ApiError::Timeout(_) | ApiError::TooLarge(_) => {
            r.headers_mut()
                .insert(hyper::header::CONNECTION, HeaderValue::from_static("close"));
        }
        _ => {}
    }
    r
}
