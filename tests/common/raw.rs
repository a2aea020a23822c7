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

/// A whole HTTP/1.1 reply read off a raw connection.
#[derive(Debug)]
pub(crate) struct RawReply {
    /// The status code.
    pub(crate) status: u16,
    /// Header lines as `(lower-case name, value)`.
    pub(crate) headers: Vec<(String, String)>,
    /// Everything after the blank line.
    pub(crate) body: Vec<u8>,
}

impl RawReply {
    /// The first header called `name` (lower case).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Sends `method target` with `headers` exactly as given (no client
/// library normalising the target) and reads the reply to the close.
pub(crate) async fn request(
    addr: std::net::SocketAddr,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
) -> RawReply {
    let mut s = TcpStream::connect(addr).await.expect("connects");
    let mut req = format!("{method} {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).await.expect("request sent");
    let mut out = Vec::new();
    let read = tokio::time::timeout(std::time::Duration::from_secs(10), s.read_to_end(&mut out));
    read.await.expect("reply within 10 s").expect("reply read");
    let split = out
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a header block");
    let head = String::from_utf8_lossy(&out[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    RawReply {
        status,
        headers,
        body: out[split + 4..].to_vec(),
    }
}
