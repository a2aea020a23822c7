//! One keep-alive HTTP/1 connection per simulated client, the ceiling
//! server, and the request-rate load.

use crate::packets;
use crate::stats::Latencies;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpStream};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// One HTTP/1 connection to the server under test, in one browser session:
/// it keeps the session cookie the gateway binds Flex client ids to.
pub(crate) struct Conn {
    send: SendRequest<Full<Bytes>>,
    host: String,
    cookie: Option<String>,
}

impl Conn {
    /// Connects to the `host:port` of `url`.
    pub(crate) async fn open(url: &str) -> Result<Conn, BoxError> {
        let uri: hyper::Uri = url.parse()?;
        let host = uri.authority().ok_or("URL without host")?.to_string();
        let stream = TcpStream::connect(&host).await?;
        stream.set_nodelay(true)?;
        let (send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(conn);
        Ok(Conn {
            send,
            host,
            cookie: None,
        })
    }

    /// Connects within an existing session (its `name=value` cookie).
    pub(crate) async fn open_in_session(
        url: &str,
        cookie: Option<String>,
    ) -> Result<Conn, BoxError> {
        let mut conn = Conn::open(url).await?;
        conn.cookie = cookie;
        Ok(conn)
    }

    /// The session cookie, once the server has set one.
    pub(crate) fn cookie(&self) -> Option<&str> {
        self.cookie.as_deref()
    }

    /// POSTs an AMF body to `path`; returns the status and whole reply.
    pub(crate) async fn post(
        &mut self,
        path: &str,
        body: Bytes,
    ) -> Result<(StatusCode, Bytes), BoxError> {
        self.send.ready().await?;
        let mut req = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header("host", &self.host)
            .header("content-type", "application/x-amf");
        if let Some(c) = &self.cookie {
            req = req.header("cookie", c);
        }
        let res = self.send.send_request(req.body(Full::new(body))?).await?;
        if let Some(set) = res
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
        {
            self.cookie = set.split(';').next().map(str::to_owned);
        }
        let status = res.status();
        let body = res.into_body().collect().await?.to_bytes();
        Ok((status, body))
    }
}

/// Serves `reply` to every request: what a server that does no AMF work
/// at all would reach on this machine.
pub(crate) async fn fixed_server(addr: SocketAddr) -> Result<(), BoxError> {
    let reply = Bytes::from(packets::ping_reply_bytes()?);
    let listener = TcpListener::bind(addr).await?;
    println!("fixed-body server on http://{}", listener.local_addr()?);
    loop {
        let (stream, _) = listener.accept().await?;
        stream.set_nodelay(true)?;
        let reply = reply.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
                let reply = reply.clone();
                async move {
                    // Read the request body, as the gateway must.
                    let _ = req.into_body().collect().await;
                    Ok::<_, Infallible>(
                        Response::builder()
                            .header("content-type", "application/x-amf")
                            .body(Full::new(reply))
                            .unwrap_or_default(),
                    )
                }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// Sends a CLIENT_PING (a fixed DSId per connection, so no new FlexClient
/// per request) from `conns` connections until `requests` were sent or
/// `limit` passed. A reply that is not an acknowledgement counts as an error.
pub(crate) async fn load(
    url: &str,
    conns: usize,
    requests: usize,
    limit: Duration,
) -> Result<String, BoxError> {
    let uri: hyper::Uri = url.parse()?;
    let path = uri.path().to_owned();
    let sent = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..conns {
        let mut conn = Conn::open(url).await?;
        let body = Bytes::from(packets::ping_packet(&format!(
            "BENCH000-0000-4000-8000-{i:012}"
        ))?);
        let (sent, path) = (sent.clone(), path.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0usize;
            while sent.fetch_add(1, Ordering::Relaxed) < requests && start.elapsed() < limit {
                let t = Instant::now();
                match conn.post(&path, body.clone()).await {
                    Ok((s, reply)) if s == StatusCode::OK && packets::is_ack(&reply) => {
                        lat.push(t.elapsed());
                    }
                    _ => errors += 1,
                }
            }
            (lat, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (lat, e) = t.await?;
        all.extend(lat);
        errors += e;
    }
    let elapsed = start.elapsed();
    let lat = Latencies::new(all);
    Ok(format!(
        "{} requests ok, {errors} errors, {conns} connections, {:.1} s: {:.0} req/s; {}",
        lat.len(),
        elapsed.as_secs_f64(),
        lat.len() as f64 / elapsed.as_secs_f64(),
        lat.summary()
    ))
}
