//! AMF3 encoding.

use super::marker as m;
use super::{INT_MAX, INT_MIN, MAX_LEN};
use crate::encoder::{buffer_identity, identity, Encoder, Identity};
use crate::error::EncodeError;
use crate::external::Externalizable;
use crate::text::Str;
use crate::value::{Object, Value, XmlKind};
use std::collections::hash_map::Entry;
use std::sync::Arc;

impl Encoder<'_> {
    /// Writes one AMF3 value.
    pub fn write_amf3(&mut self, v: &Value) -> Result<(), EncodeError> {
        match v {
            Value::Undefined => self.write_u8(m::UNDEFINED),
            Value::Null => self.write_u8(m::NULL),
            Value::Bool(false) => self.write_u8(m::FALSE),
            Value::Bool(true) => self.write_u8(m::TRUE),
            Value::Integer(i) if (INT_MIN..=INT_MAX).contains(i) => {
                self.write_u8(m::INTEGER);
                self.write_u29((*i as u32) & 0x1FFF_FFFF);
            }
            Value::Integer(i) => {
                self.write_u8(m::DOUBLE);
                self.write_f64(f64::from(*i));
            }
            Value::Number(n) => {
                self.write_u8(m::DOUBLE);
                self.write_f64(*n);
            }
            Value::String(s) => {
                self.write_u8(m::STRING);
                self.write_shared_str(s)?;
            }
            Value::Date(d) => {
                self.write_u8(m::DATE);
                self.object_count += 1;
                self.write_u29(1);
                self.write_f64(d.millis);
            }
            Value::Xml(x) => {
                self.write_u8(match x.kind {
                    XmlKind::Document => m::XML_DOC,
                    XmlKind::E4x => m::XML,
                });
                self.write_buffer(x.text.as_bytes(), v)?;
            }
            Value::ByteArray(b) => {
                self.write_u8(m::BYTE_ARRAY);
                self.write_buffer(b, v)?;
            }
            Value::Array(a) => {
                self.write_u8(m::ARRAY);
                if self.write_object_ref(identity(a), v) {
                    return Ok(());
                }
                self.write_inline_len(a.dense.len())?;
                // The empty name ends the associative part: left out.
                for (k, v) in a.assoc.iter().filter(|(k, _)| !k.is_empty()) {
                    self.write_shared_str(k)?;
                    self.write_amf3(v)?;
                }
                self.write_amf3_str("")?;
                for v in &a.dense {
                    self.write_amf3(v)?;
                }
            }
            Value::Object(o) => {
                self.write_u8(m::OBJECT);
                if !self.write_object_ref(identity(o), v) {
                    self.write_object_body(o)?;
                }
            }
            Value::External(e) => {
                self.write_u8(m::OBJECT);
                if !self.write_object_ref(identity(e), v) {
                    self.write_external(e.as_ref())?;
                }
            }
            Value::VectorInt(vec) => {
                self.write_u8(m::VECTOR_INT);
                if !self.write_vector_head(identity(vec), v, vec.items.len(), vec.fixed)? {
                    for i in &vec.items {
                        self.write_u32(*i as u32);
                    }
                }
            }
            Value::VectorUint(vec) => {
                self.write_u8(m::VECTOR_UINT);
                if !self.write_vector_head(identity(vec), v, vec.items.len(), vec.fixed)? {
                    for i in &vec.items {
                        self.write_u32(*i);
                    }
                }
            }
            Value::VectorNumber(vec) => {
                self.write_u8(m::VECTOR_DOUBLE);
                if !self.write_vector_head(identity(vec), v, vec.items.len(), vec.fixed)? {
                    for n in &vec.items {
                        self.write_f64(*n);
                    }
                }
            }
            Value::VectorObject(vec) => {
                self.write_u8(m::VECTOR_OBJECT);
                if !self.write_vector_head(identity(vec), v, vec.items.len(), vec.fixed)? {
                    self.write_shared_str(&vec.type_name)?;
                    for v in &vec.items {
                        self.write_amf3(v)?;
                    }
                }
            }
            Value::Dictionary(d) => {
                self.write_u8(m::DICTIONARY);
                if !self.write_vector_head(identity(d), v, d.entries.len(), d.weak_keys)? {
                    for (k, v) in &d.entries {
                        self.write_amf3(k)?;
                        self.write_amf3(v)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Writes a U29 (values above 29 bits are truncated).
    pub fn write_u29(&mut self, v: u32) {
        let v = v & 0x1FFF_FFFF;
        match v {
            0..=0x7F => self.write_u8(v as u8),
            0x80..=0x3FFF => {
                self.write_bytes(&[(v >> 7) as u8 | 0x80, (v & 0x7F) as u8]);
            }
            0x4000..=0x1F_FFFF => self.write_bytes(&[
                (v >> 14) as u8 | 0x80,
                (v >> 7) as u8 | 0x80,
                (v & 0x7F) as u8,
            ]),
            _ => self.write_bytes(&[
                (v >> 22) as u8 | 0x80,
                (v >> 15) as u8 | 0x80,
                (v >> 8) as u8 | 0x80,
                v as u8,
            ]),
        }
    }

    fn write_inline_len(&mut self, len: usize) -> Result<(), EncodeError> {
        if len > MAX_LEN {
            return Err(EncodeError::TooLong(len));
        }
        self.write_u29(((len as u32) << 1) | 1);
        Ok(())
    }

    /// Writes an AMF3 string body (no marker), as a reference when already sent.
    pub fn write_amf3_str(&mut self, s: &str) -> Result<(), EncodeError> {
        if self.write_str_ref(s) {
            return Ok(());
        }
        self.write_str_inline(s, || Str::from(s))
    }

    /// Like [`Encoder::write_amf3_str`], but remembers the string by sharing
    /// its buffer instead of copying it, hashing it once.
    pub(crate) fn write_shared_str(&mut self, s: &Str) -> Result<(), EncodeError> {
        if s.is_empty() {
            self.write_u8(0x01);
            return Ok(());
        }
        let next = self.strings.len() as u32;
        match self.strings.entry(s.clone()) {
            Entry::Occupied(e) => {
                let i = *e.get();
                self.write_u29(i << 1);
                Ok(())
            }
            Entry::Vacant(e) => {
                e.insert(next);
                self.write_inline_len(s.len())?;
                self.write_bytes(s.as_bytes());
                Ok(())
            }
        }
    }

    /// Writes the empty string or a reference; `false` when `s` must go inline.
    fn write_str_ref(&mut self, s: &str) -> bool {
        if s.is_empty() {
            self.write_u8(0x01);
            return true;
        }
        match self.strings.get(s) {
            Some(&i) => {
                self.write_u29(i << 1);
                true
            }
            None => false,
        }
    }

    fn write_str_inline(&mut self, s: &str, key: impl FnOnce() -> Str) -> Result<(), EncodeError> {
        self.write_inline_len(s.len())?;
        self.write_bytes(s.as_bytes());
        let index = self.strings.len() as u32;
        self.strings.insert(key(), index);
        Ok(())
    }

    /// Writes a length-prefixed buffer (ByteArray or XML body) or a reference to it.
    fn write_buffer(&mut self, b: &[u8], value: &Value) -> Result<(), EncodeError> {
        match buffer_identity(b) {
            Some(id) if self.write_object_ref(id, value) => return Ok(()),
            Some(_) => {}
            None => self.object_count += 1,
        }
        self.write_inline_len(b.len())?;
        self.write_bytes(b);
        Ok(())
    }

    /// Writes a reference if `id` was written before; otherwise claims the
    /// next object slot for it and returns `false`.
    fn write_object_ref(&mut self, id: Identity, value: &Value) -> bool {
        if let Some(&i) = self.objects.get(&id) {
            self.write_u29(i << 1);
            return true;
        }
        self.keep_alive.push(value.clone());
        self.objects.insert(id, self.object_count);
        self.object_count += 1;
        false
    }

    fn write_vector_head(
        &mut self,
        id: Identity,
        value: &Value,
        len: usize,
        flag: bool,
    ) -> Result<bool, EncodeError> {
        if self.write_object_ref(id, value) {
            return Ok(true);
        }
        self.write_inline_len(len)?;
        self.write_u8(u8::from(flag));
        Ok(false)
    }

    fn write_object_body(&mut self, o: &Arc<Object>) -> Result<(), EncodeError> {
        let t = &o.traits;
        let address = Arc::as_ptr(t) as usize;
        let known = self
            .traits_by_address
            .get(&address)
            .or_else(|| self.traits.get(t))
            .copied();
        if let Some(i) = known {
            self.write_u29((i << 2) | 1);
        } else {
            let count = t.sealed.len();
            if count > (MAX_LEN >> 2) {
                return Err(EncodeError::TooLong(count));
            }
            let dynamic = if t.dynamic { 0b1000 } else { 0 };
            self.write_u29(((count as u32) << 4) | dynamic | 0b011);
            self.write_shared_str(&t.class)?;
            for name in &t.sealed {
                self.write_shared_str(name)?;
            }
            self.traits_by_address.insert(address, self.traits_count);
            self.traits.insert(t.clone(), self.traits_count);
            self.traits_count += 1;
        }
        for i in 0..t.sealed.len() {
            self.write_amf3(o.sealed.get(i).unwrap_or(&Value::Null))?;
        }
        if t.dynamic {
            // The empty name ends the dynamic members on the wire, so a
            // member named "" (possible from a sealed trait, or built in
            // code) cannot be written: it is left out rather than
            // corrupting everything after it (found by fuzzing).
            for (k, v) in o.dynamic.iter().filter(|(k, _)| !k.is_empty()) {
                self.write_shared_str(k)?;
                self.write_amf3(v)?;
            }
            self.write_amf3_str("")?;
        }
        Ok(())
    }

    fn write_external(&mut self, e: &dyn Externalizable) -> Result<(), EncodeError> {
        let class = e.class_name();
        if let Some(&i) = self.external_traits.get(class) {
            self.write_u29((i << 2) | 1);
        } else {
            self.write_u29(0b0111);
            self.write_amf3_str(class)?;
            self.external_traits
                .insert(Str::from(class), self.traits_count);
            self.traits_count += 1;
        }
        e.write_external(self)
    }
}
