//! AMF bytes to the JSON description, recording what the encoder decided.

use super::external::{self, Layout, HAS_NEXT};
use super::keys as k;
use super::{Format, Input, Traits};
use bytes::Bytes;
use chrono::{DateTime, SecondsFormat};
use flexgate_amf::markers::{amf0 as m0, amf3 as m3};
use flexgate_amf::{DecodeError, DecodeErrorKind, DecodeLimits, Decoder, Registry, Str, Table};
use serde_json::{Map, Value as Json};
use std::collections::HashMap;

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

/// An object-table slot: the JSON of the value (`None` while it is being
/// read) and the marker it came with.
type Slot = (Option<Json>, u8);

/// Reads one packet or value into JSON.
pub(crate) struct Reader {
    input: Bytes,
    /// The codec's decoder, used as a cursor and for the AMF3 string table.
    d: Decoder<'static>,
    limits: DecodeLimits,
    traits: Vec<Traits>,
    /// The first slot of each distinct traits: where an encoder refers.
    first_traits: HashMap<Traits, u32>,
    objects: Vec<Slot>,
    amf0_objects: Vec<Slot>,
    depth: usize,
    /// JSON nodes still allowed in copies of referenced values, so that
    /// nested references cannot blow the output up exponentially.
    budget: usize,
    indent: usize,
    /// A prefix for the next trace line (the sealed member a value belongs to).
    label: Option<String>,
    trace: Option<Vec<Line>>,
}

impl Reader {
    /// A reader over `input`; with `trace`, it also records [`Line`]s.
    pub(crate) fn new(input: Bytes, trace: bool) -> Self {
        let budget = input.len().saturating_mul(8).max(1 << 16);
        Reader {
            d: Decoder::new(input.clone(), Registry::empty()),
            input,
            limits: DecodeLimits::default(),
            traits: Vec::new(),
            first_traits: HashMap::new(),
            objects: Vec::new(),
            amf0_objects: Vec::new(),
            depth: 0,
            budget,
            indent: 0,
            label: None,
            trace: trace.then(Vec::new),
        }
    }

    /// The trace lines recorded so far.
    pub(crate) fn into_trace(self) -> Vec<Line> {
        self.trace.unwrap_or_default()
    }

    /// Reads the whole input as `what`.
    pub(crate) fn read(&mut self, what: Input) -> Result<Json, InspectError> {
        let json = match what {
            Input::Packet => self.packet()?,
            Input::Value(Format::Amf0) => self.amf0()?,
            Input::Value(Format::Amf3) => self.amf3()?,
        };
        self.d
            .finish()
            .map_err(|e| wrap(e, "the end of the input"))?;
        Ok(json)
    }

    // ---- cursor helpers ----

    fn pos(&self) -> usize {
        self.d.position()
    }

    /// Runs one read of the codec's decoder, naming what it expected.
    fn at<T>(
        &mut self,
        expected: &'static str,
        f: impl FnOnce(&mut Decoder<'static>) -> Result<T, DecodeError>,
    ) -> Result<T, InspectError> {
        f(&mut self.d).map_err(|e| wrap(e, expected))
    }

    fn fail(&self, offset: usize, expected: &'static str, kind: DecodeErrorKind) -> InspectError {
        InspectError {
            offset,
            expected,
            kind,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.input.get(self.pos()).copied()
    }

    /// Checks a declared byte length against the remaining input.
    fn byte_len(&self, len: u64, expected: &'static str) -> Result<usize, InspectError> {
        if len > self.d.remaining() as u64 {
            return Err(self.fail(
                self.pos(),
                expected,
                DecodeErrorKind::LengthTooLarge {
                    len,
                    needed: len,
                    remaining: self.d.remaining(),
                },
            ));
        }
        Ok(len as usize)
    }

    fn utf8(&mut self, len: usize, expected: &'static str) -> Result<Str, InspectError> {
        let start = self.pos();
        let bytes = self.at(expected, |d| d.read_bytes(len))?;
        Str::from_utf8(bytes).map_err(|e| {
            self.fail(
                start + e.valid_up_to(),
                expected,
                DecodeErrorKind::InvalidUtf8,
            )
        })
    }

    /// Checks a declared count against the limit and the remaining input
    /// (each element takes at least `unit` bytes) before allocating for it.
    fn count(&self, len: u64, unit: usize, expected: &'static str) -> Result<usize, InspectError> {
        let at = self.pos();
        if len > self.limits.max_items as u64 {
            return Err(self.fail(
                at,
                expected,
                DecodeErrorKind::TooManyItems {
                    len,
                    limit: self.limits.max_items,
                },
            ));
        }
        let needed = len.saturating_mul(unit as u64);
        if needed > self.d.remaining() as u64 {
            return Err(self.fail(
                at,
                expected,
                DecodeErrorKind::LengthTooLarge {
                    len,
                    needed,
                    remaining: self.d.remaining(),
                },
            ));
        }
        Ok(len as usize)
    }

    /// Runs `f` one composite deeper, failing past the depth limit.
    fn nested<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, InspectError>,
    ) -> Result<T, InspectError> {
        if self.depth >= self.limits.max_depth {
            return Err(self.fail(
                self.pos(),
                "a shallower value",
                DecodeErrorKind::TooDeep(self.limits.max_depth),
            ));
        }
        self.depth += 1;
        self.indent += 1;
        let out = f(self);
        self.indent -= 1;
        self.depth -= 1;
        out
    }

    /// Indents the trace lines of `f` one level.
    fn indented<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        self.indent += 1;
        let out = f(self);
        self.indent -= 1;
        out
    }

