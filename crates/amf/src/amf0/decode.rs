//! AMF0 decoding.

use super::marker as m;
use crate::decoder::Decoder;
use crate::error::{DecodeError, DecodeErrorKind, Table};
use crate::text::Str;
use crate::value::{Array, Date, Object, Traits, Value, Xml, XmlKind};
use std::sync::Arc;

impl Decoder<'_> {
    /// Reads one AMF0 value (an avmplus marker switches that value to AMF3).
    pub fn read_amf0(&mut self) -> Result<Value, DecodeError> {
        let marker = self.r.u8()?;
        Ok(match marker {
            m::NUMBER => Value::Number(self.r.f64()?),
            m::BOOLEAN => Value::Bool(self.r.u8()? != 0),
            m::STRING => Value::String(self.read_utf()?),
            m::LONG_STRING => Value::String(self.read_utf_long()?),
            m::NULL => Value::Null,
            m::UNDEFINED | m::UNSUPPORTED => Value::Undefined,
            m::REFERENCE => {
                let i = self.r.u16()?;
                self.lookup(Table::Amf0Object, &self.amf0_objects, u32::from(i))?
            }
            m::OBJECT => self.nested(|d| d.read_amf0_object(Str::default()))?,
            m::TYPED_OBJECT => {
                let class = self.read_utf()?;
                self.nested(|d| d.read_amf0_object(class))?
            }
            m::ECMA_ARRAY => self.nested(Self::read_ecma_array)?,
            m::STRICT_ARRAY => self.nested(Self::read_strict_array)?,
            m::DATE => {
                let millis = self.r.f64()?;
                // The time zone is reserved and ignored by every player.
                self.r.i16()?;
                Value::Date(Date { millis })
            }
            m::XML_DOCUMENT => Value::Xml(Xml {
                text: self.read_utf_long()?,
                kind: XmlKind::Document,
            }),
            m::AVMPLUS => self.read_amf3()?,
            m::MOVIECLIP => {
                return Err(self.r.error(DecodeErrorKind::Unsupported("AMF0 movieclip")))
            }
            m::RECORDSET => {
                return Err(self.r.error(DecodeErrorKind::Unsupported("AMF0 recordset")))
            }
            m::OBJECT_END => {
                return Err(self.r.error(DecodeErrorKind::Unsupported(
                    "AMF0 object end outside an object",
                )))
            }
            other => {
                return Err(self.r.error(DecodeErrorKind::UnknownMarker {
                    format: "AMF0",
                    marker: other,
                }))
            }
        })
    }

    fn reserve_amf0(&mut self) -> usize {
        self.amf0_objects.push(None);
        self.amf0_objects.len() - 1
    }

    fn fill_amf0(&mut self, slot: usize, v: Value) -> Value {
        self.amf0_objects[slot] = Some(v.clone());
        v
    }

    /// Reads `name, value` pairs up to the empty name and object-end marker.
    fn read_amf0_members(&mut self) -> Result<Vec<(Str, Value)>, DecodeError> {
        let mut members = Vec::new();
        loop {
            let key = self.read_utf()?;
            // An empty name ends the members only when the end marker follows;
            // otherwise it is a member whose name is empty.
            if key.is_empty() && self.r.peek() == Some(m::OBJECT_END) {
                self.r.u8()?;
                return Ok(members);
            }
            self.check_count(members.len() as u64 + 1)?;
            members.push((key, self.read_amf0()?));
        }
    }

    fn read_amf0_object(&mut self, class: Str) -> Result<Value, DecodeError> {
        let slot = self.reserve_amf0();
        let members = self.read_amf0_members()?;
        let object = if class.is_empty() {
            Object {
                traits: Traits::anonymous(),
                sealed: Vec::new(),
                dynamic: members,
            }
        } else {
            // A typed AMF0 object lists its members by name; they become the
            // sealed members of its class.
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
        };
        Ok(self.fill_amf0(slot, Value::Object(Arc::new(object))))
    }

    fn read_ecma_array(&mut self) -> Result<Value, DecodeError> {
        // The count is only a hint; the members end with the object-end marker.
        self.r.u32()?;
        let slot = self.reserve_amf0();
        let assoc = self.read_amf0_members()?;
        let array = Array {
            dense: Vec::new(),
            assoc,
        };
        Ok(self.fill_amf0(slot, Value::Array(Arc::new(array))))
    }

    fn read_strict_array(&mut self) -> Result<Value, DecodeError> {
        let n = self.r.u32()?;
        let n = self.check_items(u64::from(n), 1)?;
        let slot = self.reserve_amf0();
        let mut dense = Vec::with_capacity(n);
        for _ in 0..n {
            dense.push(self.read_amf0()?);
        }
        Ok(self.fill_amf0(slot, Value::array(dense)))
    }
}
