//! AMF0 encoding.

use super::marker as m;
use crate::encoder::{buffer_identity, identity, Encoder, Identity};
use crate::error::EncodeError;
use crate::value::{Value, XmlKind};

impl Encoder<'_> {
    /// Writes one AMF0 value. Types AMF0 lacks (ByteArray, vectors,
    /// dictionaries, externalizable objects, E4X XML) switch to AMF3.
    pub fn write_amf0(&mut self, v: &Value) -> Result<(), EncodeError> {
        match v {
            Value::Undefined => self.write_u8(m::UNDEFINED),
            Value::Null => self.write_u8(m::NULL),
            Value::Bool(b) => {
                self.write_u8(m::BOOLEAN);
                self.write_u8(u8::from(*b));
            }
            Value::Integer(i) => {
                self.write_u8(m::NUMBER);
                self.write_f64(f64::from(*i));
            }
            Value::Number(n) => {
                self.write_u8(m::NUMBER);
                self.write_f64(*n);
            }
            Value::String(s) => self.write_amf0_string(s)?,
            Value::Date(d) => {
                // A date takes a slot, as in Flash Player; dates carry no
                // identity here, so an equal one is never written as a reference.
                self.amf0_count += 1;
                self.write_u8(m::DATE);
                self.write_f64(d.millis);
                self.write_u16(0);
            }
            Value::Xml(x) if x.kind == XmlKind::Document => {
                // The same text buffer is the same document (as a decoded
                // reference yields): referenced, as Flash Player does.
                if self.write_amf0_ref(buffer_identity(x.text.as_bytes()), v) {
                    return Ok(());
                }
                self.write_u8(m::XML_DOCUMENT);
                self.write_long_len(x.text.len())?;
                self.write_bytes(x.text.as_bytes());
            }
            Value::Array(a) => {
                if self.write_amf0_ref(identity(a), v) {
                    return Ok(());
                }
                if a.assoc.is_empty() {
                    self.write_u8(m::STRICT_ARRAY);
                    self.write_long_len(a.dense.len())?;
                    for v in &a.dense {
                        self.write_amf0(v)?;
                    }
                } else {
                    self.write_u8(m::ECMA_ARRAY);
                    let named = a.assoc.iter().filter(|(k, _)| !k.is_empty()).count();
                    self.write_long_len(a.dense.len() + named)?;
                    for (i, v) in a.dense.iter().enumerate() {
                        self.write_utf(&i.to_string())?;
                        self.write_amf0(v)?;
                    }
                    // An empty key is the start of the end marker: left out.
                    for (k, v) in a.assoc.iter().filter(|(k, _)| !k.is_empty()) {
                        self.write_utf(k)?;
                        self.write_amf0(v)?;
                    }
                    self.write_bytes(&[0, 0, m::OBJECT_END]);
                }
            }
            Value::Object(o) => {
                if self.write_amf0_ref(identity(o), v) {
                    return Ok(());
                }
                if o.class().is_empty() {
                    self.write_u8(m::OBJECT);
                } else {
                    self.write_u8(m::TYPED_OBJECT);
                    self.write_utf(o.class())?;
                }
                // An empty key is the start of the end marker: left out.
                for (k, v) in o.members().filter(|(k, _)| !k.is_empty()) {
                    self.write_utf(k)?;
                    self.write_amf0(v)?;
                }
                self.write_bytes(&[0, 0, m::OBJECT_END]);
            }
            _ => self.write_avmplus(v)?,
        }
        Ok(())
    }

    /// Writes the avmplus marker and the value in AMF3, as Flash Player does
    /// for every value when the connection's object encoding is AMF3.
    pub fn write_avmplus(&mut self, v: &Value) -> Result<(), EncodeError> {
        self.write_u8(m::AVMPLUS);
        self.write_amf3(v)
    }

    fn write_amf0_string(&mut self, s: &str) -> Result<(), EncodeError> {
        if let Ok(len) = u16::try_from(s.len()) {
            self.write_u8(m::STRING);
            self.write_u16(len);
        } else {
            self.write_u8(m::LONG_STRING);
            self.write_long_len(s.len())?;
        }
        self.write_bytes(s.as_bytes());
        Ok(())
    }

    fn write_long_len(&mut self, len: usize) -> Result<(), EncodeError> {
        let len = u32::try_from(len).map_err(|_| EncodeError::TooLong(len))?;
        self.write_u32(len);
        Ok(())
    }

    /// Writes an AMF0 reference when `id` was written before; otherwise
    /// claims the next slot. The table holds objects, arrays, dates and
    /// XML documents.
    fn write_amf0_ref(&mut self, id: Option<Identity>, value: &Value) -> bool {
        let Some(id) = id else {
            self.amf0_count += 1;
            return false;
        };
        if let Some(&i) = self.amf0_objects.get(&id) {
            self.write_u8(m::REFERENCE);
            self.write_u16(i);
            return true;
        }
        self.keep_alive.push(value.clone());
        if let Ok(i) = u16::try_from(self.amf0_count) {
            self.amf0_objects.insert(id, i);
        }
        self.amf0_count += 1;
        false
    }
}