    /// Records that `start..pos` was read as `text` (only when tracing).
    fn note(&mut self, start: usize, text: impl FnOnce() -> String) {
        let end = self.pos();
        let label = self.label.take();
        if let Some(trace) = &mut self.trace {
            let text = match label {
                Some(l) => format!("{l} = {}", text()),
                None => text(),
            };
            trace.push(Line {
                start,
                end,
                indent: self.indent,
                text,
            });
        }
    }

    fn label(&mut self, name: &str) {
        if self.trace.is_some() {
            self.label = Some(name.to_owned());
        }
    }

    fn reset_tables(&mut self) {
        self.d.reset_tables();
        self.traits.clear();
        self.first_traits.clear();
        self.objects.clear();
        self.amf0_objects.clear();
    }

    // ---- envelope ----

    fn packet(&mut self) -> Result<Json, InspectError> {
        let version = self.at("the packet version (u16)", |d| d.read_u16())?;
        if !matches!(version, 0 | 1 | 3) {
            return Err(self.fail(
                0,
                "packet version 0, 1 or 3",
                DecodeErrorKind::BadVersion(version),
            ));
        }
        self.note(0, || format!("packet version {version}"));
        let mut packet = Map::new();
        packet.insert(k::VERSION.into(), version.into());

        let start = self.pos();
        let n = self.at("the header count (u16)", |d| d.read_u16())?;
        self.note(start, || format!("{n} headers"));
        let n = self.count(u64::from(n), 7, "that many headers")?;
        let mut headers = Vec::with_capacity(n);
        for i in 0..n {
            let start = self.pos();
            let name = self.at("a header name (u16 length + UTF-8)", |d| d.read_utf())?;
            let must = self.at("the must-understand byte", |d| d.read_u8())?;
            let declared = self.at("the header length (u32)", |d| d.read_u32())?;
            self.note(start, || {
                format!(
                    "header {}: {name:?}, must understand {must}, length {declared}",
                    i + 1
                )
            });
            let (value, actual) = self.sized_value()?;
            let mut h = Map::new();
            h.insert(k::NAME.into(), name.as_str().into());
            h.insert(k::MUST_UNDERSTAND.into(), (must != 0).into());
            declared_length(&mut h, declared, actual);
            h.insert(k::VALUE.into(), value);
            headers.push(Json::Object(h));
        }
        packet.insert(k::HEADERS.into(), headers.into());

        let start = self.pos();
        let n = self.at("the body count (u16)", |d| d.read_u16())?;
        self.note(start, || format!("{n} bodies"));
        let n = self.count(u64::from(n), 9, "that many bodies")?;
        let mut bodies = Vec::with_capacity(n);
        for i in 0..n {
            let start = self.pos();
            let target = self.at("a body target (u16 length + UTF-8)", |d| d.read_utf())?;
            let response = self.at("a body response (u16 length + UTF-8)", |d| d.read_utf())?;
            let declared = self.at("the body length (u32)", |d| d.read_u32())?;
            self.note(start, || {
                format!(
                    "body {}: target {target:?}, response {response:?}, length {declared}",
                    i + 1
                )
            });
            let (value, actual) = self.sized_value()?;
            let mut b = Map::new();
            b.insert(k::TARGET.into(), target.as_str().into());
            b.insert(k::RESPONSE.into(), response.as_str().into());
            declared_length(&mut b, declared, actual);
            b.insert(k::VALUE.into(), value);
            bodies.push(Json::Object(b));
        }
        packet.insert(k::BODIES.into(), bodies.into());
        Ok(Json::Object(packet))
    }

