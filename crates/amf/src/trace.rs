//! Watching the decoder: every decision it read off the wire, with its byte
//! range, for tools that show the wire rather than the values (e.g.
//! `flexgate inspect`).
//!
//! The decoder is generic over a [`Trace`]; the server uses [`NoTrace`],
//! whose empty methods compile away, so the hot path pays nothing.

use crate::error::Table;
use crate::value::{Traits, XmlKind};
use std::fmt;

/// A byte range of the input: `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// Offset of the first byte.
    pub start: usize,
    /// Offset just past the last byte.
    pub end: usize,
}

/// The AMF3 types that take an object-table slot, i.e. that can be sent
/// as a reference (the type marker of a reference names one of them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefKind {
    /// `XMLDocument` (0x07).
    XmlDocument,
    /// `Date` (0x08).
    Date,
    /// `Array` (0x09).
    Array,
    /// Object, externalizable or not (0x0A).
    Object,
    /// E4X `XML` (0x0B).
    Xml,
    /// `ByteArray` (0x0C).
    ByteArray,
    /// `Vector.<int>` (0x0D).
    VectorInt,
    /// `Vector.<uint>` (0x0E).
    VectorUint,
    /// `Vector.<Number>` (0x0F).
    VectorNumber,
    /// `Vector.<Object>` (0x10).
    VectorObject,
    /// `Dictionary` (0x11).
    Dictionary,
}

impl RefKind {
    /// Every kind, in marker order.
    pub const ALL: [RefKind; 11] = [
        RefKind::XmlDocument,
        RefKind::Date,
        RefKind::Array,
        RefKind::Object,
        RefKind::Xml,
        RefKind::ByteArray,
        RefKind::VectorInt,
        RefKind::VectorUint,
        RefKind::VectorNumber,
        RefKind::VectorObject,
        RefKind::Dictionary,
    ];

    /// The kind of an XML value.
    pub fn of_xml(kind: XmlKind) -> Self {
        match kind {
            XmlKind::Document => RefKind::XmlDocument,
            XmlKind::E4x => RefKind::Xml,
        }
    }
}

/// How an AMF3 object's traits came: inline (taking traits slot `index`)
/// or as a reference to slot `index`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TraitsRef {
    /// Written out, taking this traits-table slot.
    Inline(u32),
    /// A reference to this traits-table slot.
    Reference(u32),
}

/// A composite value: its children follow, then [`Event::End`].
#[derive(Debug, Clone, Copy)]
pub enum Composite<'a> {
    /// AMF0 avmplus marker: one AMF3 value follows.
    Avmplus,
    /// AMF0 object (anonymous, or typed with this class), taking AMF0 slot `slot`;
    /// members follow ([`Event::MemberName`] and a value each, then [`Event::MembersEnd`]).
    Amf0Object {
        /// The class of a typed object.
        class: Option<&'a str>,
        /// Its AMF0 object-table slot.
        slot: u32,
    },
    /// AMF0 ECMA array with its declared count (a hint; members end it).
    EcmaArray {
        /// The declared count.
        count: u32,
        /// Its AMF0 object-table slot.
        slot: u32,
    },
    /// AMF0 strict array of `len` values.
    StrictArray {
        /// The length.
        len: u32,
        /// Its AMF0 object-table slot.
        slot: u32,
    },
    /// AMF3 array: the associative members, [`Event::MembersEnd`], then `dense` values.
    Array {
        /// The dense length.
        dense: u32,
        /// Its object-table slot.
        slot: u32,
    },
    /// AMF3 object: the sealed values in traits order, then, when dynamic,
    /// members up to [`Event::MembersEnd`].
    Object {
        /// The traits.
        traits: &'a Traits,
        /// How they came.
        by: TraitsRef,
        /// Its object-table slot.
        slot: u32,
    },
    /// AMF3 externalizable object: what its registered reader reads
    /// ([`Event::Flags`], [`Event::Field`] and values).
    External {
        /// The class alias.
        class: &'a str,
        /// How its traits came.
        by: TraitsRef,
        /// Its object-table slot.
        slot: u32,
    },
    /// `Vector.<Object>` of `len` values.
    ObjectVector {
        /// The length.
        len: u32,
        /// Whether it has a fixed length.
        fixed: bool,
        /// The element type name.
        type_name: &'a str,
        /// Its object-table slot.
        slot: u32,
    },
    /// `Dictionary` of `len` key/value pairs.
    Dictionary {
        /// The number of entries.
        len: u32,
        /// Whether the keys are weak.
        weak_keys: bool,
        /// Its object-table slot.
        slot: u32,
    },
}

