//! A bounds-checked big-endian cursor over the input buffer.

use crate::error::{DecodeError, DecodeErrorKind};
use crate::text::Str;
use bytes::Bytes;

pub(crate) struct Reader {
    buf: Bytes,
    pos: usize,
}

impl Reader {
    pub(crate) fn new(buf: Bytes) -> Self {
        Reader { buf, pos: 0 }
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// Moves the cursor to `pos`, an offset read before.
    pub(crate) fn seek(&mut self, pos: usize) {
        self.pos = pos.min(self.buf.len());
    }

    /// The whole input's length.
    pub(crate) fn len(&self) -> usize {
        self.buf.len()
    }

    pub(crate) fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    pub(crate) fn error(&self, kind: DecodeErrorKind) -> DecodeError {
        DecodeError {
            offset: self.pos,
            kind,
        }
    }

    fn take(&mut self, n: usize) -> Result<&[u8], DecodeError> {
        if n > self.remaining() {
            return Err(self.error(DecodeErrorKind::UnexpectedEof {
                needed: n - self.remaining(),
            }));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    pub(crate) fn peek(&self) -> Option<u8> {
        self.buf.get(self.pos).copied()
    }

    pub(crate) fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.array::<1>()?[0])
    }

    pub(crate) fn u16(&mut self) -> Result<u16, DecodeError> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    pub(crate) fn i16(&mut self) -> Result<i16, DecodeError> {
        Ok(i16::from_be_bytes(self.array()?))
    }

    pub(crate) fn u32(&mut self) -> Result<u32, DecodeError> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    pub(crate) fn f64(&mut self) -> Result<f64, DecodeError> {
        Ok(f64::from_be_bytes(self.array()?))
    }

    /// Checks that `len` units of at least `unit` bytes each can still follow.
    pub(crate) fn check_len(&self, len: u64, unit: usize) -> Result<usize, DecodeError> {
        let bytes = len.saturating_mul(unit as u64);
        if bytes > self.remaining() as u64 {
            return Err(self.error(DecodeErrorKind::LengthTooLarge {
                len,
                needed: bytes,
                remaining: self.remaining(),
            }));
        }
        Ok(len as usize)
    }

    /// The next `n` bytes, shared with the input buffer.
    pub(crate) fn bytes(&mut self, n: usize) -> Result<Bytes, DecodeError> {
        self.check_len(n as u64, 1)?;
        let b = self.buf.slice(self.pos..self.pos + n);
        self.pos += n;
        Ok(b)
    }

    /// The next `n` bytes as UTF-8, shared with the input buffer.
    pub(crate) fn utf8(&mut self, n: usize) -> Result<Str, DecodeError> {
        let start = self.pos;
        let b = self.bytes(n)?;
        Str::from_utf8(b).map_err(|e| DecodeError {
            offset: start + e.valid_up_to(),
            kind: DecodeErrorKind::InvalidUtf8,
        })
    }
}
