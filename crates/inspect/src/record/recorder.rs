//! The [`Trace`] that builds the JSON: its state, and the dispatch of
//! the decoder's events to the envelope, composites and leaves.

use super::frame::Frame;
use super::output::{InspectError, Line};
use super::packet::Envelope;
use super::traits_key::TraitsKey;
use crate::json::{date, date_text, double, kind_name, tagged, weight};
use crate::keys as k;
use base64::Engine;
use flexgate_amf::trace::{Event, Piece, RefKind, Span, Trace};
use flexgate_amf::{DecodeError, DecodeErrorKind, Table, XmlKind};
use serde_json::{Map, Value as Json};
use std::collections::HashMap;

/// An object-table slot: its JSON (`None` while it is being read) and the
/// AMF3 type it came as (`None` in the AMF0 table).
pub(super) type Slot = (Option<Json>, Option<RefKind>);

/// Builds the JSON from the decoder's events.
pub(super) struct Recorder {
    pub(super) stack: Vec<Frame>,
    /// The finished value of a bare input, or of the current header or body.
    pub(super) done: Option<Json>,
    pub(super) envelope: Option<Envelope>,
    pub(super) objects: Vec<Slot>,
    pub(super) amf0_objects: Vec<Slot>,
    /// The open composites' slots, innermost last.
    pub(super) open_slots: Vec<Option<(Table, u32)>>,
    pub(super) first_traits: HashMap<TraitsKey, u32>,
    /// JSON nodes still allowed in copies of referenced values, so that
    /// nested references cannot blow the output up exponentially.
    pub(super) budget: usize,
    pub(super) expected: Piece,
    pub(super) lines: Option<Vec<Line>>,
}

impl Trace for Recorder {
    fn expect(&mut self, piece: Piece) {
        self.expected = piece;
    }

    fn event(&mut self, span: Span, event: Event<'_>) {
        self.on(span, event);
    }
}

impl Recorder {
    pub(super) fn new(input_len: usize, lines: bool) -> Self {
        Recorder {
            stack: Vec::new(),
            done: None,
            envelope: None,
            objects: Vec::new(),
            amf0_objects: Vec::new(),
            open_slots: Vec::new(),
            first_traits: HashMap::new(),
            budget: input_len.saturating_mul(8).max(1 << 16),
            expected: Piece::Version,
            lines: lines.then(Vec::new),
        }
    }

    pub(super) fn result(&mut self) -> Json {
        match self.envelope.take() {
            Some(e) => e.finish(),
            None => self.done.take().unwrap_or(Json::Null),
        }
    }

    /// The error, with what was expected where it happened.
    pub(super) fn error(&self, e: DecodeError) -> InspectError {
        let expected = match &e.kind {
            DecodeErrorKind::BadVersion(_) => "packet version 0, 1 or 3",
            DecodeErrorKind::TooDeep(_) => "a shallower value",
            DecodeErrorKind::CyclicReference(_) => "a reference to a complete value",
            DecodeErrorKind::BadReference {
                table: Table::Traits,
                ..
            } => "a reference to earlier traits",
            DecodeErrorKind::BadReference {
                table: Table::Object | Table::Amf0Object,
                ..
            } => "a reference to an earlier value",
            DecodeErrorKind::UnknownExternal(_) => {
                "the body of an externalizable class flexgate knows"
            }
            DecodeErrorKind::TooManyItems { .. } => "fewer elements",
            DecodeErrorKind::TooMuchMemory { .. } => "values within the allocation budget",
            _ => self.expected.description(),
        };
        InspectError {
            offset: e.offset,
            expected,
            kind: e.kind,
        }
    }

    /// Records a hex dump line for `span` at the current nesting.
    pub(super) fn line(&mut self, span: Span, text: impl FnOnce() -> String) {
        let Some(lines) = &self.lines else { return };
        let _ = lines;
        let top = self.stack.last();
        let base = usize::from(self.envelope.is_some()) + self.stack.len();
        let indent = base + usize::from(top.is_some_and(Frame::awaits_member));
        let text = match top.and_then(Frame::label) {
            Some(label) => format!("{label} = {}", text()),
            None => text(),
        };
        if let Some(lines) = &mut self.lines {
            lines.push(Line {
                start: span.start,
                end: span.end,
                indent,
                text,
            });
        }
    }

