//! AMF3 encoding.

use super::marker as m;
use super::{INT_MAX, INT_MIN, MAX_LEN};
use crate::encoder::{buffer_identity, identity, Encoder, Identity};
use crate::error::EncodeError;
use crate::external::Externalizable;
use crate::text::Str;
use crate::value::{Object, Value, XmlKind};
use std::sync::Arc;

impl Encoder<'_> {
    /// Writes one AMF3 value.
    ///
    /// Scalars and strings are written here, inlined into the loops over
    /// members and elements; only composites go through the (large,
    /// recursive) [`Encoder::write_amf3_composite`]: a call per scalar
    /// cost more than writing it.
    #[inline(always)]
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
                return self.write_amf3_str(s);
            }
            _ => return self.write_amf3_composite(v),
        }
        Ok(())
    }

    /// Writes an AMF3 value that has a table slot (or none of the scalars).
    #[inline(never)]
    fn write_amf3_composite(&mut self, v: &Value) -> Result<(), EncodeError> {
        match v {
            Value::Undefined
            | Value::Null
            | Value::Bool(_)
            | Value::Integer(_)
            | Value::Number(_)
            | Value::String(_) => return self.write_amf3(v),
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
                    self.write_amf3_str(k)?;
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
                    self.write_amf3_str(&vec.type_name)?;
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
    #[inline]
    pub fn write_u29(&mut self, v: u32) {
        push_u29(self.out, v);
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
        if s.is_empty() {
            self.write_u8(0x01);
            return Ok(());
        }
        match self.strings.find(s.as_bytes(), self.out) {
            Ok(i) => self.write_u29(i << 1),
            Err(hash) => {
                self.write_inline_len(s.len())?;
                let at = self.out.len();
                self.write_bytes(s.as_bytes());
                // At most MAX_LEN (29 bits): checked by write_inline_len.
                self.strings.insert(hash, at, s.len() as u32);
            }
        }
        Ok(())
    }

    /// Writes a length-prefixed buffer (ByteArray or XML body) or a reference to it.
    fn write_buffer(&mut self, b: &[u8], value: &Value) -> Result<(), EncodeError> {
        if self.write_object_ref(buffer_identity(b), value) {
            return Ok(());
        }
        self.write_inline_len(b.len())?;
        self.write_bytes(b);
        Ok(())
    }

    /// Writes a reference if `id` was written before; otherwise claims the
    /// next object slot for it and returns `false`.
    fn write_object_ref(&mut self, id: Option<Identity>, value: &Value) -> bool {
        let Some(id) = id else {
            self.object_count += 1;
            return false;
        };
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
        id: Option<Identity>,
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
        let known = match self.last_traits {
            Some((a, i)) if a == address => Some(i),
            _ => match self.traits_by_address.get(&address) {
                Some(&i) => {
                    self.last_traits = Some((address, i));
                    Some(i)
                }
                None => self.traits.get(t).copied(),
            },
        };
        if let Some(i) = known {
            self.write_u29((i << 2) | 1);
        } else {
            let count = t.sealed.len();
            if count > (MAX_LEN >> 2) {
                return Err(EncodeError::TooLong(count));
            }
            let dynamic = if t.dynamic { 0b1000 } else { 0 };
            self.write_u29(((count as u32) << 4) | dynamic | 0b011);
            self.write_amf3_str(&t.class)?;
            for name in &t.sealed {
                self.write_amf3_str(name)?;
            }
            self.traits_by_address.insert(address, self.traits_count);
            self.last_traits = Some((address, self.traits_count));
            self.traits.insert(t.clone(), self.traits_count);
            self.traits_count += 1;
        }
        // Missing sealed values go as null.
        let missing = t.sealed.len().saturating_sub(o.sealed.len());
        for v in o.sealed.iter().take(t.sealed.len()) {
            self.write_amf3(v)?;
        }
        for _ in 0..missing {
            self.write_u8(m::NULL);
        }
        if t.dynamic {
            // The empty name ends the dynamic members on the wire, so a
            // member named "" (possible from a sealed trait, or built in
            // code) cannot be written: it is left out rather than
            // corrupting everything after it (found by fuzzing).
            for (k, v) in o.dynamic.iter().filter(|(k, _)| !k.is_empty()) {
                self.write_amf3_str(k)?;
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

/// Appends a U29 (values above 29 bits are truncated).
#[inline]
fn push_u29(out: &mut Vec<u8>, v: u32) {
    if v < 0x80 {
        out.push(v as u8);
    } else {
        push_u29_long(out, v);
    }
}

#[inline(never)]
fn push_u29_long(out: &mut Vec<u8>, v: u32) {
    let v = v & 0x1FFF_FFFF;
    match v {
        0..=0x7F => out.push(v as u8),
        0x80..=0x3FFF => out.extend_from_slice(&[(v >> 7) as u8 | 0x80, (v & 0x7F) as u8]),
        0x4000..=0x1F_FFFF => out.extend_from_slice(&[
            (v >> 14) as u8 | 0x80,
            (v >> 7) as u8 | 0x80,
            (v & 0x7F) as u8,
        ]),
        _ => out.extend_from_slice(&[
            (v >> 22) as u8 | 0x80,
            (v >> 15) as u8 | 0x80,
            (v >> 8) as u8 | 0x80,
            v as u8,
        ]),
    }
}
