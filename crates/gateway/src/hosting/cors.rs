//! CORS for the channel paths: a page from a configured origin may POST
//! AMF with credentials (cookies). Only configured origins get CORS
//! headers, the request's `Origin` echoed exactly (never `*`, which
//! browsers refuse with credentials); every channel response varies by
//! `Origin` once any origin is configured. `application/x-amf` is not a
//! "simple" content type, so browsers send a preflight `OPTIONS` first.

use crate::config::CorsConfig;
use crate::response::{text, ResponseBody};
use http_body_util::{BodyExt, Empty};
use hyper::header::{
    HeaderMap, HeaderValue, ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS,
    ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_MAX_AGE, ORIGIN,
    VARY,
};
use hyper::{Response, StatusCode};

/// What CORS allows one request to a channel.
#[derive(Debug)]
pub(crate) enum Cors {
    /// No origins configured: no CORS headers.
    Off,
    /// Configured, and the request's origin is absent or not allowed.
    Denied,
    /// The request comes from this allowed origin.
    Allowed(HeaderValue),
}

impl Cors {
    /// Decides for a request with `headers`.
    pub(crate) fn for_request(config: &CorsConfig, headers: &HeaderMap) -> Cors {
        if config.origins.is_empty() {
            return Cors::Off;
        }
        match headers.get(ORIGIN) {
            Some(origin)
                if origin
                    .to_str()
                    .is_ok_and(|o| config.origins.iter().any(|allowed| allowed == o)) =>
            {
                Cors::Allowed(origin.clone())
            }
            _ => Cors::Denied,
        }
    }

    /// The answer to a preflight `OPTIONS`, or `None` when CORS is off (the
    /// channel then refuses the method as before).
    pub(crate) fn preflight(&self, config: &CorsConfig) -> Option<Response<ResponseBody>> {
        let mut r = match self {
            Cors::Off => return None,
            Cors::Denied => text(StatusCode::FORBIDDEN, "origin not allowed"),
            Cors::Allowed(_) => {
                let mut r = Response::new(Empty::new().boxed());
                *r.status_mut() = StatusCode::NO_CONTENT;
                let h = r.headers_mut();
                h.insert(
                    ACCESS_CONTROL_ALLOW_METHODS,
                    HeaderValue::from_static("POST"),
                );
                // Content-Type is what makes an AMF POST need a preflight.
                h.insert(
                    ACCESS_CONTROL_ALLOW_HEADERS,
                    HeaderValue::from_static("content-type"),
                );
                h.insert(
                    ACCESS_CONTROL_MAX_AGE,
                    HeaderValue::from(config.max_age_secs),
                );
                r
            }
        };
        self.decorate(&mut r);
        Some(r)
    }

    /// Adds this request's CORS headers to a channel response.
    pub(crate) fn decorate(&self, r: &mut Response<ResponseBody>) {
        let h = r.headers_mut();
        match self {
            Cors::Off => {}
            Cors::Denied => {
                h.append(VARY, HeaderValue::from_static("Origin"));
            }
            Cors::Allowed(origin) => {
                h.append(VARY, HeaderValue::from_static("Origin"));
                h.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
                h.insert(
                    ACCESS_CONTROL_ALLOW_CREDENTIALS,
                    HeaderValue::from_static("true"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> CorsConfig {
        CorsConfig {
            origins: vec!["http://app.example.com".into()],
            ..CorsConfig::default()
        }
    }

    fn with_origin(o: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(ORIGIN, HeaderValue::from_str(o).expect("header"));
        h
    }

    #[test]
    fn only_the_exact_origin_is_allowed() {
        let c = config();
        assert!(matches!(
            Cors::for_request(&c, &with_origin("http://app.example.com")),
            Cors::Allowed(_)
        ));
        for other in [
            "http://app.example.com:81",
            "https://app.example.com",
            "http://evil.example.com",
            "null",
        ] {
            assert!(
                matches!(Cors::for_request(&c, &with_origin(other)), Cors::Denied),
                "{other}"
            );
        }
        assert!(matches!(
            Cors::for_request(&CorsConfig::default(), &with_origin("http://x")),
            Cors::Off
        ));
    }
}
