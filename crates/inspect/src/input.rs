//! What the input bytes are: a packet, or one bare value in a format.

/// The format of a bare value (`--value amf0|amf3`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One AMF0 value (which may switch to AMF3 with the avmplus marker).
    Amf0,
    /// One AMF3 value.
    Amf3,
}

/// What to decode: a whole packet, or one bare value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// An AMF packet (the body of an `application/x-amf` request or reply).
    Packet,
    /// One value that fills the input.
    Value(Format),
}
