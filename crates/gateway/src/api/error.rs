//! The publish API's errors, each an HTTP status with a JSON body
//! `{"error": "<kind>", "message": "…"}`.

use hyper::StatusCode;

/// Why a publish API request was refused.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ApiError {
    /// The request is malformed: not JSON, missing or ill-typed fields,
    /// a value without an AMF form, a bound passed (400).
    #[error("{0}")]
    BadRequest(String),
    /// No or a wrong bearer token (401).
    #[error("a valid `Authorization: Bearer <token>` header is required")]
    Unauthorized,
    /// No such messaging destination (404).
    #[error("{0}")]
    NotFound(String),
    /// Only POST (405).
    #[error("the publish API takes POST")]
    MethodNotAllowed,
    /// The body did not arrive in time (408).
    #[error("{0}")]
    Timeout(String),
    /// The body or the message is too large (413).
    #[error("{0}")]
    TooLarge(String),
    /// The store failed (503).
    #[error("{0}")]
    Unavailable(String),
}

impl ApiError {
    /// The HTTP status.
    pub(crate) fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Timeout(_) => StatusCode::REQUEST_TIMEOUT,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The `error` member: a stable word a caller can branch on.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "bad_request",
            ApiError::Unauthorized => "unauthorized",
            ApiError::NotFound(_) => "not_found",
            ApiError::MethodNotAllowed => "method_not_allowed",
            ApiError::Timeout(_) => "timeout",
            ApiError::TooLarge(_) => "too_large",
            ApiError::Unavailable(_) => "unavailable",
        }
    }
}
