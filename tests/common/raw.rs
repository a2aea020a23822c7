//! Raw TCP exchanges, for what an HTTP client library would hide (connection
//! slots, half-sent requests).

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Sends a bare GET and returns the status line.
pub(crate) async fn status_line(addr: std::net::SocketAddr) -> String {
    let mut s = TcpStream::connect(addr).await.expect("connects");
    let _ = s
        .write_all(b"GET /messagebroker/amf HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await;
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out).await;
    String::from_utf8_lossy(&out)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}
