//! AMF3 decoding.

use super::marker as m;
use crate::decoder::{Decoder, TraitsEntry};
use crate::error::{DecodeError, DecodeErrorKind, Table};
use crate::text::Str;
use crate::value::{
    Array, Date, Dictionary, Object, ObjectVector, Traits, Value, Vector, Xml, XmlKind,
};
use std::sync::Arc;

/// The low bit of a U29 header: 1 = inline value follows, 0 = reference.
enum Header {
    Inline(u32),
    Reference(u32),
}

impl Decoder<'_> {
    /// Reads one AMF3 value.
    pub fn read_amf3(&mut self) -> Result<Value, DecodeError> {
        let marker = self.r.u8()?;
        Ok(match marker {
            m::UNDEFINED => Value::Undefined,
            m::NULL => Value::Null,
            m::FALSE => Value::Bool(false),
            m::TRUE => Value::Bool(true),
            m::INTEGER => Value::Integer(self.read_amf3_int()?),
            m::DOUBLE => Value::Number(self.r.f64()?),
            m::STRING => Value::String(self.read_amf3_string()?),
            m::XML_DOC => self.read_xml(XmlKind::Document)?,
            m::XML => self.read_xml(XmlKind::E4x)?,
            m::DATE => self.read_date()?,
            m::ARRAY => self.nested(Self::read_array)?,
            m::OBJECT => self.nested(Self::read_object)?,
            m::BYTE_ARRAY => self.read_byte_array()?,
            m::VECTOR_INT => self.read_vector(4, |r| Ok(r.r.u32()? as i32), Value::VectorInt)?,
            m::VECTOR_UINT => self.read_vector(4, |r| r.r.u32(), Value::VectorUint)?,
            m::VECTOR_DOUBLE => self.read_vector(8, |r| r.r.f64(), Value::VectorNumber)?,
            m::VECTOR_OBJECT => self.nested(Self::read_object_vector)?,
            m::DICTIONARY => self.nested(Self::read_dictionary)?,
            other => {
                return Err(self.r.error(DecodeErrorKind::UnknownMarker {
                    format: "AMF3",
                    marker: other,
                }))
            }
        })
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
        let v = self.read_u29()?;
        Ok(if v & 1 == 1 {
            Header::Inline(v >> 1)
        } else {
            Header::Reference(v >> 1)
        })
    }

    /// Reads an AMF3 string body (after the marker), resolving references.
    pub fn read_amf3_string(&mut self) -> Result<Str, DecodeError> {
        match self.read_header()? {
            Header::Reference(i) => self.strings.get(i as usize).cloned().ok_or_else(|| {
                self.r.error(DecodeErrorKind::BadReference {
                    table: Table::String,
                    index: i,
                })
            }),
            Header::Inline(0) => Ok(Str::default()),
            Header::Inline(len) => {
                let len = self.r.check_len(u64::from(len), 1)?;
                let s = self.r.utf8(len)?;
                self.strings.push(s.clone());
                Ok(s)
            }
        }
    }

    fn object_ref(&self, index: u32) -> Result<Value, DecodeError> {
        self.lookup(Table::Object, &self.objects, index)
    }

    /// Registers a value that needs no placeholder (no children).
    fn remember(&mut self, v: Value) -> Value {
        self.objects.push(Some(v.clone()));
        v
    }

    /// Reserves an object-table slot before the children are read, so that
    /// references inside them number correctly.
    fn reserve(&mut self) -> usize {
        self.objects.push(None);
        self.objects.len() - 1
    }

    fn fill(&mut self, slot: usize, v: Value) -> Value {
        self.objects[slot] = Some(v.clone());
        v
    }

    fn read_xml(&mut self, kind: XmlKind) -> Result<Value, DecodeError> {
        match self.read_header()? {
            Header::Reference(i) => self.object_ref(i),
            Header::Inline(len) => {
                let len = self.r.check_len(u64::from(len), 1)?;
                let text = self.r.utf8(len)?;
                Ok(self.remember(Value::Xml(Xml { text, kind })))
            }
        }
    }

    fn read_date(&mut self) -> Result<Value, DecodeError> {
        match self.read_header()? {
            Header::Reference(i) => self.object_ref(i),
            Header::Inline(_) => {
                let millis = self.r.f64()?;
                Ok(self.remember(Value::Date(Date { millis })))
            }
        }
    }

    fn read_byte_array(&mut self) -> Result<Value, DecodeError> {
        match self.read_header()? {
            Header::Reference(i) => self.object_ref(i),
            Header::Inline(len) => {
                let len = self.r.check_len(u64::from(len), 1)?;
                let b = self.r.bytes(len)?;
                Ok(self.remember(Value::ByteArray(b)))
            }
        }
    }

    fn read_array(&mut self) -> Result<Value, DecodeError> {
        let dense_len = match self.read_header()? {
            Header::Reference(i) => return self.object_ref(i),
            Header::Inline(n) => n,
        };
        let slot = self.reserve();
        let mut assoc = Vec::new();
        loop {
            let key = self.read_amf3_string()?;
            if key.is_empty() {
                break;
            }
            self.check_count(assoc.len() as u64 + 1)?;
            assoc.push((key, self.read_amf3()?));
        }
        let n = self.check_items(u64::from(dense_len), 1)?;
        let mut dense = Vec::with_capacity(n);
        for _ in 0..n {
            dense.push(self.read_amf3()?);
        }
        Ok(self.fill(slot, Value::Array(Arc::new(Array { dense, assoc }))))
    }

    fn read_object(&mut self) -> Result<Value, DecodeError> {
        let header = match self.read_header()? {
            Header::Reference(i) => return self.object_ref(i),
            Header::Inline(h) => h,
        };
        let slot = self.reserve();
        let traits = self.read_traits(header)?;
        let value = match traits {
            TraitsEntry::External(class) => {
                let reader = self
                    .registry
                    .reader(&class)
                    .ok_or_else(|| self.r.error(DecodeErrorKind::UnknownExternal(class.into())))?;
                reader(self)?
            }
            TraitsEntry::Object(traits) => {
                let mut sealed = Vec::with_capacity(traits.sealed.len());
                for _ in 0..traits.sealed.len() {
                    sealed.push(self.read_amf3()?);
                }
                let mut dynamic = Vec::new();
                if traits.dynamic {
                    loop {
                        let key = self.read_amf3_string()?;
                        if key.is_empty() {
                            break;
                        }
                        self.check_count(dynamic.len() as u64 + 1)?;
                        dynamic.push((key, self.read_amf3()?));
                    }
                }
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
    fn read_traits(&mut self, header: u32) -> Result<TraitsEntry, DecodeError> {
        if header & 1 == 0 {
            let index = header >> 1;
            return self.traits.get(index as usize).cloned().ok_or_else(|| {
                self.r.error(DecodeErrorKind::BadReference {
                    table: Table::Traits,
                    index,
                })
            });
        }
        let entry = if header & 2 != 0 {
            TraitsEntry::External(self.read_amf3_string()?)
        } else {
            let dynamic = header & 4 != 0;
            let count = self.check_items(u64::from(header >> 3), 1)?;
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
        self.traits.push(entry.clone());
        Ok(entry)
    }

    fn read_vector<T>(
        &mut self,
        unit: usize,
        item: impl Fn(&mut Self) -> Result<T, DecodeError>,
        wrap: impl FnOnce(Arc<Vector<T>>) -> Value,
    ) -> Result<Value, DecodeError> {
        let len = match self.read_header()? {
            Header::Reference(i) => return self.object_ref(i),
            Header::Inline(n) => n,
        };
        let fixed = self.r.u8()? != 0;
        let n = self.check_items(u64::from(len), unit)?;
        let mut items = Vec::with_capacity(n);
        for _ in 0..n {
            items.push(item(self)?);
        }
        Ok(self.remember(wrap(Arc::new(Vector { fixed, items }))))
    }

    fn read_object_vector(&mut self) -> Result<Value, DecodeError> {
        let len = match self.read_header()? {
            Header::Reference(i) => return self.object_ref(i),
            Header::Inline(n) => n,
        };
        let slot = self.reserve();
        let fixed = self.r.u8()? != 0;
        let type_name = self.read_amf3_string()?;
        let n = self.check_items(u64::from(len), 1)?;
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

    fn read_dictionary(&mut self) -> Result<Value, DecodeError> {
        let len = match self.read_header()? {
            Header::Reference(i) => return self.object_ref(i),
            Header::Inline(n) => n,
        };
        let slot = self.reserve();
        let weak_keys = self.r.u8()? != 0;
        let n = self.check_items(u64::from(len), 2)?;
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
