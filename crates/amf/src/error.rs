//! Typed codec errors.

use std::fmt;

/// Which reference table a bad reference pointed into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    /// AMF3 string table.
    String,
    /// AMF3 object table (also dates, arrays, XML, byte arrays, vectors, dictionaries).
    Object,
    /// AMF3 traits table.
    Traits,
    /// AMF0 object table.
    Amf0Object,
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Table::String => "string",
            Table::Object => "object",
            Table::Traits => "traits",
            Table::Amf0Object => "AMF0 object",
        })
    }
}

/// What went wrong while decoding.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeErrorKind {
    /// The input ended while `needed` more bytes were expected.
    #[error("unexpected end of input ({needed} more bytes needed)")]
    UnexpectedEof {
        /// Bytes that were still expected.
        needed: usize,
    },
    /// A type marker this format does not define.
    #[error("unknown {format} type marker 0x{marker:02x}")]
    UnknownMarker {
        /// "AMF0" or "AMF3".
        format: &'static str,
        /// The marker byte.
        marker: u8,
    },
    /// A marker that is defined but never valid in a message (AMF0 movieclip, recordset ...).
    #[error("unsupported {0}")]
    Unsupported(&'static str),
    /// A string that is not UTF-8.
    #[error("invalid UTF-8 in string")]
    InvalidUtf8,
    /// A declared length or count larger than the remaining input could hold.
    #[error("declared length {len} needs at least {needed} bytes, only {remaining} left")]
    LengthTooLarge {
        /// The declared length (bytes, or elements of a collection).
        len: u64,
        /// The fewest bytes those elements take.
        needed: u64,
        /// Bytes left in the input.
        remaining: usize,
    },
    /// A collection larger than the configured limit.
    #[error("collection of {len} items exceeds the limit of {limit}")]
    TooManyItems {
        /// The declared count.
        len: u64,
        /// The configured limit.
        limit: usize,
    },
    /// A reference to an index the table does not hold.
    #[error("{table} reference {index} out of range")]
    BadReference {
        /// The table.
        table: Table,
        /// The index read.
        index: u32,
    },
    /// A reference to an object that is still being decoded (a cyclic graph).
    #[error("cyclic {0} reference (object graphs with cycles are not supported)")]
    CyclicReference(Table),
    /// Decoding would allocate more than the input's allocation budget
    /// (`DecodeLimits::alloc_budget`).
    #[error("decoded values would take more than {limit} bytes")]
    TooMuchMemory {
        /// The budget, in bytes.
        limit: usize,
    },
    /// Nesting deeper than the configured limit.
    #[error("nesting deeper than {0}")]
    TooDeep(usize),
    /// An externalizable class no reader is registered for.
    #[error("unknown externalizable class '{0}'")]
    UnknownExternal(String),
    /// An externalizable reader rejected its data.
    #[error("externalizable '{class}': {reason}")]
    BadExternal {
        /// The class alias.
        class: String,
        /// What was wrong.
        reason: String,
    },
    /// An AMF packet version other than 0, 1 or 3.
    #[error("unsupported AMF packet version {0}")]
    BadVersion(u16),
    /// Bytes left over after a complete value.
    #[error("{0} trailing bytes after the value")]
    TrailingBytes(usize),
}

/// A decoding failure at a byte offset of the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("AMF decode error at byte {offset}: {kind}")]
pub struct DecodeError {
    /// Offset of the byte where the problem was found.
    pub offset: usize,
    /// What went wrong.
    pub kind: DecodeErrorKind,
}

/// An encoding failure: the value cannot be represented on the wire.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// A string, array or byte array longer than a U29 length can express.
    #[error("length {0} too large for AMF")]
    TooLong(usize),
    /// An explicit reference ([`crate::Writer`]) to a slot the output does not hold.
    #[error("{table} reference {index}, but only {available} precede it")]
    BadReference {
        /// The table.
        table: Table,
        /// The slot asked for.
        index: u32,
        /// The slots written so far.
        available: u32,
    },
    /// An externalizable writer failed.
    #[error("externalizable '{class}': {reason}")]
    External {
        /// The class alias.
        class: String,
        /// What was wrong.
        reason: String,
    },
}
