//! One HTTP backend: a call is `POST url` on a pooled keep-alive
//! connection, bounded in flight, in time and in answer size.

use super::request::{backend_fault, read_reply, BackendCall};
use super::trace::{Trace, TRACEPARENT};
use crate::config::{HttpBackendConfig, Limits};
use crate::json_values::FromJsonOptions;
use bytes::Bytes;
use flexgate_amf::Value;
use flexgate_messages::Fault;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::header::{HeaderValue, ACCEPT, CONTENT_TYPE};
use hyper::{Request, StatusCode, Uri};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;
use tracing::Instrument;

/// The media type of requests and answers.
const JSON: &str = "application/json";

/// The pooled client every backend shares.
pub(super) type HttpClient = Client<HttpConnector, Full<Bytes>>;

/// A remoting destination's backend.
pub(crate) struct HttpBackend {
    destination: String,
    url: Uri,
    timeout: Duration,
    in_flight: Arc<Semaphore>,
    max_in_flight: usize,
    max_response_bytes: usize,
    max_depth: usize,
    client: HttpClient,
}

impl HttpBackend {
    /// The backend of `destination`; `Err` when the URL does not parse.
    pub(super) fn new(
        destination: &str,
        config: &HttpBackendConfig,
        limits: &Limits,
        client: HttpClient,
    ) -> Result<Self, String> {
        if let Some(problem) = config.problem() {
            return Err(problem);
        }
        let url = config.url.parse().map_err(|e| format!("{e}"))?;
        Ok(HttpBackend {
            destination: destination.to_owned(),
            url,
            timeout: Duration::from_millis(config.timeout_ms),
            in_flight: Arc::new(Semaphore::new(config.max_in_flight)),
            max_in_flight: config.max_in_flight,
            max_response_bytes: limits.max_backend_response_bytes,
            max_depth: limits.max_depth,
            client,
        })
    }

    /// Makes the call: the result, the backend's fault, or a
    /// `Server.Processing` fault naming the destination when the backend
    /// is busy (`max_in_flight` calls already out), down, slow (past the
    /// timeout, connection and body included), or answers something else
    /// than a result or a fault.
    pub(crate) async fn call(&self, call: &BackendCall<'_>) -> Result<Value, Fault> {
        let Ok(_permit) = self.in_flight.try_acquire() else {
            return Err(backend_fault(
                &self.destination,
                format_args!("is busy: {} calls are in flight", self.max_in_flight),
            ));
        };
        let body = call.body(self.max_depth)?;
        let trace = Trace::new(call.trace);
        let span = tracing::info_span!(
            "backend",
            destination = %self.destination,
            operation = call.operation,
            trace_id = %trace.trace_id,
        );
        async {
            let request = self.request(body, &trace)?;
            let timeout_ms = self.timeout.as_millis();
            let (status, answer) = tokio::time::timeout(self.timeout, self.exchange(request))
                .await
                .map_err(|_| {
                    tracing::warn!(timeout_ms, "backend call timed out");
                    backend_fault(
                        &self.destination,
                        format_args!("did not answer within {timeout_ms} ms"),
                    )
                })??;
            tracing::debug!(%status, bytes = answer.len(), "backend answered");
            let options = FromJsonOptions {
                max_depth: self.max_depth,
            };
            read_reply(&self.destination, status, &answer, options)
        }
        .instrument(span)
        .await
    }

    fn request(&self, body: Vec<u8>, trace: &Trace) -> Result<Request<Full<Bytes>>, Fault> {
        let traceparent = HeaderValue::from_str(&trace.header()).map_err(|e| {
            backend_fault(&self.destination, format_args!("had a bad trace id: {e}"))
        })?;
        Request::post(self.url.clone())
            .header(CONTENT_TYPE, JSON)
            .header(ACCEPT, JSON)
            .header(&TRACEPARENT, traceparent)
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| backend_fault(&self.destination, format_args!("could not be called: {e}")))
    }

    /// Sends the request and reads the whole answer within the size cap.
    async fn exchange(&self, request: Request<Full<Bytes>>) -> Result<(StatusCode, Bytes), Fault> {
        let response = self.client.request(request).await.map_err(|e| {
            let why = error_chain(&e);
            tracing::warn!(error = %why, "backend call failed");
            if e.is_connect() {
                backend_fault(&self.destination, format_args!("cannot be reached ({why})"))
            } else {
                backend_fault(&self.destination, format_args!("failed ({why})"))
            }
        })?;
        let status = response.status();
        let limited = Limited::new(response.into_body(), self.max_response_bytes);
        match limited.collect().await {
            Ok(body) => Ok((status, body.to_bytes())),
            Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => Err(backend_fault(
                &self.destination,
                format_args!(
                    "answered more than {} bytes (limits.max_backend_response_bytes)",
                    self.max_response_bytes
                ),
            )),
            Err(e) => Err(backend_fault(
                &self.destination,
                format_args!("broke off its answer ({e})"),
            )),
        }
    }
}

