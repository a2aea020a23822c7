//! The plain HTTP responses every handler builds: text, AMF, JSON.

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::header::{HeaderValue, CACHE_CONTROL, CONTENT_TYPE};
use hyper::{Response, StatusCode};
use std::convert::Infallible;

/// The AMF media type, in and out.
pub(crate) const AMF_CONTENT_TYPE: &str = "application/x-amf";

/// Every response body: a whole buffer or a stream.
pub(crate) type ResponseBody = BoxBody<Bytes, Infallible>;

/// A plain-text response.
pub(crate) fn text(status: StatusCode, msg: &str) -> Response<ResponseBody> {
    let mut r = Response::new(Full::new(Bytes::from(format!("{msg}\n"))).boxed());
    *r.status_mut() = status;
    r.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

/// An AMF response.
pub(crate) fn amf(body: Vec<u8>) -> Response<ResponseBody> {
    let mut r = Response::new(Full::new(Bytes::from(body)).boxed());
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(AMF_CONTENT_TYPE));
    r.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    r
}

/// A JSON response.
pub(crate) fn json(status: StatusCode, value: &serde_json::Value) -> Response<ResponseBody> {
    let mut r = Response::new(Full::new(Bytes::from(value.to_string())).boxed());
    *r.status_mut() = status;
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}
