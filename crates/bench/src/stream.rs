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
    buf: Chunks,
}

impl StreamReader {
    /// Reads the body of an opened stream.
    pub(crate) fn new(body: Incoming) -> StreamReader {
        StreamReader {
            body,
            buf: Chunks::default(),
        }
    }

    /// The messages of every whole chunk that has arrived, waiting for at
    /// least one; heartbeats are skipped.
    pub(crate) async fn next_messages(&mut self) -> Result<Vec<Message>, BoxError> {
        loop {
            let mut out = Vec::new();
            while let Some(data) = self.buf.take_chunk()? {
                out.push(Message::from_value(&from_amf3(data, registry())?)?);
            }
            if !out.is_empty() {
                return Ok(out);
            }
            let frame = self.body.frame().await.ok_or("the stream ended")??;
            if let Ok(data) = frame.into_data() {
                self.buf.0.extend_from_slice(&data);
            }
        }
    }
}

/// The bytes of a stream read so far, not yet taken as chunks.
#[derive(Default)]
struct Chunks(BytesMut);

impl Chunks {
    /// The next whole chunk's data, heartbeats before it skipped; `None`
    /// until it has arrived whole.
    fn take_chunk(&mut self) -> Result<Option<Bytes>, BoxError> {
        let buf = &mut self.0;
        while buf.first() == Some(&0) {
            buf.advance(1);
        }
        let Some(line) = buf.windows(2).position(|w| w == b"\r\n") else {
            if buf.len() > 16 {
                return Err("a chunk length line without its end".into());
            }
            return Ok(None);
        };
        let len = usize::from_str_radix(std::str::from_utf8(&buf[..line])?, 16)?;
        if len == 0 || len > MAX_CHUNK {
            return Err(format!("a chunk of {len} bytes").into());
        }
        if buf.len() < line + 2 + len + 2 {
            return Ok(None);
        }
        buf.advance(line + 2);
        let data = buf.split_to(len).freeze();
        buf.advance(2);
        Ok(Some(data))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_between_heartbeats_and_split_reads() {
        let mut c = Chunks::default();
        c.0.extend_from_slice(b"\x00\x003\r\nabc\r\n\x001");
        assert_eq!(c.take_chunk().unwrap().as_deref(), Some(&b"abc"[..]));
        // "1" of "1a": the length line is not whole yet.
        assert_eq!(c.take_chunk().unwrap(), None);
        c.0.extend_from_slice(b"a\r\n");
        c.0.extend_from_slice(&[7; 26]);
        assert_eq!(c.take_chunk().unwrap(), None, "the closing CRLF is missing");
        c.0.extend_from_slice(b"\r\n");
        assert_eq!(c.take_chunk().unwrap().as_deref(), Some(&[7u8; 26][..]));
        assert_eq!(c.take_chunk().unwrap(), None);
    }

    #[test]
    fn bad_framing_is_an_error() {
        let mut c = Chunks::default();
        c.0.extend_from_slice(b"zz\r\n");
        assert!(c.take_chunk().is_err());
        let mut c = Chunks::default();
        c.0.extend_from_slice(&[b'1'; 17]);
        assert!(c.take_chunk().is_err(), "a length line without its end");
    }
}
