//! HTTP remoting backends: a remoting destination configured with
//! `http = { url = … }` forwards each call as `POST url` with a JSON body
//! and maps the JSON answer back (docs/backends.md).
//!
//! * [`request`]: the JSON a backend is sent, and how its answer is read.
//! * [`http`]: one backend: the pooled client, the in-flight bound, the
//!   timeout, the response size cap.
//! * [`trace`]: the `traceparent` sent: the request's trace continued, or a
//!   new one.

#[cfg(test)]
mod doc_examples;
mod http;
mod request;
mod trace;

pub(crate) use http::HttpBackend;
pub(crate) use request::BackendCall;
pub(crate) use trace::TraceParent;

use crate::config::Config;
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;
use std::collections::HashMap;
use std::time::Duration;

/// An idle pooled connection to a backend is closed after this long
/// (backends commonly close theirs after 5 to 60 s; a request on a
/// connection the backend has just closed fails).
const POOL_IDLE: Duration = Duration::from_secs(4);

/// The HTTP backends of the configured remoting destinations, by
/// destination id. They share one keep-alive connection pool.
#[derive(Default)]
pub(crate) struct HttpBackends {
    by_destination: HashMap<String, HttpBackend>,
}

impl HttpBackends {
    /// A backend for each remoting destination with `http` settings
    /// (validated with the config: an unusable URL was refused there).
    pub(crate) fn from_config(config: &Config) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(POOL_IDLE)
            .build(connector);
        let mut by_destination = HashMap::new();
        for (id, d) in &config.destinations {
            let Some(http) = &d.http else { continue };
            match HttpBackend::new(id, http, &config.limits, client.clone()) {
                Ok(b) => {
                    by_destination.insert(id.clone(), b);
                }
                // Config::validate refuses these; a hand-built Config may not have been.
                Err(why) => tracing::error!(destination = %id, %why, "HTTP backend not usable"),
            }
        }
        HttpBackends { by_destination }
    }

    /// The backend of destination `id`, if it has one.
    pub(crate) fn get(&self, id: &str) -> Option<&HttpBackend> {
        self.by_destination.get(id)
    }
}
