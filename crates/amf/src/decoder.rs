//! Decoder state shared by the AMF0 and AMF3 readers.

use crate::error::{DecodeError, DecodeErrorKind, Table};
use crate::external::{ExternalInput, Registry};
use crate::reader::Reader;
use crate::text::Str;
use crate::trace::{Event, NoTrace, Piece, Span, Trace};
use crate::value::{Traits, Value};
use bytes::Bytes;
use std::sync::Arc;

/// Bounds applied while decoding untrusted input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeLimits {
    /// Deepest nesting of composite values.
    pub max_depth: usize,
    /// Largest element count of one array, object, vector or dictionary.
    pub max_items: usize,
    /// Bytes of decoded values (element slots, members, table entries,
    /// composite headers) allowed per input byte, on top of
    /// `alloc_allowance`. Without it a dense array of 1-byte nulls costs
    /// `size_of::<Value>()` (40×) per input byte.
    pub alloc_per_byte: usize,
    /// Bytes of decoded values allowed whatever the input length, so that
    /// small inputs are never refused for their density.
    pub alloc_allowance: usize,
}

impl DecodeLimits {
    /// The defaults, usable in `const` contexts.
    pub const DEFAULT: DecodeLimits = DecodeLimits {
        max_depth: 128,
        max_items: 1 << 20,
        alloc_per_byte: 16,
        alloc_allowance: 1 << 20,
    };

    /// The allocation budget for an input of `len` bytes.
    pub fn alloc_budget(&self, len: usize) -> usize {
        len.saturating_mul(self.alloc_per_byte)
            .saturating_add(self.alloc_allowance)
    }
}

impl Default for DecodeLimits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// An entry of the AMF3 traits table.
#[derive(Clone)]
pub(crate) enum TraitsEntry {
    Object(Arc<Traits>),
    External(Str),
}

/// Decodes AMF0 and AMF3 values from one input buffer.
///
/// One decoder holds the reference tables of one AMF context (a packet
/// header or body); [`Decoder::reset_tables`] starts a new context. `T`
/// watches what is read ([`Trace`]); the default, [`NoTrace`], costs nothing.
pub struct Decoder<'r, T: Trace = NoTrace> {
    pub(crate) r: Reader,
    pub(crate) registry: &'r Registry,
    pub(crate) limits: DecodeLimits,
    pub(crate) depth: usize,
    /// Bytes of values that may still be allocated ([`DecodeLimits::alloc_budget`]).
    budget: usize,
    /// AMF3 tables. `None` marks an object still being decoded.
    pub(crate) strings: Vec<Str>,
    pub(crate) objects: Vec<Option<Value>>,
    pub(crate) traits: Vec<TraitsEntry>,
    /// AMF0 object table.
    pub(crate) amf0_objects: Vec<Option<Value>>,
    /// Whether a reference named AMF0 slot 0 while it was still open (in a
    /// request body, the argument array: see [`crate::Packet`]).
    pub(crate) open_first_slot_referenced: bool,
    pub(crate) trace: T,
}

/// Where a value started, to read it again ([`Decoder::rewind`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Mark {
    pos: usize,
    budget: usize,
    /// Input bytes from `pos` on.
    pub(crate) remaining: usize,
}

impl Mark {
    /// The offset.
    pub(crate) fn pos(self) -> usize {
        self.pos
    }

    /// The same mark `n` bytes further on (at most `remaining`).
    pub(crate) fn advanced(self, n: usize) -> Mark {
        let n = n.min(self.remaining);
        Mark {
            pos: self.pos + n,
            remaining: self.remaining - n,
            ..self
        }
    }
}

impl<'r> Decoder<'r> {
    /// A decoder over `input` with default limits.
    pub fn new(input: Bytes, registry: &'r Registry) -> Self {
        Self::with_limits(input, registry, DecodeLimits::default())
    }

    /// A decoder over `input` with explicit limits.
    pub fn with_limits(input: Bytes, registry: &'r Registry, limits: DecodeLimits) -> Self {
        Decoder::traced(input, registry, limits, NoTrace)
    }
}

