//! What recording produces besides the JSON: the error, and the hex
//! dump lines.

use flexgate_amf::DecodeErrorKind;

/// A decoding failure: where, what the reader expected there, and what went wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("byte {offset}: expected {expected}: {kind}")]
pub struct InspectError {
    /// Offset of the byte where the problem was found.
    pub offset: usize,
    /// What the reader was looking for there.
    pub expected: &'static str,
    /// What went wrong.
    pub kind: DecodeErrorKind,
}

/// One piece of the input and what it was read as (for the hex dump).
pub(crate) struct Line {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) indent: usize,
    pub(crate) text: String,
}