    pub(super) fn table(&mut self, table: Table) -> &mut Vec<Slot> {
        match table {
            Table::Amf0Object => &mut self.amf0_objects,
            _ => &mut self.objects,
        }
    }

    /// Sets slot `index` of `table` (the decoder takes them in order).
    pub(super) fn set_slot(
        &mut self,
        table: Table,
        index: u32,
        value: Option<Json>,
        kind: Option<RefKind>,
    ) {
        let slots = self.table(table);
        let i = index as usize;
        if i >= slots.len() {
            slots.resize(i + 1, (None, None));
        }
        slots[i] = (value, kind);
    }

    /// A finished value goes to its parent (or is the result).
    pub(super) fn deliver(&mut self, v: Json) {
        match self.stack.last_mut() {
            Some(frame) => frame.add(v),
            None => self.done = Some(v),
        }
    }

    /// A leaf value, taking object slot `slot` when it has one.
    pub(super) fn leaf(
        &mut self,
        span: Span,
        v: Json,
        slot: Option<(u32, RefKind)>,
        text: impl FnOnce() -> String,
    ) {
        self.line(span, text);
        if let Some((index, kind)) = slot {
            self.set_slot(Table::Object, index, Some(v.clone()), Some(kind));
        }
        self.deliver(v);
    }

