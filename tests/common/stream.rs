//! A streaming-channel client: opens a stream and reads BlazeDS-framed
//! pushes from it.

use super::http;
use bytes::{Buf, Bytes, BytesMut};
use flexgate_amf::from_amf3;
use flexgate_messages::{registry, Message};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};

/// Reads BlazeDS-framed chunks (`hex\r\n<AMF3>\r\n`, NULL heartbeats between).
pub(crate) struct StreamReader {
    body: Incoming,
    buf: BytesMut,
    /// NULL heartbeat bytes read so far.
    pub(crate) heartbeats: usize,
}

impl StreamReader {
    /// Reads the body of an opened stream.
    pub(crate) fn new(body: Incoming) -> StreamReader {
        StreamReader {
            body,
            buf: BytesMut::new(),
            heartbeats: 0,
        }
    }

    /// The next message, skipping heartbeats.
    pub(crate) async fn next_message(&mut self) -> Option<Message> {
        let v = self.next_value().await?;
        Some(Message::from_value(&v).expect("a Flex message"))
    }

    /// The next pushed value as sent (small or full form), skipping heartbeats.
    pub(crate) async fn next_value(&mut self) -> Option<flexgate_amf::Value> {
        loop {
            while self.buf.first() == Some(&0) {
                self.buf.advance(1);
                self.heartbeats += 1;
            }
            if let Some(data) = self.take_chunk() {
                return Some(from_amf3(data, registry()).expect("a chunk is one AMF3 value"));
            }
            let frame = self.body.frame().await?.ok()?;
            if let Ok(data) = frame.into_data() {
                self.buf.extend_from_slice(&data);
            }
        }
    }

    fn take_chunk(&mut self) -> Option<Bytes> {
        let line = self.buf.windows(2).position(|w| w == b"\r\n")?;
        let len = usize::from_str_radix(std::str::from_utf8(&self.buf[..line]).ok()?, 16).ok()?;
        if len == 0 || self.buf.len() < line + 2 + len + 2 {
            return None;
        }
        self.buf.advance(line + 2);
        let data = self.buf.split_to(len).freeze();
        assert_eq!(&self.buf[..2], b"\r\n", "chunk trailer");
        self.buf.advance(2);
        Some(data)
    }
}

/// Opens a stream (`?command=open`) for a pinged Flex client, in its session.
pub(crate) async fn open_stream(url: &str, client: &super::FlexClient) -> StreamReader {
    let res = open_request(url, client, None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/x-amf");
    StreamReader {
        body: res.into_body(),
        buf: BytesMut::new(),
        heartbeats: 0,
    }
}

/// Posts `?command=open` for a pinged Flex client, in its session, with
/// this `User-Agent`; returns the response as it comes.
pub(crate) async fn open_request(
    url: &str,
    client: &super::FlexClient,
    user_agent: Option<&str>,
) -> Response<Incoming> {
    let ds_id = client.ds_id.as_deref().expect("pinged");
    let mut req = Request::builder()
        .method(Method::POST)
        .uri(format!("{url}?command=open&version=1"))
        .header("content-type", "application/x-www-form-urlencoded");
    // The stream belongs to the session the client was bound to at its ping.
    if let Some(cookie) = &client.cookie {
        req = req.header("cookie", cookie);
    }
    if let Some(agent) = user_agent {
        req = req.header("user-agent", agent);
    }
    let req = req
        .body(Full::new(Bytes::from(format!("DSId={ds_id}"))))
        .expect("request");
    http().request(req).await.expect("stream request answered")
}

/// Reads `body` until it holds at least `n` bytes (or ends).
pub(crate) async fn read_at_least(body: &mut Incoming, n: usize) -> Vec<u8> {
    let mut out = Vec::new();
    while out.len() < n {
        let Some(Ok(frame)) = body.frame().await else {
            break;
        };
        if let Ok(data) = frame.into_data() {
            out.extend_from_slice(&data);
        }
    }
    out
}