/// One thing the decoder read, in input order.
#[derive(Debug, Clone, Copy)]
pub enum Event<'a> {
    /// The packet version.
    Version(u16),
    /// The header count.
    HeaderCount(u16),
    /// A header's name, must-understand byte and declared length; its AMF0 value follows.
    Header {
        /// The name.
        name: &'a str,
        /// The must-understand byte.
        must_understand: u8,
        /// The declared length of the value.
        length: u32,
    },
    /// The body count.
    BodyCount(u16),
    /// A body's target, response and declared length; its AMF0 value follows.
    Body {
        /// The target.
        target: &'a str,
        /// The response.
        response: &'a str,
        /// The declared length of the value.
        length: u32,
    },
    /// `undefined` (AMF0 0x06, AMF3 0x00).
    Undefined,
    /// AMF0 `unsupported` (read as undefined).
    Unsupported,
    /// `null`.
    Null,
    /// A boolean.
    Bool(bool),
    /// An AMF3 integer.
    Integer(i32),
    /// A double (AMF0 number, AMF3 double).
    Number(f64),
    /// A string (AMF0 string, AMF3 string inline or by reference).
    String(&'a str),
    /// An AMF0 long string.
    LongString(&'a str),
    /// An AMF0 date and its (reserved) time zone, taking AMF0 object slot `slot`.
    Amf0Date {
        /// Milliseconds since the epoch.
        millis: f64,
        /// The time-zone field.
        time_zone: i16,
        /// Its AMF0 object-table slot.
        slot: u32,
    },
    /// An AMF0 XML document, taking AMF0 object slot `slot`.
    XmlDocument {
        /// The XML source.
        text: &'a str,
        /// Its AMF0 object-table slot.
        slot: u32,
    },
    /// An AMF3 date, taking object slot `slot`.
    Date {
        /// Milliseconds since the epoch.
        millis: f64,
        /// Its object-table slot.
        slot: u32,
    },
    /// AMF3 XML text, taking object slot `slot`.
    Xml {
        /// Document or E4X.
        kind: XmlKind,
        /// The text.
        text: &'a str,
        /// Its object-table slot.
        slot: u32,
    },
    /// A ByteArray, taking object slot `slot`.
    ByteArray {
        /// The bytes.
        bytes: &'a [u8],
        /// Its object-table slot.
        slot: u32,
    },
    /// `Vector.<int>`, taking object slot `slot`.
    VectorInt {
        /// Whether it has a fixed length.
        fixed: bool,
        /// The elements.
        items: &'a [i32],
        /// Its object-table slot.
        slot: u32,
    },
    /// `Vector.<uint>`, taking object slot `slot`.
    VectorUint {
        /// Whether it has a fixed length.
        fixed: bool,
        /// The elements.
        items: &'a [u32],
        /// Its object-table slot.
        slot: u32,
    },
    /// `Vector.<Number>`, taking object slot `slot`.
    VectorNumber {
        /// Whether it has a fixed length.
        fixed: bool,
        /// The elements.
        items: &'a [f64],
        /// Its object-table slot.
        slot: u32,
    },
    /// A reference into `table`; `kind` is the AMF3 type marker it came with.
    Reference {
        /// The table.
        table: Table,
        /// The slot.
        index: u32,
        /// The type marker (AMF3 only).
        kind: Option<RefKind>,
    },
    /// A composite value starts.
    Begin(Composite<'a>),
    /// The name of the member whose value follows.
    MemberName(&'a str),
    /// The empty name (and, in AMF0, the object-end marker) that ends members.
    MembersEnd,
    /// An externalizable reader read a group of flag bytes for this class level.
    Flags {
        /// The class level (e.g. `AbstractMessage`).
        level: &'a str,
        /// The flag bytes.
        flags: &'a [u8],
    },
    /// An externalizable reader names the value it reads next.
    Field(fmt::Arguments<'a>),
    /// The innermost composite ends.
    End,
    /// A header or body value ends; the span is the whole value.
    ValueEnd,
}

/// What the decoder is about to read, so that a tool can say what was
/// expected where decoding failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece {
    /// The packet version.
    Version,
    /// The header count.
    HeaderCount,
    /// A header name.
    HeaderName,
    /// The must-understand byte.
    MustUnderstand,
    /// A header's length.
    HeaderLength,
    /// The body count.
    BodyCount,
    /// A body target.
    Target,
    /// A body response.
    Response,
    /// A body's length.
    BodyLength,
    /// An AMF0 type marker.
    Amf0Marker,
    /// An AMF3 type marker.
    Amf3Marker,
    /// A double.
    Double,
    /// An AMF0 boolean byte.
    Boolean,
    /// An AMF0 string.
    Amf0String,
    /// An AMF0 long string.
    LongString,
    /// An AMF0 reference index.
    Amf0Reference,
    /// A typed object's class name.
    ClassName,
    /// An AMF0 member name.
    MemberName,
    /// An AMF0 ECMA array count.
    EcmaCount,
    /// An AMF0 strict array length.
    ArrayLength,
    /// An AMF0 date's time zone.
    TimeZone,
    /// An AMF0 XML document.
    XmlDocument,
    /// An AMF3 integer.
    Integer,
    /// An AMF3 string (or string reference).
    Amf3String,
    /// The U29 header of an AMF3 date, array, object, XML, ByteArray, vector or dictionary.
    U29Header,
    /// The bytes or text of a ByteArray or XML value.
    Payload,
    /// The elements a count announced.
    Elements,
    /// A vector's fixed-length byte or a dictionary's weak-keys byte.
    FlagByte,
    /// A vector element.
    VectorElement,
    /// An externalizable class's body.
    ExternalBody,
    /// The end of the input.
    End,
}

impl Piece {
    /// What the piece is, in words (e.g. "a double (8 bytes)").
    pub fn description(self) -> &'static str {
        match self {
            Piece::Version => "the packet version (u16)",
            Piece::HeaderCount => "the header count (u16)",
            Piece::HeaderName => "a header name (u16 length + UTF-8)",
            Piece::MustUnderstand => "the must-understand byte",
            Piece::HeaderLength => "the header length (u32)",
            Piece::BodyCount => "the body count (u16)",
            Piece::Target => "a body target (u16 length + UTF-8)",
            Piece::Response => "a body response (u16 length + UTF-8)",
            Piece::BodyLength => "the body length (u32)",
            Piece::Amf0Marker => "an AMF0 type marker",
            Piece::Amf3Marker => "an AMF3 type marker",
            Piece::Double => "a double (8 bytes)",
            Piece::Boolean => "a boolean byte",
            Piece::Amf0String => "a string (u16 length + UTF-8)",
            Piece::LongString => "a long string (u32 length + UTF-8)",
            Piece::Amf0Reference => "an AMF0 reference index (u16)",
            Piece::ClassName => "a class name (u16 length + UTF-8)",
            Piece::MemberName => "a member name (u16 length + UTF-8)",
            Piece::EcmaCount => "the ECMA array count (u32)",
            Piece::ArrayLength => "the strict array length (u32)",
            Piece::TimeZone => "the date's time zone (s16)",
            Piece::XmlDocument => "an XML document (u32 length + UTF-8)",
            Piece::Integer => "an integer (U29)",
            Piece::Amf3String => "an AMF3 string (U29 length or reference)",
            Piece::U29Header => "a U29 header (length or reference)",
            Piece::Payload => "the bytes of the value",
            Piece::Elements => "that many elements",
            Piece::FlagByte => "a flag byte",
            Piece::VectorElement => "a vector element",
            Piece::ExternalBody => "the body of an externalizable object",
            Piece::End => "the end of the input",
        }
    }
}

impl fmt::Display for Piece {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.description())
    }
}

/// Receives what the decoder reads. Every method has an empty default.
pub trait Trace {
    /// Whether it keeps what it is told (else a body may be read twice: `Packet`).
    const RECORDS: bool = true;

    /// The decoder is about to read `piece`.
    #[inline(always)]
    fn expect(&mut self, piece: Piece) {
        let _ = piece;
    }

    /// The decoder read `event` from `span`.
    #[inline(always)]
    fn event(&mut self, span: Span, event: Event<'_>) {
        let _ = (span, event);
    }
}

/// The trace that records nothing (what the server decodes with).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoTrace;

impl Trace for NoTrace {
    const RECORDS: bool = false;
}

impl<T: Trace + ?Sized> Trace for &mut T {
    const RECORDS: bool = T::RECORDS;
    #[inline(always)]
    fn expect(&mut self, piece: Piece) {
        (**self).expect(piece);
    }

    #[inline(always)]
    fn event(&mut self, span: Span, event: Event<'_>) {
        (**self).event(span, event);
    }
}