impl<'r, T: Trace> Decoder<'r, T> {
    /// A decoder over `input` that reports what it reads to `trace`.
    pub fn traced(input: Bytes, registry: &'r Registry, limits: DecodeLimits, trace: T) -> Self {
        Decoder {
            budget: limits.alloc_budget(input.len()),
            r: Reader::new(input),
            registry,
            limits,
            depth: 0,
            strings: Vec::new(),
            objects: Vec::new(),
            traits: Vec::new(),
            amf0_objects: Vec::new(),
            open_first_slot_referenced: false,
            trace,
        }
    }

    /// The trace, e.g. to collect what it recorded.
    pub fn into_trace(self) -> T {
        self.trace
    }

    /// Clears all reference tables, as at the start of each packet header and body.
    pub fn reset_tables(&mut self) {
        self.strings.clear();
        self.objects.clear();
        self.traits.clear();
        self.amf0_objects.clear();
        self.open_first_slot_referenced = false;
    }

    /// The current offset and allocation budget.
    pub(crate) fn mark(&self) -> Mark {
        Mark {
            pos: self.r.pos(),
            budget: self.budget,
            remaining: self.r.remaining(),
        }
    }

    /// Goes back to `mark` with empty tables, to read a value again at no
    /// extra cost to the budget.
    pub(crate) fn rewind(&mut self, mark: Mark) {
        self.r.seek(mark.pos);
        self.budget = mark.budget;
        self.reset_tables();
    }

    /// Byte offset of the next read.
    pub fn position(&self) -> usize {
        self.r.pos()
    }