    /// A header or body value with fresh reference tables, and its true length.
    fn sized_value(&mut self) -> Result<(Json, usize), InspectError> {
        self.reset_tables();
        let start = self.pos();
        let value = self.indented(Self::amf0)?;
        Ok((value, self.pos() - start))
    }

    // ---- references ----

    /// A reference node: the slot, and a copy of the referenced value while
    /// the copy budget lasts.
    fn reference(
        &mut self,
        start: usize,
        table: Table,
        index: u32,
        marker: Option<u8>,
    ) -> Result<Json, InspectError> {
        let slots = match table {
            Table::Amf0Object => &self.amf0_objects,
            _ => &self.objects,
        };
        let (value, slot_marker) = match slots.get(index as usize) {
            Some((Some(v), m)) => (v, *m),
            Some((None, _)) => {
                return Err(self.fail(
                    start,
                    "a reference to a complete value",
                    DecodeErrorKind::CyclicReference(table),
                ))
            }
            None => {
                return Err(self.fail(
                    start,
                    "a reference to an earlier value",
                    DecodeErrorKind::BadReference { table, index },
                ))
            }
        };
        let mut node = Map::new();
        node.insert(k::REF.into(), index.into());
        if let Some(m) = marker.filter(|&m| m != slot_marker) {
            node.insert(k::MARKER.into(), amf3_marker_name(m).into());
        }
        if let Some(weight) = weight(value, self.budget) {
            self.budget -= weight;
            node.insert(k::VALUE.into(), value.clone());
        }
        self.note(start, || format!("reference to {table} {index}"));
        Ok(Json::Object(node))
    }

    // ---- AMF0 ----

    fn amf0(&mut self) -> Result<Json, InspectError> {
        let start = self.pos();
        let marker = self.at("an AMF0 type marker", |d| d.read_u8())?;
        Ok(match marker {
            m0::NUMBER => {
                let n = self.at("an AMF0 number (8 bytes)", |d| d.read_f64())?;
                self.note(start, || format!("number {n}"));
                double(n)
            }
            m0::BOOLEAN => {
                let b = self.at("a boolean byte", |d| d.read_u8())? != 0;
                self.note(start, || format!("boolean {b}"));
                b.into()
            }
            m0::STRING => {
                let s = self.at("a string (u16 length + UTF-8)", |d| d.read_utf())?;
                self.note(start, || format!("string {s:?}"));
                s.as_str().into()
            }
            m0::LONG_STRING => {
                let s = self.long_utf8("a long string (u32 length + UTF-8)")?;
                self.note(start, || format!("long string of {} bytes", s.len()));
                if s.len() > usize::from(u16::MAX) {
                    s.as_str().into()
                } else {
                    // Short enough for a plain string: record the choice.
                    tagged(k::LONG_STRING, s.as_str().into())
                }
            }
            m0::NULL => {
                self.note(start, || "null".into());
                Json::Null
            }
            m0::UNDEFINED => {
                self.note(start, || "undefined".into());
                tagged(k::UNDEFINED, Json::Null)
            }
            m0::UNSUPPORTED => {
                self.note(start, || "unsupported (read as undefined)".into());
                tagged(k::UNSUPPORTED, Json::Null)
            }
            m0::REFERENCE => {
                let i = self.at("an AMF0 reference index (u16)", |d| d.read_u16())?;
                self.reference(start, Table::Amf0Object, u32::from(i), None)?
            }
            m0::OBJECT => {
                self.note(start, || "object".into());
                self.nested(|r| r.amf0_object(None, marker))?
            }
            m0::TYPED_OBJECT => {
                let class = self.at("a class name (u16 length + UTF-8)", |d| d.read_utf())?;
                self.note(start, || format!("typed object {class:?}"));
                self.nested(|r| r.amf0_object(Some(class), marker))?
            }
            m0::ECMA_ARRAY => {
                let count = self.at("the ECMA array count (u32)", |d| d.read_u32())?;
                self.note(start, || format!("ECMA array, count {count}"));
                self.nested(|r| r.ecma_array(count, marker))?
            }
            m0::STRICT_ARRAY => {
                let n = self.at("the strict array length (u32)", |d| d.read_u32())?;
                self.note(start, || format!("strict array of {n}"));
                let n = self.count(u64::from(n), 1, "that many array elements")?;
                self.nested(|r| {
                    let slot = r.reserve0(marker);
                    let mut items = Vec::with_capacity(n);
                    for _ in 0..n {
                        items.push(r.amf0()?);
                    }
                    Ok(r.fill0(slot, Json::Array(items)))
                })?
            }
            m0::DATE => {
                let millis = self.at("the date's milliseconds (8 bytes)", |d| d.read_f64())?;
                // The time zone is reserved (and 0 from every player); kept when not.
                let tz = self.at("the date's time zone (s16)", |d| d.read_u16())? as i16;
                self.note(start, || format!("date {}", date_text(millis)));
                let mut node = Map::new();
                node.insert(k::DATE.into(), date(millis));
                if tz != 0 {
                    node.insert(k::TZ.into(), tz.into());
                }
                Json::Object(node)
            }
            m0::XML_DOCUMENT => {
                let s = self.long_utf8("an XML document (u32 length + UTF-8)")?;
                self.note(start, || format!("XML document of {} bytes", s.len()));
                tagged(k::XMLDOC, s.as_str().into())
            }
            m0::AVMPLUS => {
                self.note(start, || "avmplus: switch to AMF3".into());
                let v = self.indented(Self::amf3)?;
                tagged(k::AMF3, v)
            }
            m0::MOVIECLIP | m0::RECORDSET => {
                return Err(self.fail(
                    start,
                    "an AMF0 value",
                    DecodeErrorKind::Unsupported(if marker == m0::MOVIECLIP {
                        "AMF0 movieclip"
                    } else {
                        "AMF0 recordset"
                    }),
                ))
            }
            m0::OBJECT_END => {
                return Err(self.fail(
                    start,
                    "an AMF0 value",
                    DecodeErrorKind::Unsupported("AMF0 object end outside an object"),
                ))
            }
            other => {
                return Err(self.fail(
                    start,
                    "an AMF0 type marker",
                    DecodeErrorKind::UnknownMarker {
                        format: "AMF0",
                        marker: other,
                    },
                ))
            }
        })
    }

