//! How the bodies of the externalizable classes flexgate knows are laid out
//! (docs/protocol.md §1.2-1.3; the readers are in `flexgate_messages`).
//!
//! An externalizable body has no self-describing structure, so the inspector
//! must know each class. The wrappers write one AMF3 value; the small
//! messages write, per class level, a group of flag bytes (bit 7: another
//! byte follows) and then one AMF3 value per set bit 0-6, in bit order. Bits
//! a level does not define announce one value each too, as the
//! `flexgate_messages` readers treat them.

use flexgate_messages::alias;

/// One class level of a small message: its name and, per flag byte, the
/// field each bit announces.
pub(crate) struct Level {
    pub(crate) name: &'static str,
    bits: &'static [&'static [&'static str]],
}

impl Level {
    /// The field announced by `bit` of flag byte `byte`.
    pub(crate) fn field(&self, byte: usize, bit: u8) -> String {
        self.bits
            .get(byte)
            .and_then(|names| names.get(usize::from(bit)))
            .map_or_else(|| format!("unknown_{byte}_{bit}"), |n| (*n).to_owned())
    }
}

/// The body layout of an externalizable class.
pub(crate) enum Layout {
    /// One AMF3 value, shown under this name.
    Wrapper(&'static str),
    /// Flag groups and values, one group per class level.
    Levels(&'static [Level]),
}

/// Bit 7 of a flag byte: another flag byte of the same level follows.
pub(crate) const HAS_NEXT: u8 = 0x80;

const ABSTRACT: Level = Level {
    name: "AbstractMessage",
    bits: &[
        &[
            "body",
            "clientId",
            "destination",
            "headers",
            "messageId",
            "timestamp",
            "timeToLive",
        ],
        &["clientIdBytes", "messageIdBytes"],
    ],
};
const ASYNC: Level = Level {
    name: "AsyncMessage",
    bits: &[&["correlationId", "correlationIdBytes"]],
};
const COMMAND: Level = Level {
    name: "CommandMessage",
    bits: &[&["operation"]],
};
const ACKNOWLEDGE: Level = Level {
    name: "AcknowledgeMessage",
    bits: &[],
};

/// The layout of `class`, when flexgate knows the class.
pub(crate) fn layout(class: &str) -> Option<Layout> {
    Some(match class {
        alias::ARRAY_COLLECTION | alias::ARRAY_LIST => Layout::Wrapper("source"),
        alias::OBJECT_PROXY => Layout::Wrapper("object"),
        alias::ASYNC_MESSAGE_EXT => Layout::Levels(&[ABSTRACT, ASYNC]),
        alias::COMMAND_MESSAGE_EXT => Layout::Levels(&[ABSTRACT, ASYNC, COMMAND]),
        alias::ACKNOWLEDGE_MESSAGE_EXT => Layout::Levels(&[ABSTRACT, ASYNC, ACKNOWLEDGE]),
        _ => return None,
    })
}