    /// Bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.r.remaining()
    }

    /// Fails unless the whole input has been consumed.
    pub fn finish(&mut self) -> Result<(), DecodeError> {
        self.trace.expect(Piece::End);
        match self.r.remaining() {
            0 => Ok(()),
            n => Err(self.r.error(DecodeErrorKind::TrailingBytes(n))),
        }
    }

    /// An error at the current offset (for externalizable readers).
    pub fn error(&self, kind: DecodeErrorKind) -> DecodeError {
        self.r.error(kind)
    }

    /// Reads one unsigned byte (`IDataInput.readUnsignedByte`).
    pub fn read_u8(&mut self) -> Result<u8, DecodeError> {
        self.r.u8()
    }

    /// Reads a big-endian `u16`.
    pub fn read_u16(&mut self) -> Result<u16, DecodeError> {
        self.r.u16()
    }

    /// Reads a big-endian `u32`.
    pub fn read_u32(&mut self) -> Result<u32, DecodeError> {
        self.r.u32()
    }

    /// Reads a big-endian double.
    pub fn read_f64(&mut self) -> Result<f64, DecodeError> {
        self.r.f64()
    }

    /// Reads `n` raw bytes (`IDataInput.readBytes`), shared with the input
    /// buffer; fails without consuming anything when fewer remain.
    pub fn read_bytes(&mut self, n: usize) -> Result<Bytes, DecodeError> {
        self.r.bytes(n)
    }

    /// Reads a string prefixed by a `u16` length (`IDataInput.readUTF`).
    pub fn read_utf(&mut self) -> Result<Str, DecodeError> {
        let n = self.r.u16()?;
        self.r.utf8(n as usize)
    }

    /// Reads a string prefixed by a `u32` length (AMF0 long string).
    pub(crate) fn read_utf_long(&mut self) -> Result<Str, DecodeError> {
        let n = self.r.u32()?;
        let n = self.r.check_len(u64::from(n), 1)?;
        self.r.utf8(n)
    }

    /// Tells the trace what comes next.
    #[inline(always)]
    pub(crate) fn expect(&mut self, piece: Piece) {
        self.trace.expect(piece);
    }

    /// Reports `event`, read from `start` up to the current offset.
    #[inline(always)]
    pub(crate) fn note(&mut self, start: usize, event: Event<'_>) {
        let end = self.r.pos();
        self.trace.event(Span { start, end }, event);
    }

    /// Checks a collection count against the limit and the remaining input
    /// (each element takes at least `unit` bytes) before anything is allocated.
    pub(crate) fn check_items(&mut self, len: u64, unit: usize) -> Result<usize, DecodeError> {
        self.expect(Piece::Elements);
        self.check_count(len)?;
        self.r.check_len(len, unit)
    }

    /// Checks the running count of an unsized collection (members that end
    /// with a terminator) against the limit.
    pub(crate) fn check_count(&self, len: u64) -> Result<(), DecodeError> {
        if len > self.limits.max_items as u64 {
            return Err(self.r.error(DecodeErrorKind::TooManyItems {
                len,
                limit: self.limits.max_items,
            }));
        }
        Ok(())
    }

    /// Takes `bytes` from the allocation budget, before they are allocated.
    #[inline(always)]
    pub(crate) fn charge(&mut self, bytes: usize) -> Result<(), DecodeError> {
        if bytes > self.budget {
            return Err(self.over_budget());
        }
        self.budget -= bytes;
        Ok(())
    }

    /// Charges for a vector of `len` items of `U` about to get one more:
    /// nothing unless that reallocates it (doubling, at least four), so a
    /// push costs one comparison.
    #[inline(always)]
    pub(crate) fn charge_push<U>(
        &mut self,
        len: usize,
        capacity: usize,
    ) -> Result<(), DecodeError> {
        if len < capacity {
            return Ok(());
        }
        self.charge(capacity.max(4).saturating_mul(size_of::<U>()))
    }

    /// An error about the type marker at `at` (unknown, or not valid here).
    #[cold]
    pub(crate) fn marker_error(&self, at: usize, kind: DecodeErrorKind) -> DecodeError {
        DecodeError { offset: at, kind }
    }

    #[cold]
    fn over_budget(&self) -> DecodeError {
        self.r.error(DecodeErrorKind::TooMuchMemory {
            limit: self.limits.alloc_budget(self.r.len()),
        })
    }

    /// Runs `f` one nesting level deeper, failing past the depth limit.
    pub(crate) fn nested<U>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<U, DecodeError>,
    ) -> Result<U, DecodeError> {
        if self.depth >= self.limits.max_depth {
            return Err(self
                .r
                .error(DecodeErrorKind::TooDeep(self.limits.max_depth)));
        }
        self.depth += 1;
        let out = f(self);
        self.depth -= 1;
        out
    }

    /// Resolves a reference into an object table that marks in-progress slots with `None`.
    pub(crate) fn lookup(&self, table: Table, index: u32) -> Result<Value, DecodeError> {
        let slots = match table {
            Table::Amf0Object => &self.amf0_objects,
            _ => &self.objects,
        };
        match slots.get(index as usize) {
            Some(Some(v)) => Ok(v.clone()),
            Some(None) => Err(self.r.error(DecodeErrorKind::CyclicReference(table))),
            None => Err(self.r.error(DecodeErrorKind::BadReference { table, index })),
        }
    }
}

// The externalizable readers read through the decoder; the impl lives
// here so that `external` needs nothing from the decoder.
impl<T: Trace> ExternalInput for Decoder<'_, T> {
    fn read_u8(&mut self) -> Result<u8, DecodeError> {
        self.expect(Piece::ExternalBody);
        Decoder::read_u8(self)
    }
    fn read_u32(&mut self) -> Result<u32, DecodeError> {
        self.expect(Piece::ExternalBody);
        Decoder::read_u32(self)
    }
    fn read_bytes(&mut self, n: usize) -> Result<Bytes, DecodeError> {
        self.expect(Piece::ExternalBody);
        Decoder::read_bytes(self, n)
    }
    fn read_utf(&mut self) -> Result<Str, DecodeError> {
        self.expect(Piece::ExternalBody);
        Decoder::read_utf(self)
    }
    fn read_amf3(&mut self) -> Result<Value, DecodeError> {
        Decoder::read_amf3(self)
    }
    fn error(&self, kind: DecodeErrorKind) -> DecodeError {
        Decoder::error(self, kind)
    }
    fn note_flags(&mut self, level: &str, flags: &[u8]) {
        let start = self.position().saturating_sub(flags.len());
        self.note(start, Event::Flags { level, flags });
    }
    fn note_field(&mut self, field: std::fmt::Arguments<'_>) {
        let at = self.position();
        self.note(at, Event::Field(field));
    }
}
