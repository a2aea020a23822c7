//! The request-body deadlines over raw TCP: a stalled body (`body_timeout_secs`)
//! and a trickling one (`min_body_bytes_per_sec`) are answered 408 and
//! closed, freeing their connection slot. (The request-head deadline and the
//! other limits: tests/limits.rs.)

mod common;

use common::raw::status_line;
use common::*;
use flexgate_gateway::config::Config;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Sends a request head declaring a 100-byte AMF body and `sent` of it.
async fn start_body(addr: std::net::SocketAddr, sent: &[u8]) -> TcpStream {
    let mut s = TcpStream::connect(addr).await.expect("connects");
    let head = format!(
        "POST {AMF} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amf\r\nContent-Length: 100\r\n\r\n"
    );
    s.write_all(head.as_bytes()).await.expect("head");
    s.write_all(sent).await.expect("part of the body");
    s
}

/// Reads until the server closes; the outer timeout only stops a hang.
async fn until_closed(
    s: &mut (impl tokio::io::AsyncRead + Unpin),
    hang: std::time::Duration,
) -> String {
    let mut seen = Vec::new();
    let closed = tokio::time::timeout(hang, s.read_to_end(&mut seen)).await;
    assert!(
        matches!(closed, Ok(Ok(_))),
        "the connection was not closed: {closed:?}"
    );
    String::from_utf8_lossy(&seen).into_owned()
}

#[tokio::test]
async fn a_stalled_body_is_answered_408_and_its_slot_freed() {
    let mut config = Config::default();
    config.limits.max_connections = 1;
    config.limits.body_timeout_secs = 1;
    config.limits.min_body_bytes_per_sec = 0;
    let server = TestServer::start(config).await;
    let addr = server.running.local_addr();
    let started = std::time::Instant::now();
    let mut stalled = start_body(addr, &[0; 10]).await;
    let reply = until_closed(&mut stalled, std::time::Duration::from_secs(30)).await;
    eprintln!("stalled body closed after {:?}", started.elapsed());
    assert!(reply.starts_with("HTTP/1.1 408"), "{reply}");
    assert!(reply.contains("too slow"), "{reply}");
    // The only connection slot is free again.
    let freed = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        while status_line(addr).await.contains("503") {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    })
    .await;
    assert!(freed.is_ok(), "the slot was never freed");
    server.running.shutdown().await;
}

#[tokio::test]
async fn a_trickling_body_is_closed_by_the_minimum_rate_long_before_its_deadline() {
    let mut config = Config::default();
    config.limits.body_timeout_secs = 3600;
    config.limits.min_body_bytes_per_sec = 1000;
    let server = TestServer::start(config).await;
    let started = std::time::Instant::now();
    let (mut reader, mut trickle) = start_body(server.running.local_addr(), b"\x00")
        .await
        .into_split();
    let feeder = async {
        // One byte every 200 ms: 5 B/s, far under the minimum.
        for _ in 0..99 {
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            if trickle.write_all(b"\x00").await.is_err() {
                break;
            }
        }
    };
    let (reply, ()) = tokio::join!(
        until_closed(&mut reader, std::time::Duration::from_secs(60)),
        feeder
    );
    eprintln!("trickling body closed after {:?}", started.elapsed());
    assert!(reply.starts_with("HTTP/1.1 408"), "{reply}");
    server.running.shutdown().await;
}