    fn long_utf8(&mut self, expected: &'static str) -> Result<Str, InspectError> {
        let n = self.at(expected, |d| d.read_u32())?;
        let n = self.byte_len(u64::from(n), expected)?;
        self.utf8(n, expected)
    }

    fn reserve0(&mut self, marker: u8) -> usize {
        self.amf0_objects.push((None, marker));
        self.amf0_objects.len() - 1
    }

    fn fill0(&mut self, slot: usize, v: Json) -> Json {
        self.amf0_objects[slot].0 = Some(v.clone());
        v
    }

    /// `name, value` pairs up to the empty name and the object-end marker.
    fn amf0_members(&mut self) -> Result<Vec<(Str, Json)>, InspectError> {
        let mut members = Vec::new();
        loop {
            let start = self.pos();
            let key = self.at("a member name (u16 length + UTF-8)", |d| d.read_utf())?;
            // An empty name ends the members only when the end marker follows.
            if key.is_empty() && self.peek() == Some(m0::OBJECT_END) {
                self.at("the object-end marker", |d| d.read_u8())?;
                self.note(start, || "end of members".into());
                return Ok(members);
            }
            self.count(members.len() as u64 + 1, 0, "fewer members")?;
            self.note(start, || format!("member {key:?}"));
            let value = self.indented(Self::amf0)?;
            members.push((key, value));
        }
    }

    fn amf0_object(&mut self, class: Option<Str>, marker: u8) -> Result<Json, InspectError> {
        let slot = self.reserve0(marker);
        let members = self.amf0_members()?;
        let mut node = Map::new();
        if let Some(class) = class {
            node.insert(k::CLASS.into(), class.as_str().into());
        }
        node.insert(k::MEMBERS.into(), members_json(members));
        Ok(self.fill0(slot, Json::Object(node)))
    }

    fn ecma_array(&mut self, count: u32, marker: u8) -> Result<Json, InspectError> {
        let slot = self.reserve0(marker);
        let members = self.amf0_members()?;
        let mut node = Map::new();
        // Writers disagree on the count (py3amf: the highest index); keep it
        // when it is not the number of entries.
        if count as usize != members.len() {
            node.insert(k::COUNT.into(), count.into());
        }
        node.insert(k::ECMA.into(), members_json(members));
        Ok(self.fill0(slot, Json::Object(node)))
    }

    // ---- AMF3 ----

