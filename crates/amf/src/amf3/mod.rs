//! AMF3 (Adobe's "AMF 3 Specification", 2006/2013).

mod decode;
pub(crate) use decode::composite;
mod encode;
pub(crate) mod marker;
mod vector;

/// Largest and smallest integers an AMF3 `integer` (29-bit, signed) holds.
pub(crate) const INT_MAX: i32 = 0x0FFF_FFFF;
pub(crate) const INT_MIN: i32 = -0x1000_0000;
/// Largest length or count a U29 with a flag bit holds.
pub(crate) const MAX_LEN: usize = 0x0FFF_FFFF;
