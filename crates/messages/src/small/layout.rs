//! The wire layout of the small forms: flag bits by class level, and how a
//! tool walks a body ([`ExternalLayout`]).

use crate::alias;

/// In every flag byte: another flag byte of this level follows.
pub(super) const HAS_NEXT: u8 = 0x80;
/// The bits of a flag byte that announce values.
pub(super) const VALUE_BITS: u8 = 0x7F;
// The class levels, as BlazeDS names them.
pub(super) const ABSTRACT: &str = "AbstractMessage";
pub(super) const ASYNC: &str = "AsyncMessage";
pub(super) const COMMAND: &str = "CommandMessage";
pub(super) const ACKNOWLEDGE: &str = "AcknowledgeMessage";

/// How the body of an externalizable class of this crate is laid out, for
/// tools that read or write it piece by piece (`flexgate inspect`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExternalLayout {
    /// One AMF3 value (the collections and the proxy), by its field name.
    Value(&'static str),
    /// Per class level, superclass first: a group of flag bytes, then the
    /// values they announce ([`announced_values`]).
    Levels(&'static [&'static str]),
}

/// The body layout of `class`, when this crate reads it.
pub fn external_layout(class: &str) -> Option<ExternalLayout> {
    Some(match class {
        alias::ARRAY_COLLECTION | alias::ARRAY_LIST => ExternalLayout::Value("source"),
        alias::OBJECT_PROXY => ExternalLayout::Value("object"),
        alias::ASYNC_MESSAGE_EXT => ExternalLayout::Levels(&[ABSTRACT, ASYNC]),
        alias::COMMAND_MESSAGE_EXT => ExternalLayout::Levels(&[ABSTRACT, ASYNC, COMMAND]),
        alias::ACKNOWLEDGE_MESSAGE_EXT => ExternalLayout::Levels(&[ABSTRACT, ASYNC, ACKNOWLEDGE]),
        _ => return None,
    })
}

/// How many values one level's flag bytes announce (every set bit but the
/// continuation bit, known or not).
pub fn announced_values(flags: &[u8]) -> usize {
    flags
        .iter()
        .map(|f| (f & VALUE_BITS).count_ones() as usize)
        .sum()
}

// AbstractMessage, flag byte 0.
pub(super) const BODY: u8 = 0x01;
pub(super) const CLIENT_ID: u8 = 0x02;
pub(super) const DESTINATION: u8 = 0x04;
pub(super) const HEADERS: u8 = 0x08;
pub(super) const MESSAGE_ID: u8 = 0x10;
pub(super) const TIMESTAMP: u8 = 0x20;
pub(super) const TIME_TO_LIVE: u8 = 0x40;
// AbstractMessage, flag byte 1.
pub(super) const CLIENT_ID_BYTES: u8 = 0x01;
pub(super) const MESSAGE_ID_BYTES: u8 = 0x02;
// AsyncMessage, flag byte 0.
pub(super) const CORRELATION_ID: u8 = 0x01;
pub(super) const CORRELATION_ID_BYTES: u8 = 0x02;
// CommandMessage, flag byte 0.
pub(super) const OPERATION: u8 = 0x01;
