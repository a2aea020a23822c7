//! The operator pages: `/status` (a self-contained HTML page that polls
//! `/status.json`), `/status.json` and `/metrics` (Prometheus).
//!
//! Access is set by `[status]` in the config (see
//! [`StatusConfig`]): off, loopback peers only
//! (the default), an HTTP Basic login of a user with a given role, or
//! anyone.

mod prometheus;
mod snapshot;

pub use crate::metrics::{RateSample, HISTORY_SECONDS};
pub use snapshot::{Snapshot, MAX_CLIENTS_LISTED, RATE_WINDOW_SECONDS};

use crate::auth::{decode_credentials, Logins};
use crate::config::StatusConfig;
use crate::response::{text, ResponseBody};
use crate::state::State;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::{
    HeaderMap, HeaderValue, ALLOW, AUTHORIZATION, CACHE_CONTROL, CONTENT_SECURITY_POLICY,
    CONTENT_TYPE, WWW_AUTHENTICATE, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use hyper::{Method, Response, StatusCode};
use std::net::SocketAddr;

/// The page: HTML, CSS and JavaScript in one file, nothing fetched but
/// `/status.json`.
const PAGE: &str = include_str!("page.html");

/// The page may run its own inline script and style and fetch from its
/// origin; nothing else (data reaches the DOM as text, never as markup).
const PAGE_CSP: &str = "default-src 'none'; script-src 'unsafe-inline'; \
    style-src 'unsafe-inline'; connect-src 'self'; img-src data:; \
    frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// The realm browsers show in their login prompt.
const REALM: &str = "Basic realm=\"flexgate status\", charset=\"UTF-8\"";

/// One of the operator pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Page {
    /// `/status`: the HTML page.
    Html,
    /// `/status.json`: the data behind it.
    Json,
    /// `/metrics`: Prometheus text format.
    Metrics,
}

impl Page {
    /// The page served at `path`, if any.
    pub(crate) fn for_path(path: &str) -> Option<Page> {
        match path {
            // Not `/status/`: the page fetches `status.json` relative to
            // itself, so that it also works behind a path prefix.
            "/status" => Some(Page::Html),
            "/status.json" => Some(Page::Json),
            "/metrics" => Some(Page::Metrics),
            _ => None,
        }
    }
}

/// Whether a request may read the pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    Granted,
    /// No or wrong credentials: ask for a login.
    LoginRequired,
    /// Logged in without the role.
    MissingRole,
    /// Not a loopback peer, and no login configured.
    LoopbackOnly,
}

async fn access(
    config: &StatusConfig,
    logins: &Logins,
    peer: SocketAddr,
    headers: &HeaderMap,
) -> Access {
    if config.public {
        return Access::Granted;
    }
    let Some(role) = &config.role else {
        return if peer.ip().to_canonical().is_loopback() {
            Access::Granted
        } else {
            Access::LoopbackOnly
        };
    };
    let Some((user, password)) = basic_credentials(headers) else {
        return Access::LoginRequired;
    };
    // Throttled like every other login: a refusal asks for a login again.
    match logins
        .login(&user, &password, Some(peer.ip().to_canonical()))
        .await
    {
        Err(_) => Access::LoginRequired,
        Ok(p) if p.roles.iter().any(|r| r == role) => Access::Granted,
        Ok(_) => Access::MissingRole,
    }
}

/// `Authorization: Basic base64(user:password)` (RFC 7617; UTF-8, as the
/// challenge announces).
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    decode_credentials(token.trim(), true).ok()
}

/// Serves an operator page, or `None` when `path` is not one or the pages
/// are turned off (the caller answers 404 as for any unknown path).
pub(crate) async fn handle(
    state: &State,
    peer: SocketAddr,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
) -> Option<Response<ResponseBody>> {
    let config = &state.config.status;
    if !config.enabled {
        return None;
    }
    let page = Page::for_path(path)?;
    if method != Method::GET && method != Method::HEAD {
        let mut r = text(StatusCode::METHOD_NOT_ALLOWED, "status pages take GET");
        r.headers_mut()
            .insert(ALLOW, HeaderValue::from_static("GET, HEAD"));
        return Some(r);
    }
    match access(config, &state.logins, peer, headers).await {
        Access::Granted => {}
        Access::LoginRequired => {
            let mut r = text(StatusCode::UNAUTHORIZED, "login required");
            r.headers_mut()
                .insert(WWW_AUTHENTICATE, HeaderValue::from_static(REALM));
            return Some(r);
        }
        Access::MissingRole => {
            return Some(text(
                StatusCode::FORBIDDEN,
                "this user may not read the status pages",
            ))
        }
        Access::LoopbackOnly => {
            return Some(text(
                StatusCode::FORBIDDEN,
                "status pages are served to loopback clients only; set [status] role or public",
            ))
        }
    }
    Some(match page {
        Page::Html => {
            let mut r = body(PAGE.into(), "text/html; charset=utf-8");
            let h = r.headers_mut();
            h.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(PAGE_CSP));
            h.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
            r
        }
        Page::Json => {
            let snapshot = Snapshot::take(state).await;
            match serde_json::to_vec(&snapshot) {
                Ok(json) => body(json.into(), "application/json"),
                Err(e) => {
                    // Only non-string map keys or a failing Serialize impl can
                    // get here; neither exists in Snapshot.
                    tracing::error!(error = %e, "status: snapshot not serialized");
                    text(StatusCode::INTERNAL_SERVER_ERROR, "status not available")
                }
            }
        }
        Page::Metrics => {
            let snapshot = Snapshot::take(state).await;
            body(
                prometheus::render(&snapshot).into(),
                prometheus::CONTENT_TYPE,
            )
        }
    })
}