/// An error and its causes, `a: b: c` (hyper's own message is only
/// "client error (Connect)"; the cause says "Connection refused").
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut next = e.source();
    // Bounded: error chains are short, but a cyclic one must not loop.
    for _ in 0..8 {
        let Some(cause) = next else { break };
        out.push_str(": ");
        out.push_str(&cause.to_string());
        next = cause.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper_util::rt::TokioExecutor;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    fn backend(url: &str, max_in_flight: usize, limits: &Limits) -> HttpBackend {
        backend_with_timeout(url, max_in_flight, limits, 10_000)
    }

    fn backend_with_timeout(
        url: &str,
        max_in_flight: usize,
        limits: &Limits,
        timeout_ms: u64,
    ) -> HttpBackend {
        let config = HttpBackendConfig {
            timeout_ms,
            max_in_flight,
            ..HttpBackendConfig::new(url)
        };
        let client = Client::builder(TokioExecutor::new()).build(HttpConnector::new());
        HttpBackend::new("Orders", &config, limits, client).expect("usable")
    }

    const CALL: BackendCall<'static> = BackendCall {
        destination: "Orders",
        operation: "find",
        args: &[],
        principal: None,
        headers: None,
        message_id: None,
        trace: None,
    };

    /// A server that accepts connections, reads what comes and answers
    /// `answer` (or nothing); each accepted connection is reported.
    async fn server(answer: Option<Vec<u8>>) -> (String, tokio::sync::mpsc::Receiver<()>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
        let url = format!("http://{}/rpc", listener.local_addr().expect("address"));
        let (accepted, rx) = tokio::sync::mpsc::channel(8);
        tokio::spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                let _ = accepted.send(()).await;
                let answer = answer.clone();
                tokio::spawn(async move {
                    let mut buf = [0u8; 4096];
                    let _ = s.read(&mut buf).await;
                    match answer {
                        Some(a) => {
                            let _ = s.write_all(&a).await;
                            // Stays open: a body shorter than declared stalls.
                            let _ = s.read(&mut buf).await;
                        }
                        // Holds the connection open, answering nothing.
                        None => {
                            let _ = s.read(&mut buf).await;
                        }
                    }
                });
            }
        });
        (url, rx)
    }

    #[tokio::test]
    async fn a_call_over_max_in_flight_is_refused_at_once() {
        let (url, mut accepted) = server(None).await;
        let b = Arc::new(backend(&url, 1, &Limits::default()));
        let first = tokio::spawn({
            let b = b.clone();
            async move { b.call(&CALL).await }
        });
        accepted
            .recv()
            .await
            .expect("the first call is at the backend");
        let f = b.call(&CALL).await.expect_err("busy");
        assert_eq!(f.code, flexgate_messages::FaultCode::ServerProcessing);
        assert!(
            f.string.contains("'Orders' is busy: 1 calls"),
            "{}",
            f.string
        );
        first.abort();
    }

    #[tokio::test]
    async fn an_answer_over_the_cap_is_a_fault() {
        let mut answer =
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n"
                .to_vec();
        answer.extend(std::iter::repeat_n(b' ', 5000));
        let (url, _accepted) = server(Some(answer)).await;
        let limits = Limits {
            max_backend_response_bytes: 1000,
            ..Limits::default()
        };
        let f = backend(&url, 4, &limits)
            .call(&CALL)
            .await
            .expect_err("too large");
        assert!(f.string.contains("more than 1000 bytes"), "{}", f.string);
    }

    #[tokio::test]
    async fn a_body_that_stalls_is_cut_at_the_timeout() {
        let head = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"result\"".to_vec();
        let (url, _accepted) = server(Some(head)).await;
        let b = backend_with_timeout(&url, 4, &Limits::default(), 200);
        let call = tokio::time::timeout(Duration::from_secs(10), b.call(&CALL));
        let f = call.await.expect("no hang").expect_err("timed out");
        assert!(
            f.string.contains("did not answer within 200 ms"),
            "{}",
            f.string
        );
    }
}
