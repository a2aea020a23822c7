//! AMF3 decoding.

use super::marker as m;
use super::vector::Element;
use crate::decoder::{Decoder, TraitsEntry};
use crate::error::{DecodeError, DecodeErrorKind, Table};
use crate::text::Str;
use crate::trace::{Composite, Event, Piece, RefKind, Trace, TraitsRef};
use crate::value::{
    Array, Date, Dictionary, Object, ObjectVector, Traits, Value, Vector, Xml, XmlKind,
};
use std::sync::Arc;

/// The low bit of a U29 header: 1 = inline value follows, 0 = reference.
enum Header {
    Inline(u32),
    Reference(u32),
}

/// Bytes an `Arc<C>` holding `n` items of `I` allocates: its counts, `C`, the items.
pub(crate) fn composite<C, I>(n: usize) -> usize {
    (2 * size_of::<usize>() + size_of::<C>()).saturating_add(n.saturating_mul(size_of::<I>()))
}

impl<T: Trace> Decoder<'_, T> {
    /// Reads one AMF3 value.
    pub fn read_amf3(&mut self) -> Result<Value, DecodeError> {
        let start = self.r.pos();
        self.expect(Piece::Amf3Marker);
        let marker = self.r.u8()?;
        let leaf = match marker {
            m::UNDEFINED => (Value::Undefined, Event::Undefined),
            m::NULL => (Value::Null, Event::Null),
            m::FALSE => (Value::Bool(false), Event::Bool(false)),
            m::TRUE => (Value::Bool(true), Event::Bool(true)),
            m::INTEGER => {
                self.expect(Piece::Integer);
                let i = self.read_amf3_int()?;
                (Value::Integer(i), Event::Integer(i))
            }
            m::DOUBLE => {
                self.expect(Piece::Double);
                let n = self.r.f64()?;
                (Value::Number(n), Event::Number(n))
            }
            m::STRING => {
                let s = self.read_amf3_string()?;
                self.note(start, Event::String(&s));
                return Ok(Value::String(s));
            }
            m::XML_DOC => return self.read_xml(start, XmlKind::Document),
            m::XML => return self.read_xml(start, XmlKind::E4x),
            m::DATE => return self.read_date(start),
            m::ARRAY => return self.nested(|d| d.read_array(start)),
            m::OBJECT => return self.nested(|d| d.read_object(start)),
            m::BYTE_ARRAY => return self.read_byte_array(start),
            m::VECTOR_INT => return self.read_vector::<i32>(start, RefKind::VectorInt),
            m::VECTOR_UINT => return self.read_vector::<u32>(start, RefKind::VectorUint),
            m::VECTOR_DOUBLE => return self.read_vector::<f64>(start, RefKind::VectorNumber),
            m::VECTOR_OBJECT => return self.nested(|d| d.read_object_vector(start)),
            m::DICTIONARY => return self.nested(|d| d.read_dictionary(start)),
            other => {
                return Err(self.marker_error(
                    start,
                    DecodeErrorKind::UnknownMarker {
                        format: "AMF3",
                        marker: other,
                    },
                ))
            }
        };
        self.note(start, leaf.1);
        Ok(leaf.0)
    }

    /// Reads a variable-length unsigned 29-bit integer.
    pub fn read_u29(&mut self) -> Result<u32, DecodeError> {
        let mut v: u32 = 0;
        for _ in 0..3 {
            let b = self.r.u8()?;
            v = (v << 7) | u32::from(b & 0x7F);
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        // The fourth byte contributes all eight bits.
        Ok((v << 8) | u32::from(self.r.u8()?))
    }

    /// Reads an AMF3 integer body (sign-extends the 29-bit value).
    pub(crate) fn read_amf3_int(&mut self) -> Result<i32, DecodeError> {
        let v = self.read_u29()?;
        Ok(((v << 3) as i32) >> 3)
    }

    fn read_header(&mut self) -> Result<Header, DecodeError> {
        self.expect(Piece::U29Header);
        let v = self.read_u29()?;
        Ok(if v & 1 == 1 {
            Header::Inline(v >> 1)
        } else {
            Header::Reference(v >> 1)
        })
    }

    /// Reads an AMF3 string body (after the marker), resolving references.
    pub fn read_amf3_string(&mut self) -> Result<Str, DecodeError> {
        self.expect(Piece::Amf3String);
        let v = self.read_u29()?;
        if v & 1 == 0 {
            let i = v >> 1;
            return self.strings.get(i as usize).cloned().ok_or_else(|| {
                self.r.error(DecodeErrorKind::BadReference {
                    table: Table::String,
                    index: i,
                })
            });
        }
        match v >> 1 {
            0 => Ok(Str::default()),
            len => {
                let len = self.r.check_len(u64::from(len), 1)?;
                let s = self.r.utf8(len)?;
                self.charge_push::<Str>(self.strings.len(), self.strings.capacity())?;
                self.strings.push(s.clone());
                Ok(s)
            }
        }
    }

    /// A reference into the object table, with the marker it came with.
    fn object_ref(
        &mut self,
        start: usize,
        index: u32,
        kind: RefKind,
    ) -> Result<Value, DecodeError> {
        let v = self.lookup(Table::Object, index)?;
        let event = Event::Reference {
            table: Table::Object,
            index,
            kind: Some(kind),
        };
        self.note(start, event);
        Ok(v)
    }

    /// The object-table slot the next inline value takes.
    fn next_slot(&self) -> u32 {
        self.objects.len() as u32
    }

    /// Registers a value that needs no placeholder (no children).
    fn remember(&mut self, v: Value) -> Result<Value, DecodeError> {
        self.charge_push::<Option<Value>>(self.objects.len(), self.objects.capacity())?;
        self.objects.push(Some(v.clone()));
        Ok(v)
    }

    /// Reserves an object-table slot before the children are read, so that
    /// references inside them number correctly.
    fn reserve(&mut self) -> Result<usize, DecodeError> {
        self.charge_push::<Option<Value>>(self.objects.len(), self.objects.capacity())?;
        self.objects.push(None);
        Ok(self.objects.len() - 1)
    }

    fn fill(&mut self, slot: usize, v: Value) -> Value {
        self.objects[slot] = Some(v.clone());
        self.note(self.r.pos(), Event::End);
        v
    }

    fn read_xml(&mut self, start: usize, kind: XmlKind) -> Result<Value, DecodeError> {
        match self.read_header()? {
            Header::Reference(i) => self.object_ref(start, i, RefKind::of_xml(kind)),
            Header::Inline(len) => {
                self.expect(Piece::Payload);
                let len = self.r.check_len(u64::from(len), 1)?;
                let text = self.r.utf8(len)?;
                let slot = self.next_slot();
                self.note(
                    start,
                    Event::Xml {
                        kind,
                        text: &text,
                        slot,
                    },
                );
                self.remember(Value::Xml(Xml { text, kind }))
            }
        }
    }

    fn read_date(&mut self, start: usize) -> Result<Value, DecodeError> {
        match self.read_header()? {
            Header::Reference(i) => self.object_ref(start, i, RefKind::Date),
            Header::Inline(_) => {
                self.expect(Piece::Double);
                let millis = self.r.f64()?;
                let slot = self.next_slot();
                self.note(start, Event::Date { millis, slot });
                self.remember(Value::Date(Date { millis }))
            }
        }
    }

    fn read_byte_array(&mut self, start: usize) -> Result<Value, DecodeError> {
        match self.read_header()? {
            Header::Reference(i) => self.object_ref(start, i, RefKind::ByteArray),
            Header::Inline(len) => {
                self.expect(Piece::Payload);
                let len = self.r.check_len(u64::from(len), 1)?;
                let b = self.r.bytes(len)?;
                let slot = self.next_slot();
                self.note(start, Event::ByteArray { bytes: &b, slot });
                self.remember(Value::ByteArray(b))
            }
        }
    }

    /// `key, value` pairs up to the empty key.
    fn read_members(&mut self) -> Result<Vec<(Str, Value)>, DecodeError> {
        let mut members = Vec::new();
        loop {
            let at = self.r.pos();
            let key = self.read_amf3_string()?;
            if key.is_empty() {
                self.note(at, Event::MembersEnd);
                return Ok(members);
            }
            self.check_count(members.len() as u64 + 1)?;
            self.charge_push::<(Str, Value)>(members.len(), members.capacity())?;
            self.note(at, Event::MemberName(&key));
            members.push((key, self.read_amf3()?));
        }
    }

    fn read_array(&mut self, start: usize) -> Result<Value, DecodeError> {
        let dense_len = match self.read_header()? {
            Header::Reference(i) => return self.object_ref(start, i, RefKind::Array),
            Header::Inline(n) => n,
        };
        let slot = self.reserve()?;
        let event = Composite::Array {
            dense: dense_len,
            slot: slot as u32,
        };
        self.note(start, Event::Begin(event));
        let assoc = self.read_members()?;
        let n = self.check_items(u64::from(dense_len), 1)?;
        self.charge(composite::<Array, Value>(n))?;
        let mut dense = Vec::with_capacity(n);
        for _ in 0..n {
            dense.push(self.read_amf3()?);
        }
        Ok(self.fill(slot, Value::Array(Arc::new(Array { dense, assoc }))))
    }

    fn read_object(&mut self, start: usize) -> Result<Value, DecodeError> {
        let header = match self.read_header()? {
            Header::Reference(i) => return self.object_ref(start, i, RefKind::Object),
            Header::Inline(h) => h,
        };
        let slot = self.reserve()?;
        let (traits, by) = self.read_traits(header)?;
        let value = match traits {
            TraitsEntry::External(class) => {
                let event = Composite::External {
                    class: &class,
                    by,
                    slot: slot as u32,
                };
                self.note(start, Event::Begin(event));
                self.expect(Piece::ExternalBody);
                let reader = self
                    .registry
                    .reader(&class)
                    .ok_or_else(|| self.r.error(DecodeErrorKind::UnknownExternal(class.into())))?;
                reader(self)?
            }
            TraitsEntry::Object(traits) => {
                let event = Composite::Object {
                    traits: &traits,
                    by,
                    slot: slot as u32,
                };
                self.note(start, Event::Begin(event));
                self.charge(composite::<Object, Value>(traits.sealed.len()))?;
                let mut sealed = Vec::with_capacity(traits.sealed.len());
                for _ in 0..traits.sealed.len() {
                    sealed.push(self.read_amf3()?);
                }
                let dynamic = if traits.dynamic {
                    self.read_members()?
                } else {
                    Vec::new()
                };
                Value::Object(Arc::new(Object {
                    traits,
                    sealed,
                    dynamic,
                }))
            }
        };
        Ok(self.fill(slot, value))
    }

    /// Reads traits given the object header with its first flag bit removed.
    fn read_traits(&mut self, header: u32) -> Result<(TraitsEntry, TraitsRef), DecodeError> {
        if header & 1 == 0 {
            let index = header >> 1;
            let entry = self.traits.get(index as usize).cloned().ok_or_else(|| {
                self.r.error(DecodeErrorKind::BadReference {
                    table: Table::Traits,
                    index,
                })
            })?;
            return Ok((entry, TraitsRef::Reference(index)));
        }
        let entry = if header & 2 != 0 {
            TraitsEntry::External(self.read_amf3_string()?)
        } else {
            let dynamic = header & 4 != 0;
            let count = self.check_items(u64::from(header >> 3), 1)?;
            self.charge(composite::<Traits, Str>(count))?;
            let class = self.read_amf3_string()?;
            let mut sealed = Vec::with_capacity(count);
            for _ in 0..count {
                sealed.push(self.read_amf3_string()?);
            }
            TraitsEntry::Object(Arc::new(Traits {
                class,
                sealed,
                dynamic,
            }))
        };
        self.charge_push::<TraitsEntry>(self.traits.len(), self.traits.capacity())?;
        let index = self.traits.len() as u32;
        self.traits.push(entry.clone());
        Ok((entry, TraitsRef::Inline(index)))
    }

    fn read_vector<E: Element>(
        &mut self,
        start: usize,
        kind: RefKind,
    ) -> Result<Value, DecodeError> {
        let len = match self.read_header()? {
            Header::Reference(i) => return self.object_ref(start, i, kind),
            Header::Inline(n) => n,
        };
        self.expect(Piece::FlagByte);
        let fixed = self.r.u8()? != 0;
        let n = self.check_items(u64::from(len), E::UNIT)?;
        self.charge(composite::<Vector<E>, E>(n))?;
        self.expect(Piece::VectorElement);
        let mut items = Vec::with_capacity(n);
        for _ in 0..n {
            items.push(E::read(self)?);
        }
        self.note(start, E::event(fixed, &items, self.next_slot()));
        self.remember(E::wrap(Arc::new(Vector { fixed, items })))
    }

    fn read_object_vector(&mut self, start: usize) -> Result<Value, DecodeError> {
        let len = match self.read_header()? {
            Header::Reference(i) => return self.object_ref(start, i, RefKind::VectorObject),
            Header::Inline(n) => n,
        };
        let slot = self.reserve()?;
        self.expect(Piece::FlagByte);
        let fixed = self.r.u8()? != 0;
        let type_name = self.read_amf3_string()?;
        let event = Composite::ObjectVector {
            len,
            fixed,
            type_name: &type_name,
            slot: slot as u32,
        };
        self.note(start, Event::Begin(event));
        let n = self.check_items(u64::from(len), 1)?;
        self.charge(composite::<ObjectVector, Value>(n))?;
        let mut items = Vec::with_capacity(n);
        for _ in 0..n {
            items.push(self.read_amf3()?);
        }
        let v = Value::VectorObject(Arc::new(ObjectVector {
            fixed,
            type_name,
            items,
        }));
        Ok(self.fill(slot, v))
    }

    fn read_dictionary(&mut self, start: usize) -> Result<Value, DecodeError> {
        let len = match self.read_header()? {
            Header::Reference(i) => return self.object_ref(start, i, RefKind::Dictionary),
            Header::Inline(n) => n,
        };
        let slot = self.reserve()?;
        self.expect(Piece::FlagByte);
        let weak_keys = self.r.u8()? != 0;
        let event = Composite::Dictionary {
            len,
            weak_keys,
            slot: slot as u32,
        };
        self.note(start, Event::Begin(event));
        let n = self.check_items(u64::from(len), 2)?;
        self.charge(composite::<Dictionary, (Value, Value)>(n))?;
        let mut entries = Vec::with_capacity(n);
        for _ in 0..n {
            let k = self.read_amf3()?;
            let v = self.read_amf3()?;
            entries.push((k, v));
        }
        let v = Value::Dictionary(Arc::new(Dictionary { weak_keys, entries }));
        Ok(self.fill(slot, v))
    }
}