fn body(bytes: Bytes, content_type: &'static str) -> Response<ResponseBody> {
    let mut r = Response::new(Full::new(bytes).boxed());
    let h = r.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    // Live data: never serve it from a cache.
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::ConfigUsers;
    use crate::config::UserConfig;
    use std::collections::BTreeMap;

    fn users() -> Logins {
        let user = UserConfig::with_password;
        let users = ConfigUsers::new(BTreeMap::from([
            ("ops".to_owned(), user("pw", &["operator"])),
            ("dev".to_owned(), user("pw", &["developer"])),
        ]));
        Logins::new(std::sync::Arc::new(users), Default::default())
    }

    fn basic(user_password: &str) -> HeaderMap {
        // Test vectors: base64 of the given "user:password".
        let token = match user_password {
            "ops:pw" => "b3BzOnB3",
            "ops:no" => "b3BzOm5v",
            "dev:pw" => "ZGV2OnB3",
            other => panic!("no vector for {other}"),
        };
        let mut h = HeaderMap::new();
        h.insert(
            AUTHORIZATION,
            HeaderValue::from_str(&format!("Basic {token}")).expect("header"),
        );
        h
    }

    const LOCAL: &str = "127.0.0.1:5000";
    const LOCAL6_MAPPED: &str = "[::ffff:127.0.0.1]:5000";
    const REMOTE: &str = "192.0.2.7:5000";

    fn check(config: &StatusConfig, peer: &str, headers: &HeaderMap) -> Access {
        let peer = peer.parse().expect("address");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        runtime.block_on(access(config, &users(), peer, headers))
    }

    #[test]
    fn default_serves_loopback_only() {
        let c = StatusConfig::default();
        let none = HeaderMap::new();
        assert_eq!(check(&c, LOCAL, &none), Access::Granted);
        assert_eq!(check(&c, LOCAL6_MAPPED, &none), Access::Granted);
        assert_eq!(check(&c, "[::1]:1", &none), Access::Granted);
        assert_eq!(check(&c, REMOTE, &none), Access::LoopbackOnly);
    }

    #[test]
    fn a_role_requires_a_login_with_it_from_anywhere() {
        let c = StatusConfig {
            role: Some("operator".into()),
            ..StatusConfig::default()
        };
        assert_eq!(check(&c, LOCAL, &HeaderMap::new()), Access::LoginRequired);
        assert_eq!(check(&c, REMOTE, &basic("ops:pw")), Access::Granted);
        assert_eq!(check(&c, REMOTE, &basic("ops:no")), Access::LoginRequired);
        assert_eq!(check(&c, LOCAL, &basic("dev:pw")), Access::MissingRole);
        let mut bearer = HeaderMap::new();
        bearer.insert(AUTHORIZATION, HeaderValue::from_static("Bearer b3BzOnB3"));
        assert_eq!(check(&c, REMOTE, &bearer), Access::LoginRequired);
    }

    #[test]
    fn public_serves_anyone() {
        let c = StatusConfig {
            public: true,
            ..StatusConfig::default()
        };
        assert_eq!(check(&c, REMOTE, &HeaderMap::new()), Access::Granted);
    }

    #[test]
    fn paths() {
        assert_eq!(Page::for_path("/status"), Some(Page::Html));
        assert_eq!(Page::for_path("/status.json"), Some(Page::Json));
        assert_eq!(Page::for_path("/metrics"), Some(Page::Metrics));
        assert_eq!(Page::for_path("/statusx"), None);
        assert_eq!(Page::for_path("/status/"), None);
    }
}