    fn amf3(&mut self) -> Result<Json, InspectError> {
        let start = self.pos();
        let marker = self.at("an AMF3 type marker", |d| d.read_u8())?;
        Ok(match marker {
            m3::UNDEFINED => {
                self.note(start, || "undefined".into());
                tagged(k::UNDEFINED, Json::Null)
            }
            m3::NULL => {
                self.note(start, || "null".into());
                Json::Null
            }
            m3::FALSE | m3::TRUE => {
                let b = marker == m3::TRUE;
                self.note(start, || format!("{b}"));
                b.into()
            }
            m3::INTEGER => {
                let v = self.at("an integer (U29)", |d| d.read_u29())?;
                // Sign-extend the 29 bits.
                let i = ((v << 3) as i32) >> 3;
                self.note(start, || format!("integer {i}"));
                i.into()
            }
            m3::DOUBLE => {
                let n = self.at("a double (8 bytes)", |d| d.read_f64())?;
                self.note(start, || format!("double {n}"));
                double(n)
            }
            m3::STRING => {
                let s = self.string()?;
                self.note(start, || format!("string {s:?}"));
                s.as_str().into()
            }
            m3::XML_DOC | m3::XML => self.amf3_xml(start, marker)?,
            m3::DATE => match self.header("a date header (U29)")? {
                Header::Reference(i) => self.reference(start, Table::Object, i, Some(marker))?,
                Header::Inline(_) => {
                    let millis = self.at("the date's milliseconds (8 bytes)", |d| d.read_f64())?;
                    self.note(start, || format!("date {}", date_text(millis)));
                    self.remember(marker, tagged(k::DATE, date(millis)))
                }
            },
            m3::BYTE_ARRAY => match self.header("a ByteArray header (U29)")? {
                Header::Reference(i) => self.reference(start, Table::Object, i, Some(marker))?,
                Header::Inline(n) => {
                    let n = self.byte_len(u64::from(n), "the ByteArray's bytes")?;
                    let b = self.at("the ByteArray's bytes", |d| d.read_bytes(n))?;
                    self.note(start, || format!("ByteArray of {n} bytes"));
                    let b64 = crate::base64::encode(&b);
                    self.remember(marker, tagged(k::BYTES, b64.into()))
                }
            },
            m3::ARRAY => match self.header("an array header (U29)")? {
                Header::Reference(i) => self.reference(start, Table::Object, i, Some(marker))?,
                Header::Inline(n) => {
                    self.note(start, || format!("array, {n} dense"));
                    self.nested(|r| r.amf3_array(n, marker))?
                }
            },
            m3::OBJECT => match self.header("an object header (U29)")? {
                Header::Reference(i) => self.reference(start, Table::Object, i, Some(marker))?,
                Header::Inline(h) => self.amf3_object(start, h, marker)?,
            },
            m3::VECTOR_INT | m3::VECTOR_UINT | m3::VECTOR_DOUBLE => {
                match self.header("a vector header (U29)")? {
                    Header::Reference(i) => {
                        self.reference(start, Table::Object, i, Some(marker))?
                    }
                    Header::Inline(n) => self.number_vector(start, n, marker)?,
                }
            }
            m3::VECTOR_OBJECT => match self.header("a vector header (U29)")? {
                Header::Reference(i) => self.reference(start, Table::Object, i, Some(marker))?,
                Header::Inline(n) => self.object_vector(start, n, marker)?,
            },
            m3::DICTIONARY => match self.header("a dictionary header (U29)")? {
                Header::Reference(i) => self.reference(start, Table::Object, i, Some(marker))?,
                Header::Inline(n) => self.dictionary(start, n, marker)?,
            },
            other => {
                return Err(self.fail(
                    start,
                    "an AMF3 type marker",
                    DecodeErrorKind::UnknownMarker {
                        format: "AMF3",
                        marker: other,
                    },
                ))
            }
        })
    }

    fn string(&mut self) -> Result<Str, InspectError> {
        self.at("an AMF3 string (U29 length or reference)", |d| {
            d.read_amf3_string()
        })
    }

    fn header(&mut self, expected: &'static str) -> Result<Header, InspectError> {
        let v = self.at(expected, |d| d.read_u29())?;
        Ok(if v & 1 == 1 {
            Header::Inline(v >> 1)
        } else {
            Header::Reference(v >> 1)
        })
    }

    fn remember(&mut self, marker: u8, v: Json) -> Json {
        self.objects.push((Some(v.clone()), marker));
        v
    }

    fn reserve(&mut self, marker: u8) -> usize {
        self.objects.push((None, marker));
        self.objects.len() - 1
    }

    fn fill(&mut self, slot: usize, v: Json) -> Json {
        self.objects[slot].0 = Some(v.clone());
        v
    }

    fn amf3_xml(&mut self, start: usize, marker: u8) -> Result<Json, InspectError> {
        match self.header("an XML header (U29)")? {
            Header::Reference(i) => self.reference(start, Table::Object, i, Some(marker)),
            Header::Inline(n) => {
                let n = self.byte_len(u64::from(n), "the XML text")?;
                let text = self.utf8(n, "the XML text (UTF-8)")?;
                let key = if marker == m3::XML { k::XML } else { k::XMLDOC };
                self.note(start, || format!("{key} of {n} bytes"));
                Ok(self.remember(marker, tagged(key, text.as_str().into())))
            }
        }
    }

