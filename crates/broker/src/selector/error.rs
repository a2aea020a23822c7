//! Why a selector was refused, and where in its source.

/// Why a selector was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelectorErrorKind {
    /// Not a valid selector.
    Syntax,
    /// The source is longer than the configured bound.
    TooLong,
    /// Nested deeper than [`MAX_NESTING`](super::MAX_NESTING).
    TooDeep,
    /// More than [`MAX_NODES`](super::MAX_NODES) expression nodes.
    TooManyNodes,
    /// A `LIKE` segment with `_` longer than
    /// [`MAX_WILD_LIKE_SEGMENT`](super::MAX_WILD_LIKE_SEGMENT).
    LikeTooWild,
}

/// A selector that failed to parse or passes a bound.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid selector at position {position}: {message}")]
pub struct SelectorError {
    /// Which kind of problem.
    pub kind: SelectorErrorKind,
    /// Byte offset into the selector text where the problem was found.
    pub position: usize,
    /// What was wrong.
    pub message: String,
}

impl SelectorError {
    /// A syntax error.
    pub(crate) fn new(position: usize, message: impl Into<String>) -> Self {
        Self::of(SelectorErrorKind::Syntax, position, message)
    }

    pub(crate) fn of(kind: SelectorErrorKind, position: usize, message: impl Into<String>) -> Self {
        SelectorError {
            kind,
            position,
            message: message.into(),
        }
    }
}
