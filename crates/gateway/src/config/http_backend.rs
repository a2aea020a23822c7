//! `http = { url = "…", timeout_ms = 5000, max_in_flight = 256 }` on a
//! remoting destination: its calls go to an HTTP backend as JSON
//! (docs/backends.md) instead of a registered Rust service.

use serde::Deserialize;

/// Where and how a remoting destination's calls are forwarded.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpBackendConfig {
    /// `http://host:port/path`: every call is a `POST` there.
    pub url: String,
    /// The whole call (connect, response, body) must finish within this
    /// many ms, else the client gets a `Server.Processing` fault.
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    /// Calls in flight at once to this destination; one more is faulted
    /// at once (`Server.Processing`) rather than queued.
    #[serde(default = "default_max_in_flight")]
    pub max_in_flight: usize,
}

fn default_timeout_ms() -> u64 {
    5_000
}

fn default_max_in_flight() -> usize {
    256
}

impl HttpBackendConfig {
    /// A backend at `url` with the default timeout and in-flight bound.
    pub fn new(url: &str) -> Self {
        HttpBackendConfig {
            url: url.to_owned(),
            timeout_ms: default_timeout_ms(),
            max_in_flight: default_max_in_flight(),
        }
    }

    /// Why this cannot be used, if it cannot: the URL must be an absolute
    /// `http://` URL (no TLS client is built in), the bounds above zero.
    pub fn problem(&self) -> Option<String> {
        let uri = match self.url.parse::<hyper::Uri>() {
            Ok(u) => u,
            Err(e) => return Some(format!("http.url '{}' is not a URL: {e}", self.url)),
        };
        if uri.scheme_str() != Some("http") {
            return Some(format!("http.url '{}' must start with http://", self.url));
        }
        if uri.host().is_none_or(str::is_empty) {
            return Some(format!("http.url '{}' has no host", self.url));
        }
        if self.timeout_ms == 0 {
            return Some("http.timeout_ms must be above 0".into());
        }
        if self.max_in_flight == 0 {
            return Some("http.max_in_flight must be above 0".into());
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(url: &str, timeout_ms: u64, max_in_flight: usize) -> Option<String> {
        HttpBackendConfig {
            url: url.into(),
            timeout_ms,
            max_in_flight,
        }
        .problem()
    }

    #[test]
    fn only_usable_settings_pass() {
        assert_eq!(problem("http://127.0.0.1:9000/rpc", 1, 1), None);
        assert!(problem("https://example.com/rpc", 1, 1).is_some_and(|p| p.contains("http://")));
        assert!(problem("/rpc", 1, 1).is_some());
        assert!(problem("not a url", 1, 1).is_some());
        assert!(problem("http://h/rpc", 0, 1).is_some_and(|p| p.contains("timeout_ms")));
        assert!(problem("http://h/rpc", 1, 0).is_some_and(|p| p.contains("max_in_flight")));
    }
}
