//! The added latency of a remoting call to an HTTP backend over the same
//! call to a Rust service in the gateway, measured in one run: every
//! connection alternates between the two destinations.

use crate::client::Conn;
use crate::packets::{first_message, packet};
use crate::stats::Latencies;
use bytes::Bytes;
use flexgate_amf::{Date, Object, Traits, Value};
use flexgate_messages::{AbstractMessage, Message, RemotingMessage};
use http_body_util::{BodyExt, Full};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The argument of every call: a typed object as a Flex client sends one.
fn order() -> Value {
    let traits = Traits::sealed(
        "com.example.Order",
        &["id", "customer", "placed", "total", "lines", "note"],
    );
    Value::object(Object::typed(
        traits,
        vec![
            Value::Integer(7),
            Value::from("ACME Ltd."),
            Value::Date(Date {
                millis: 1_236_143_167_000.0,
            }),
            Value::Number(12.5),
            Value::array(vec!["tea".into(), "cake".into(), "scones".into()]),
            Value::from("deliver before noon"),
        ],
    ))
}

fn call_packet(ds_id: &str, destination: &str) -> Result<Bytes, BoxError> {
    let m = Message::Remoting(RemotingMessage {
        base: AbstractMessage {
            destination: Some(destination.into()),
            body: Value::array(vec![order()]),
            ..AbstractMessage::default()
        },
        operation: "echo".into(),
        source: None,
    });
    Ok(Bytes::from(packet(ds_id, m)?))
}

/// Times `calls` echo calls per destination from `conns` connections,
/// alternating `direct` (a Rust service) and `http` (an HTTP backend).
pub(crate) async fn remoting(
    url: &str,
    direct: &str,
    http: &str,
    conns: usize,
    calls: usize,
) -> Result<String, BoxError> {
    let uri: hyper::Uri = url.parse()?;
    let path = uri.path().to_owned();
    let per_conn = calls.div_ceil(conns.max(1));
    let mut tasks = Vec::new();
    for i in 0..conns {
        let mut conn = Conn::open(url).await?;
        // A new id per run: an id is bound to the session that first used it.
        let ds_id = flexgate_messages::uid::new_uid();
        let bodies = [call_packet(&ds_id, direct)?, call_packet(&ds_id, http)?];
        let path = path.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat: [Vec<Duration>; 2] = [Vec::new(), Vec::new()];
            let mut errors = 0usize;
            for n in 0..per_conn * 2 {
                // Alternate, starting with either on every other connection.
                let which = (n + i) % 2;
                let t = Instant::now();
                let answered = conn.post(&path, bodies[which].clone()).await;
                let took = t.elapsed();
                match answered {
                    Ok((StatusCode::OK, reply))
                        if matches!(first_message(reply.clone()), Ok(Message::Acknowledge(_))) =>
                    {
                        lat[which].push(took);
                    }
                    _ => errors += 1,
                }
            }
            (lat, errors)
        }));
    }
    let (mut rust, mut backend, mut errors) = (Vec::new(), Vec::new(), 0);
    for t in tasks {
        let ([r, b], e) = t.await?;
        rust.extend(r);
        backend.extend(b);
        errors += e;
    }
    let (rust, backend) = (Latencies::new(rust), Latencies::new(backend));
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let added = |p: f64| ms(backend.pct(p)) - ms(rust.pct(p));
    Ok(format!(
        "{conns} connections, {errors} errors\n\
         {direct} (Rust service): {} calls, {}\n\
         {http} (HTTP backend): {} calls, {}\n\
         added by the HTTP backend: p50 {:+.2} ms, p99 {:+.2} ms",
        rust.len(),
        rust.summary(),
        backend.len(),
        backend.summary(),
        added(50.0),
        added(99.0),
    ))
}

/// An HTTP remoting backend that answers every call with its first
/// argument (`{"result": args[0]}`): the cost of the HTTP hop itself.
pub(crate) async fn echo_backend(addr: SocketAddr) -> Result<(), BoxError> {
    let listener = TcpListener::bind(addr).await?;
    println!("echo backend on http://{}/rpc", listener.local_addr()?);
    loop {
        let (stream, _) = listener.accept().await?;
        stream.set_nodelay(true)?;
        tokio::spawn(async move {
            let service = hyper::service::service_fn(|req: Request<hyper::body::Incoming>| async {
                let body = req.into_body().collect().await.map(|b| b.to_bytes());
                let call: serde_json::Value = body
                    .ok()
                    .and_then(|b| serde_json::from_slice(&b).ok())
                    .unwrap_or_default();
                let answer = serde_json::json!({ "result": call["args"][0] });
                Ok::<_, Infallible>(
                    Response::builder()
                        .header("content-type", "application/json")
                        .body(Full::new(Bytes::from(answer.to_string())))
                        .unwrap_or_default(),
                )
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