    /// `key, value` pairs up to the empty key.
    fn amf3_members(&mut self) -> Result<Vec<(Str, Json)>, InspectError> {
        let mut members = Vec::new();
        loop {
            let start = self.pos();
            let key = self.string()?;
            if key.is_empty() {
                self.note(start, || "end of members".into());
                return Ok(members);
            }
            self.count(members.len() as u64 + 1, 0, "fewer members")?;
            self.note(start, || format!("member {key:?}"));
            let value = self.indented(Self::amf3)?;
            members.push((key, value));
        }
    }

    fn amf3_array(&mut self, dense: u32, marker: u8) -> Result<Json, InspectError> {
        let slot = self.reserve(marker);
        let assoc = self.amf3_members()?;
        let n = self.count(u64::from(dense), 1, "that many array elements")?;
        let mut items = Vec::with_capacity(n);
        for _ in 0..n {
            items.push(self.amf3()?);
        }
        let node = if assoc.is_empty() {
            Json::Array(items)
        } else {
            let mut node = Map::new();
            node.insert(k::ASSOC.into(), members_json(assoc));
            node.insert(k::ARRAY.into(), items.into());
            Json::Object(node)
        };
        Ok(self.fill(slot, node))
    }

    /// Reads traits given the object header with its inline-object bit
    /// removed; also says how they departed from the reference rule, if they did.
    fn traits(&mut self, header: u32) -> Result<(Traits, Option<Json>), InspectError> {
        if header & 1 == 0 {
            let index = header >> 1;
            let traits = self.traits.get(index as usize).cloned().ok_or_else(|| {
                self.fail(
                    self.pos(),
                    "a reference to earlier traits",
                    DecodeErrorKind::BadReference {
                        table: Table::Traits,
                        index,
                    },
                )
            })?;
            let unusual = (self.first_traits.get(&traits) != Some(&index)).then(|| index.into());
            return Ok((traits, unusual));
        }
        let traits = if header & 2 != 0 {
            Traits::External(self.string()?.to_string())
        } else {
            let dynamic = header & 4 != 0;
            let count = self.count(u64::from(header >> 3), 1, "that many sealed members")?;
            let class = self.string()?.to_string();
            let mut sealed = Vec::with_capacity(count);
            for _ in 0..count {
                sealed.push(self.string()?.to_string());
            }
            Traits::Object {
                class,
                sealed,
                dynamic,
            }
        };
        let index = self.traits.len() as u32;
        self.traits.push(traits.clone());
        let unusual = match self.first_traits.get(&traits) {
            Some(_) => Some(k::INLINE.into()),
            None => {
                self.first_traits.insert(traits.clone(), index);
                None
            }
        };
        Ok((traits, unusual))
    }

    fn amf3_object(&mut self, start: usize, header: u32, marker: u8) -> Result<Json, InspectError> {
        let slot = self.reserve(marker);
        let (traits, unusual) = self.traits(header)?;
        let mut node = Map::new();
        match traits {
            Traits::External(class) => {
                self.note(start, || format!("externalizable object {class:?}"));
                let layout = external::layout(&class).ok_or_else(|| {
                    self.fail(
                        self.pos(),
                        "the body of an externalizable class flexgate knows",
                        DecodeErrorKind::UnknownExternal(class.to_string()),
                    )
                })?;
                node.insert(k::CLASS.into(), class.as_str().into());
                if let Some(u) = unusual {
                    node.insert(k::TRAITS.into(), u);
                }
                let body = self.nested(|r| r.external_body(&layout))?;
                node.insert(k::EXTERNAL.into(), Json::Object(body));
            }
            Traits::Object {
                class,
                sealed,
                dynamic,
            } => {
                self.note(start, || {
                    let class = if class.is_empty() {
                        "anonymous".to_owned()
                    } else {
                        format!("{class:?}")
                    };
                    let dynamic = if dynamic { ", dynamic" } else { "" };
                    format!("object {class}, {} sealed{dynamic}", sealed.len())
                });
                if !class.is_empty() {
                    node.insert(k::CLASS.into(), class.as_str().into());
                }
                if let Some(u) = unusual {
                    node.insert(k::TRAITS.into(), u);
                }
                let (values, members) = self.nested(|r| {
                    let mut values = Vec::with_capacity(sealed.len());
                    for name in sealed {
                        r.label(&name);
                        values.push((Str::from(name), r.amf3()?));
                    }
                    let members = if dynamic {
                        Some(r.amf3_members()?)
                    } else {
                        None
                    };
                    Ok((values, members))
                })?;
                if !values.is_empty() || members.is_none() {
                    node.insert(k::SEALED.into(), members_json(values));
                }
                if let Some(members) = members {
                    node.insert(k::DYNAMIC.into(), members_json(members));
                }
            }
        }
        Ok(self.fill(slot, Json::Object(node)))
    }

