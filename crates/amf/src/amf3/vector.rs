//! The element types of the number vectors (`Vector.<int|uint|Number>`).

use crate::decoder::Decoder;
use crate::error::DecodeError;
use crate::trace::{Event, Trace};
use crate::value::{Value, Vector};
use std::sync::Arc;

/// What an element of a number vector decodes as.
pub(super) trait Element: Sized {
    const UNIT: usize;
    fn read<T: Trace>(d: &mut Decoder<'_, T>) -> Result<Self, DecodeError>;
    fn wrap(v: Arc<Vector<Self>>) -> Value;
    fn event(fixed: bool, items: &[Self], slot: u32) -> Event<'_>;
}

impl Element for i32 {
    const UNIT: usize = 4;
    fn read<T: Trace>(d: &mut Decoder<'_, T>) -> Result<Self, DecodeError> {
        Ok(d.r.u32()? as i32)
    }
    fn wrap(v: Arc<Vector<Self>>) -> Value {
        Value::VectorInt(v)
    }
    fn event(fixed: bool, items: &[Self], slot: u32) -> Event<'_> {
        Event::VectorInt { fixed, items, slot }
    }
}

impl Element for u32 {
    const UNIT: usize = 4;
    fn read<T: Trace>(d: &mut Decoder<'_, T>) -> Result<Self, DecodeError> {
        d.r.u32()
    }
    fn wrap(v: Arc<Vector<Self>>) -> Value {
        Value::VectorUint(v)
    }
    fn event(fixed: bool, items: &[Self], slot: u32) -> Event<'_> {
        Event::VectorUint { fixed, items, slot }
    }
}

impl Element for f64 {
    const UNIT: usize = 8;
    fn read<T: Trace>(d: &mut Decoder<'_, T>) -> Result<Self, DecodeError> {
        d.r.f64()
    }
    fn wrap(v: Arc<Vector<Self>>) -> Value {
        Value::VectorNumber(v)
    }
    fn event(fixed: bool, items: &[Self], slot: u32) -> Event<'_> {
        Event::VectorNumber { fixed, items, slot }
    }
}
