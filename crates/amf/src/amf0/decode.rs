//! AMF0 decoding.

use super::marker as m;
use crate::amf3::composite;
use crate::decoder::Decoder;
use crate::error::{DecodeError, DecodeErrorKind, Table};
use crate::text::Str;
use crate::trace::{Composite, Event, Piece, Trace};
use crate::value::{Array, Date, Object, Traits, Value, Xml, XmlKind};
use std::sync::Arc;

impl<T: Trace> Decoder<'_, T> {
    /// Reads one AMF0 value (an avmplus marker switches that value to AMF3).
    pub fn read_amf0(&mut self) -> Result<Value, DecodeError> {
        let start = self.r.pos();
        self.expect(Piece::Amf0Marker);
        let marker = self.r.u8()?;
        let value = match marker {
            m::NUMBER => {
                self.expect(Piece::Double);
                let n = self.r.f64()?;
                self.note(start, Event::Number(n));
                Value::Number(n)
            }
            m::BOOLEAN => {
                self.expect(Piece::Boolean);
                let b = self.r.u8()? != 0;
                self.note(start, Event::Bool(b));
                Value::Bool(b)
            }
            m::STRING => {
                self.expect(Piece::Amf0String);
                let s = self.read_utf()?;
                self.note(start, Event::String(&s));
                Value::String(s)
            }
            m::LONG_STRING => {
                self.expect(Piece::LongString);
                let s = self.read_utf_long()?;
                self.note(start, Event::LongString(&s));
                Value::String(s)
            }
            m::NULL => {
                self.note(start, Event::Null);
                Value::Null
            }
            m::UNDEFINED => {
                self.note(start, Event::Undefined);
                Value::Undefined
            }
            m::UNSUPPORTED => {
                self.note(start, Event::Unsupported);
                Value::Undefined
            }
            m::REFERENCE => {
                self.expect(Piece::Amf0Reference);
                let i = u32::from(self.r.u16()?);
                let v = self.lookup(Table::Amf0Object, i);
                if i == 0 && v.is_err() && matches!(self.amf0_objects.first(), Some(None)) {
                    self.open_first_slot_referenced = true;
                }
                let v = v?;
                let event = Event::Reference {
                    table: Table::Amf0Object,
                    index: i,
                    kind: None,
                };
                self.note(start, event);
                v
            }
            m::OBJECT => self.nested(|d| d.read_amf0_object(start, None))?,
            m::TYPED_OBJECT => {
                self.expect(Piece::ClassName);
                let class = self.read_utf()?;
                self.nested(|d| d.read_amf0_object(start, Some(class)))?
            }
            m::ECMA_ARRAY => self.nested(|d| d.read_ecma_array(start))?,
            m::STRICT_ARRAY => self.nested(|d| d.read_strict_array(start))?,
            m::DATE => {
                self.expect(Piece::Double);
                let millis = self.r.f64()?;
                // The time zone is reserved and ignored by every player.
                self.expect(Piece::TimeZone);
                let time_zone = self.r.i16()?;
                let value = Value::Date(Date { millis });
                let slot = self.remember_amf0(&value)?;
                let event = Event::Amf0Date {
                    millis,
                    time_zone,
                    slot,
                };
                self.note(start, event);
                value
            }
            m::XML_DOCUMENT => {
                self.expect(Piece::XmlDocument);
                let text = self.read_utf_long()?;
                let value = Value::Xml(Xml {
                    text: text.clone(),
                    kind: XmlKind::Document,
                });
                let slot = self.remember_amf0(&value)?;
                self.note(start, Event::XmlDocument { text: &text, slot });
                value
            }
            m::AVMPLUS => {
                self.note(start, Event::Begin(Composite::Avmplus));
                let v = self.read_amf3()?;
                self.note(self.r.pos(), Event::End);
                v
            }
            m::MOVIECLIP => {
                return Err(self.marker_error(start, DecodeErrorKind::Unsupported("AMF0 movieclip")))
            }
            m::RECORDSET => {
                return Err(self.marker_error(start, DecodeErrorKind::Unsupported("AMF0 recordset")))
            }
            m::OBJECT_END => {
                return Err(self.marker_error(
                    start,
                    DecodeErrorKind::Unsupported("AMF0 object end outside an object"),
                ))
            }
            other => {
                return Err(self.marker_error(
                    start,
                    DecodeErrorKind::UnknownMarker {
                        format: "AMF0",
                        marker: other,
                    },
                ))
            }
        };
        Ok(value)
    }

    fn reserve_amf0(&mut self) -> Result<usize, DecodeError> {
        let (len, capacity) = (self.amf0_objects.len(), self.amf0_objects.capacity());
        self.charge_push::<Option<Value>>(len, capacity)?;
        self.amf0_objects.push(None);
        Ok(self.amf0_objects.len() - 1)
    }

    /// Gives a complete value (a Date or XML document) the next slot: Flash
    /// Player numbers them with the objects and arrays, and refers to a
    /// repeated one by that slot.
    fn remember_amf0(&mut self, v: &Value) -> Result<u32, DecodeError> {
        let slot = self.reserve_amf0()?;
        self.amf0_objects[slot] = Some(v.clone());
        Ok(slot as u32)
    }

    fn fill_amf0(&mut self, slot: usize, v: Value) -> Value {
        self.amf0_objects[slot] = Some(v.clone());
        self.note(self.r.pos(), Event::End);
        v
    }

    /// Reads `name, value` pairs up to the empty name and object-end marker.
    fn read_amf0_members(&mut self) -> Result<Vec<(Str, Value)>, DecodeError> {
        let mut members = Vec::new();
        loop {
            let at = self.r.pos();
            self.expect(Piece::MemberName);
            let key = self.read_utf()?;
            // An empty name ends the members only when the end marker follows;
            // otherwise it is a member whose name is empty.
            if key.is_empty() && self.r.peek() == Some(m::OBJECT_END) {
                self.r.u8()?;
                self.note(at, Event::MembersEnd);
                return Ok(members);
            }
            self.check_count(members.len() as u64 + 1)?;
            self.charge_push::<(Str, Value)>(members.len(), members.capacity())?;
            self.note(at, Event::MemberName(&key));
            members.push((key, self.read_amf0()?));
        }
    }

    fn read_amf0_object(&mut self, start: usize, class: Option<Str>) -> Result<Value, DecodeError> {
        let slot = self.reserve_amf0()?;
        let event = Composite::Amf0Object {
            class: class.as_deref(),
            slot: slot as u32,
        };
        self.note(start, Event::Begin(event));
        // The object and, when typed, its own traits.
        self.charge(composite::<Object, Traits>(1))?;
        let members = self.read_amf0_members()?;
        let object = match class {
            None => Object {
                traits: Traits::anonymous(),
                sealed: Vec::new(),
                dynamic: members,
            },
            // A typed AMF0 object lists its members by name; they become the
            // sealed members of its class.
            Some(class) => {
                let (sealed_names, sealed) = members.into_iter().unzip();
                Object {
                    traits: Arc::new(Traits {
                        class,
                        sealed: sealed_names,
                        dynamic: false,
                    }),
                    sealed,
                    dynamic: Vec::new(),
                }
            }
        };
        Ok(self.fill_amf0(slot, Value::Object(Arc::new(object))))
    }

    fn read_ecma_array(&mut self, start: usize) -> Result<Value, DecodeError> {
        // The count is only a hint; the members end with the object-end marker.
        self.expect(Piece::EcmaCount);
        let count = self.r.u32()?;
        let slot = self.reserve_amf0()?;
        let event = Composite::EcmaArray {
            count,
            slot: slot as u32,
        };
        self.note(start, Event::Begin(event));
        let assoc = self.read_amf0_members()?;
        let array = Array {
            dense: Vec::new(),
            assoc,
        };
        Ok(self.fill_amf0(slot, Value::Array(Arc::new(array))))
    }

    fn read_strict_array(&mut self, start: usize) -> Result<Value, DecodeError> {
        self.expect(Piece::ArrayLength);
        let len = self.r.u32()?;
        let n = self.check_items(u64::from(len), 1)?;
        let slot = self.reserve_amf0()?;
        self.note(
            start,
            Event::Begin(Composite::StrictArray {
                len,
                slot: slot as u32,
            }),
        );
        let dense = self.read_amf0_items(n)?;
        Ok(self.fill_amf0(slot, Value::array(dense)))
    }

    /// Reads a request's argument array the way PyAMF, py3amf and AmFast
    /// write it: a strict array that takes no slot in the object table.
    /// The array itself is not reported to the trace (see [`crate::Packet`]).
    pub(crate) fn read_uncounted_args(&mut self) -> Result<Value, DecodeError> {
        let start = self.r.pos();
        self.expect(Piece::Amf0Marker);
        if self.r.u8()? != m::STRICT_ARRAY {
            let kind = DecodeErrorKind::Unsupported("request arguments other than a strict array");
            return Err(self.marker_error(start, kind));
        }
        self.expect(Piece::ArrayLength);
        let len = self.r.u32()?;
        let n = self.check_items(u64::from(len), 1)?;
        self.nested(|d| d.read_amf0_items(n)).map(Value::array)
    }

    fn read_amf0_items(&mut self, n: usize) -> Result<Vec<Value>, DecodeError> {
        self.charge(composite::<Array, Value>(n))?;
        let mut dense = Vec::with_capacity(n);
        for _ in 0..n {
            dense.push(self.read_amf0()?);
        }
        Ok(dense)
    }
}
