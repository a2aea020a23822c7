//! Reading a streaming-channel response: BlazeDS's chunk framing
//! (`<hex length>\r\n<one AMF3 value>\r\n`, a NUL byte between chunks as a
//! heartbeat).

use bytes::{Buf, Bytes, BytesMut};
use flexgate_amf::from_amf3;
use flexgate_messages::{registry, Message};
use http_body_util::BodyExt;
use hyper::body::Incoming;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The largest chunk the reader buffers (the bench's messages are tiny;
/// a longer length line means a framing error).
const MAX_CHUNK: usize = 1 << 20;

/// Reads the messages of an opened stream.
pub(crate) struct StreamReader {
    body: Incoming,
    buf: BytesMut,
}

impl StreamReader {
    /// Reads the body of an opened stream.
    pub(crate) fn new(body: Incoming) -> StreamReader {
        StreamReader {
            body,
            buf: BytesMut::new(),
        }
    }

    /// The messages of every whole chunk that has arrived, waiting for at
    /// least one; heartbeats are skipped.
    pub(crate) async fn next_messages(&mut self) -> Result<Vec<Message>, BoxError> {
        loop {
            let mut out = Vec::new();
            while let Some(data) = self.take_chunk()? {
                out.push(Message::from_value(&from_amf3(data, registry())?)?);
            }
            if !out.is_empty() {
                return Ok(out);
            }
            let frame = self.body.frame().await.ok_or("the stream ended")??;
            if let Ok(data) = frame.into_data() {
                self.buf.extend_from_slice(&data);
            }
        }
    }

    fn take_chunk(&mut self) -> Result<Option<Bytes>, BoxError> {
        while self.buf.first() == Some(&0) {
            self.buf.advance(1);
        }
        let Some(line) = self.buf.windows(2).position(|w| w == b"\r\n") else {
            if self.buf.len() > 16 {
                return Err("a chunk length line without its end".into());
            }
            return Ok(None);
        };
        let len = usize::from_str_radix(std::str::from_utf8(&self.buf[..line])?, 16)?;
        if len == 0 || len > MAX_CHUNK {
            return Err(format!("a chunk of {len} bytes").into());
        }
        if self.buf.len() < line + 2 + len + 2 {
            return Ok(None);
        }
        self.buf.advance(line + 2);
        let data = self.buf.split_to(len).freeze();
        self.buf.advance(2);
        Ok(Some(data))
    }
}