    fn external_body(&mut self, layout: &Layout) -> Result<Map<String, Json>, InspectError> {
        let mut body = Map::new();
        match layout {
            Layout::Wrapper(name) => {
                self.label(name);
                body.insert((*name).into(), self.amf3()?);
            }
            Layout::Levels(levels) => {
                for level in *levels {
                    let start = self.pos();
                    let mut flags = Vec::new();
                    loop {
                        let f = self.at("a flag byte of a small message", |d| d.read_u8())?;
                        flags.push(f);
                        if f & HAS_NEXT == 0 {
                            break;
                        }
                    }
                    self.note(start, || format!("{} flags {flags:02x?}", level.name));
                    let mut group = Map::new();
                    group.insert(k::FLAGS.into(), flags_text(&flags).into());
                    for (i, f) in flags.iter().enumerate() {
                        for bit in (0..7).filter(|b| f & (1 << b) != 0) {
                            let field = level.field(i, bit);
                            self.label(&field);
                            let v = self.indented(Self::amf3)?;
                            group.insert(field, v);
                        }
                    }
                    body.insert(level.name.into(), Json::Object(group));
                }
            }
        }
        Ok(body)
    }

    fn number_vector(&mut self, start: usize, n: u32, marker: u8) -> Result<Json, InspectError> {
        let (key, unit) = match marker {
            m3::VECTOR_INT => (k::VECTOR_INT, 4),
            m3::VECTOR_UINT => (k::VECTOR_UINT, 4),
            _ => (k::VECTOR_DOUBLE, 8),
        };
        let fixed = self.at("the vector's fixed-length byte", |d| d.read_u8())? != 0;
        let n = self.count(u64::from(n), unit, "that many vector elements")?;
        let mut items = Vec::with_capacity(n);
        for _ in 0..n {
            items.push(match marker {
                m3::VECTOR_INT => (self.at("an int element", |d| d.read_u32())? as i32).into(),
                m3::VECTOR_UINT => self.at("a uint element", |d| d.read_u32())?.into(),
                _ => double(self.at("a Number element", |d| d.read_f64())?),
            });
        }
        self.note(start, || format!("{key} of {n}"));
        let mut node = Map::new();
        node.insert(key.into(), items.into());
        if fixed {
            node.insert(k::FIXED.into(), true.into());
        }
        Ok(self.remember(marker, Json::Object(node)))
    }

    fn object_vector(&mut self, start: usize, n: u32, marker: u8) -> Result<Json, InspectError> {
        let slot = self.reserve(marker);
        let fixed = self.at("the vector's fixed-length byte", |d| d.read_u8())? != 0;
        let type_name = self.string()?;
        self.note(start, || format!("vector of {n} {type_name:?}"));
        let n = self.count(u64::from(n), 1, "that many vector elements")?;
        let items = self.nested(|r| {
            let mut items = Vec::with_capacity(n);
            for _ in 0..n {
                items.push(r.amf3()?);
            }
            Ok(items)
        })?;
        let mut node = Map::new();
        node.insert(k::VECTOR_OBJECT.into(), items.into());
        node.insert(k::TYPE.into(), type_name.as_str().into());
        if fixed {
            node.insert(k::FIXED.into(), true.into());
        }
        Ok(self.fill(slot, Json::Object(node)))
    }

    fn dictionary(&mut self, start: usize, n: u32, marker: u8) -> Result<Json, InspectError> {
        let slot = self.reserve(marker);
        let weak = self.at("the dictionary's weak-keys byte", |d| d.read_u8())? != 0;
        self.note(start, || format!("dictionary of {n}"));
        let n = self.count(u64::from(n), 2, "that many dictionary entries")?;
        let entries = self.nested(|r| {
            let mut entries = Vec::with_capacity(n);
            for _ in 0..n {
                let key = r.amf3()?;
                let value = r.indented(Self::amf3)?;
                entries.push(Json::Array(vec![key, value]));
            }
            Ok(entries)
        })?;
        let mut node = Map::new();
        node.insert(k::DICTIONARY.into(), entries.into());
        if weak {
            node.insert(k::WEAK.into(), true.into());
        }
        Ok(self.fill(slot, Json::Object(node)))
    }
}

/// The low bit of an AMF3 U29 header: 1 = inline value follows, 0 = reference.
enum Header {
    Inline(u32),
    Reference(u32),
}