    pub(super) fn on(&mut self, span: Span, event: Event<'_>) {
        match event {
            Event::Version(_)
            | Event::HeaderCount(_)
            | Event::Header { .. }
            | Event::BodyCount(_)
            | Event::Body { .. }
            | Event::ValueEnd => self.envelope_event(span, event),
            Event::Undefined => self.leaf(span, tagged(k::UNDEFINED, Json::Null), None, || {
                "undefined".into()
            }),
            Event::Unsupported => self.leaf(span, tagged(k::UNSUPPORTED, Json::Null), None, || {
                "unsupported (read as undefined)".into()
            }),
            Event::Null => self.leaf(span, Json::Null, None, || "null".into()),
            Event::Bool(b) => self.leaf(span, b.into(), None, || format!("{b}")),
            Event::Integer(i) => self.leaf(span, i.into(), None, || format!("integer {i}")),
            Event::Number(n) => self.leaf(span, double(n), None, || format!("number {n}")),
            Event::String(s) => self.leaf(span, s.into(), None, || format!("string {s:?}")),
            Event::LongString(s) => {
                // Short enough for a plain string: the long form is a choice, recorded.
                let v = if s.len() > usize::from(u16::MAX) {
                    s.into()
                } else {
                    tagged(k::LONG_STRING, s.into())
                };
                self.leaf(span, v, None, || {
                    format!("long string of {} bytes", s.len())
                });
            }
            Event::Amf0Date {
                millis,
                time_zone,
                slot,
            } => {
                let mut node = Map::new();
                node.insert(k::DATE.into(), date(millis));
                // The time zone is reserved (and 0 from every player); kept when not.
                if time_zone != 0 {
                    node.insert(k::TZ.into(), time_zone.into());
                }
                let v = Json::Object(node);
                self.set_slot(Table::Amf0Object, slot, Some(v.clone()), None);
                self.leaf(span, v, None, || format!("date {}", date_text(millis)));
            }
            Event::XmlDocument { text, slot } => {
                let v = tagged(k::XMLDOC, text.into());
                self.set_slot(Table::Amf0Object, slot, Some(v.clone()), None);
                self.leaf(span, v, None, || {
                    format!("XML document of {} bytes", text.len())
                });
            }
            Event::Date { millis, slot } => self.leaf(
                span,
                tagged(k::DATE, date(millis)),
                Some((slot, RefKind::Date)),
                || format!("date {}", date_text(millis)),
            ),
            Event::Xml { kind, text, slot } => {
                let key = match kind {
                    XmlKind::E4x => k::XML,
                    XmlKind::Document => k::XMLDOC,
                };
                let v = tagged(key, text.into());
                self.leaf(span, v, Some((slot, RefKind::of_xml(kind))), || {
                    format!("{key} of {} bytes", text.len())
                });
            }
            Event::ByteArray { bytes, slot } => {
                let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
                self.leaf(
                    span,
                    tagged(k::BYTES, b64.into()),
                    Some((slot, RefKind::ByteArray)),
                    || format!("ByteArray of {} bytes", bytes.len()),
                );
            }
            Event::VectorInt { fixed, items, slot } => {
                let items = items.iter().map(|&i| Json::from(i)).collect();
                self.vector(
                    span,
                    k::VECTOR_INT,
                    items,
                    fixed,
                    (slot, RefKind::VectorInt),
                );
            }
            Event::VectorUint { fixed, items, slot } => {
                let items = items.iter().map(|&i| Json::from(i)).collect();
                self.vector(
                    span,
                    k::VECTOR_UINT,
                    items,
                    fixed,
                    (slot, RefKind::VectorUint),
                );
            }
            Event::VectorNumber { fixed, items, slot } => {
                let items = items.iter().map(|&n| double(n)).collect();
                self.vector(
                    span,
                    k::VECTOR_DOUBLE,
                    items,
                    fixed,
                    (slot, RefKind::VectorNumber),
                );
            }
            Event::Reference { table, index, kind } => {
                let node = self.reference(table, index, kind);
                self.line(span, || format!("reference to {table} {index}"));
                self.deliver(node);
            }
            Event::Begin(composite) => self.begin(span, composite),
            Event::MemberName(name) => {
                self.line(span, || format!("member {name:?}"));
                if let Some(top) = self.stack.last_mut() {
                    top.member_name(name);
                }
            }
            Event::MembersEnd => {
                self.line(span, || "end of members".into());
                if let Some(top) = self.stack.last_mut() {
                    top.members_end();
                }
            }
            Event::Flags { level, flags } => {
                if let Some(top) = self.stack.last_mut() {
                    top.level(level, flags);
                }
                self.line(span, || format!("{level} flags {flags:02x?}"));
            }
            Event::Field(name) => {
                let name = name.to_string();
                if let Some(top) = self.stack.last_mut() {
                    top.field(name);
                }
            }
            Event::End => {
                let Some(frame) = self.stack.pop() else {
                    return;
                };
                let v = frame.finish();
                if let Some(Some((table, index))) = self.open_slots.pop() {
                    if let Some(slot) = self.table(table).get_mut(index as usize) {
                        slot.0 = Some(v.clone());
                    }
                }
                self.deliver(v);
            }
        }
    }

    pub(super) fn vector(
        &mut self,
        span: Span,
        key: &'static str,
        items: Vec<Json>,
        fixed: bool,
        slot: (u32, RefKind),
    ) {
        let n = items.len();
        let mut node = Map::new();
        node.insert(key.into(), items.into());
        if fixed {
            node.insert(k::FIXED.into(), true.into());
        }
        self.leaf(span, Json::Object(node), Some(slot), || {
            format!("{key} of {n}")
        });
    }

    /// A reference node: the slot, and a copy of the referenced value while
    /// the copy budget lasts.
    pub(super) fn reference(&mut self, table: Table, index: u32, kind: Option<RefKind>) -> Json {
        let mut node = Map::new();
        node.insert(k::REF.into(), index.into());
        let slot = self.table(table).get(index as usize).cloned();
        let Some((value, slot_kind)) = slot else {
            return Json::Object(node);
        };
        if let Some(kind) = kind.filter(|&kind| Some(kind) != slot_kind) {
            node.insert(k::MARKER.into(), kind_name(kind).into());
        }
        if let Some(value) = value {
            if let Some(w) = weight(&value, self.budget) {
                self.budget -= w;
                node.insert(k::VALUE.into(), value);
            }
        }
        Json::Object(node)
    }
}
