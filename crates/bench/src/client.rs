//! One keep-alive HTTP/1 connection per simulated client, the ceiling
//! server, and the request-rate load.

use crate::packets;
use crate::procfs::CpuTime;
use crate::stats::Latencies;
use bytes::Bytes;
use flexgate_messages::uid;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpSocket, TcpStream};

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
        Conn::open_from(url, None).await
    }

    /// Connects to the `host:port` of `url` from `source` (port chosen by
    /// the kernel): one source address has about 28,000 ephemeral ports
    /// (`ip_local_port_range`), so more connections than that to one
    /// server need several (127.0.0.x are all local).
    pub(crate) async fn open_from(url: &str, source: Option<IpAddr>) -> Result<Conn, BoxError> {
        let uri: hyper::Uri = url.parse()?;
        let host = uri.authority().ok_or("URL without host")?.to_string();
        let stream = match source {
            None => TcpStream::connect(&host).await?,
            Some(ip) => {
                let addr: SocketAddr = host.parse()?;
                let socket = if ip.is_ipv4() {
                    TcpSocket::new_v4()?
                } else {
                    TcpSocket::new_v6()?
                };
                socket.bind(SocketAddr::new(ip, 0)).map_err(|e| {
                    // bind() picks the port without the destination: ports
                    // in TIME_WAIT (60 s after a previous run) count too.
                    format!(
                        "binding {ip}:0: {e} (out of ephemeral ports on {ip}? \
                         closed connections hold theirs for 60 s; use more --sources)"
                    )
                })?;
                socket.connect(addr).await?
            }
        };
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

    /// Sends the following requests in the session of `cookie` instead.
    pub(crate) fn enter_session(&mut self, cookie: Option<String>) {
        self.cookie = cookie;
    }

    /// The session cookie, once the server has set one.
    pub(crate) fn cookie(&self) -> Option<&str> {
        self.cookie.as_deref()
    }

    /// POSTs a form body to `path` and returns the response as it starts:
    /// the body of a streaming response is read as it arrives.
    pub(crate) async fn post_form_streamed(
        &mut self,
        path: &str,
        form: String,
    ) -> Result<(StatusCode, hyper::body::Incoming), BoxError> {
        self.send.ready().await?;
        let mut req = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header("host", &self.host)
            .header("content-type", "application/x-www-form-urlencoded");
        if let Some(c) = &self.cookie {
            req = req.header("cookie", c);
        }
        let res = self
            .send
            .send_request(req.body(Full::new(Bytes::from(form)))?)
            .await?;
        Ok((res.status(), res.into_body()))
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

/// Serves `reply` to every request (the ping reply when `None`): what a
/// server that does no AMF work at all would reach on this machine.
pub(crate) async fn fixed_server(addr: SocketAddr, reply: Option<Vec<u8>>) -> Result<(), BoxError> {
    let reply = Bytes::from(match reply {
        Some(r) => r,
        None => packets::ping_reply_bytes()?,
    });
    let listener = TcpListener::bind(addr).await?;
    println!(
        "fixed-body server on http://{} ({} bytes a reply)",
        listener.local_addr()?,
        reply.len()
    );
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

/// What one `load` run sends.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LoadSpec {
    /// Keep-alive connections, one Flex client each.
    pub(crate) conns: usize,
    /// Requests in all.
    pub(crate) requests: usize,
    /// Time limit.
    pub(crate) limit: Duration,
    /// The request every connection repeats.
    pub(crate) call: packets::Call,
    /// The server process, whose CPU time is read before and after.
    pub(crate) pid: Option<u32>,
}

/// What one `load` run measured.
pub(crate) struct LoadReport {
    /// Requests answered with an acknowledgement.
    pub(crate) ok: usize,
    /// Requests per second (acknowledged ones).
    pub(crate) rate: f64,
    /// The report line.
    pub(crate) line: String,
}

/// Sends `spec.call` (a fresh DSId per connection, pinged once first and
/// not counted, so no new FlexClient per request and no fresh server per
/// run) from `spec.conns` connections until `spec.requests` were sent or
/// `spec.limit` passed. A reply that is not an acknowledgement counts as
/// an error.
pub(crate) async fn load(url: &str, spec: LoadSpec) -> Result<LoadReport, BoxError> {
    let uri: hyper::Uri = url.parse()?;
    let path = uri.path().to_owned();
    let mut conns = Vec::with_capacity(spec.conns);
    for _ in 0..spec.conns {
        let mut conn = Conn::open(url).await?;
        let ds_id = uid::new_uid();
        let (status, reply) = conn
            .post(&path, Bytes::from(packets::ping_packet(&ds_id)?))
            .await?;
        if status != StatusCode::OK || !packets::is_ack(&reply) {
            return Err(format!("the first ping of {ds_id} was refused ({status})").into());
        }
        conns.push((conn, Bytes::from(spec.call.packet(&ds_id)?)));
    }
    let sent = Arc::new(AtomicUsize::new(0));
    let cpu_before = spec.pid.map(CpuTime::of).transpose()?;
    let start = Instant::now();
    let (requests, limit) = (spec.requests, spec.limit);
    let mut tasks = Vec::new();
    for (mut conn, body) in conns {
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
    let cpu = match (spec.pid, cpu_before) {
        (Some(pid), Some(before)) => {
            format!(
                "; {}",
                before.per_request(CpuTime::of(pid)?, all.len() + errors)
            )
        }
        _ => String::new(),
    };
    let lat = Latencies::new(all);
    let rate = lat.len() as f64 / elapsed.as_secs_f64();
    Ok(LoadReport {
        ok: lat.len(),
        rate,
        line: format!(
            "{:?}: {} requests ok, {errors} errors, {} connections, {:.1} s: {rate:.0} req/s; {}{cpu}",
            spec.call,
            lat.len(),
            spec.conns,
            elapsed.as_secs_f64(),
            lat.summary()
        ),
    })
}