/// Flag bytes as hex, e.g. `"88 02"` (the bits are documented in hex).
fn flags_text(flags: &[u8]) -> String {
    let hex: Vec<String> = flags.iter().map(|f| format!("{f:02x}")).collect();
    hex.join(" ")
}

fn wrap(e: DecodeError, expected: &'static str) -> InspectError {
    InspectError {
        offset: e.offset,
        expected,
        kind: e.kind,
    }
}

fn tagged(key: &str, value: Json) -> Json {
    let mut node = Map::new();
    node.insert(key.into(), value);
    Json::Object(node)
}

fn declared_length(node: &mut Map<String, Json>, declared: u32, actual: usize) {
    if declared as usize != actual {
        node.insert(k::LENGTH.into(), declared.into());
    }
}

/// Members as a JSON object, or as `[name, value]` pairs when a name repeats
/// (a JSON object cannot hold both).
fn members_json(members: Vec<(Str, Json)>) -> Json {
    let mut map = Map::with_capacity(members.len());
    let mut unique = true;
    for (name, value) in &members {
        if map.insert(name.to_string(), value.clone()).is_some() {
            unique = false;
            break;
        }
    }
    if unique {
        Json::Object(map)
    } else {
        Json::Array(
            members
                .into_iter()
                .map(|(n, v)| Json::Array(vec![n.as_str().into(), v]))
                .collect(),
        )
    }
}

/// The canonical NaN (what Rust, Java and Flash produce); others keep their bits.
pub(crate) const CANONICAL_NAN: u64 = 0x7FF8_0000_0000_0000;

/// A double: a JSON number when finite, else `{"double": "NaN"|"Infinity"|"-Infinity"}`.
fn double(n: f64) -> Json {
    if n.is_finite() {
        return serde_json::Number::from_f64(n).map_or(Json::Null, Json::Number);
    }
    let mut node = Map::new();
    let name = if n.is_nan() {
        k::NAN
    } else if n > 0.0 {
        k::INFINITY
    } else {
        k::NEG_INFINITY
    };
    node.insert(k::DOUBLE.into(), name.into());
    if n.is_nan() && n.to_bits() != CANONICAL_NAN {
        node.insert(k::BITS.into(), format!("{:#018x}", n.to_bits()).into());
    }
    Json::Object(node)
}

/// A date: ISO-8601 in UTC with milliseconds when that says exactly the
/// same, else the milliseconds as a double (fractions, -0, NaN, far years).
fn date(millis: f64) -> Json {
    match iso_date(millis) {
        Some(s) => s.into(),
        None => double(millis),
    }
}

fn iso_date(millis: f64) -> Option<String> {
    if !millis.is_finite() || millis.fract() != 0.0 || millis.to_bits() == (-0.0f64).to_bits() {
        return None;
    }
    let dt = DateTime::from_timestamp_millis(millis as i64)?;
    let s = dt.to_rfc3339_opts(SecondsFormat::Millis, true);
    // Years past 9999 print in a form RFC 3339 parsers refuse.
    (parse_iso_date(&s) == Some(millis)).then_some(s)
}

/// The milliseconds of an ISO-8601 / RFC 3339 date.
pub(crate) fn parse_iso_date(s: &str) -> Option<f64> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|d| d.timestamp_millis() as f64)
}

fn date_text(millis: f64) -> String {
    iso_date(millis).unwrap_or_else(|| format!("{millis} ms"))
}

/// The mapping's name of an AMF3 marker that can be referenced.
pub(crate) fn amf3_marker_name(marker: u8) -> &'static str {
    match marker {
        m3::XML_DOC => k::XMLDOC,
        m3::DATE => k::DATE,
        m3::ARRAY => k::ARRAY,
        m3::OBJECT => "object",
        m3::XML => k::XML,
        m3::BYTE_ARRAY => k::BYTES,
        m3::VECTOR_INT => k::VECTOR_INT,
        m3::VECTOR_UINT => k::VECTOR_UINT,
        m3::VECTOR_DOUBLE => k::VECTOR_DOUBLE,
        m3::VECTOR_OBJECT => k::VECTOR_OBJECT,
        _ => k::DICTIONARY,
    }
}

/// The number of JSON nodes in `v`, or `None` beyond `limit`.
fn weight(v: &Json, limit: usize) -> Option<usize> {
    let mut count = 0usize;
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        count += 1;
        if count > limit {
            return None;
        }
        match v {
            Json::Array(items) => stack.extend(items),
            Json::Object(map) => stack.extend(map.values()),
            _ => {}
        }
    }
    Some(count)
}
