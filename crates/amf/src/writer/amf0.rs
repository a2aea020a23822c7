//! The AMF0 pieces of [`Writer`].

use super::Writer;
use crate::amf0::marker as m0;
use crate::error::{EncodeError, Table};

impl Writer<'_> {
    /// An AMF0 number.
    pub fn amf0_number(&mut self, n: f64) {
        self.e.write_u8(m0::NUMBER);
        self.e.write_f64(n);
    }

    /// An AMF0 boolean.
    pub fn amf0_bool(&mut self, b: bool) {
        self.e.write_u8(m0::BOOLEAN);
        self.e.write_u8(u8::from(b));
    }

    /// An AMF0 string, long when it does not fit a `u16` length.
    pub fn amf0_string(&mut self, s: &str) -> Result<(), EncodeError> {
        if u16::try_from(s.len()).is_err() {
            return self.amf0_long_string(s);
        }
        self.e.write_u8(m0::STRING);
        self.e.write_utf(s)
    }

    /// An AMF0 long string, whatever its length.
    pub fn amf0_long_string(&mut self, s: &str) -> Result<(), EncodeError> {
        self.e.write_u8(m0::LONG_STRING);
        self.long_text(s)
    }

    fn long_text(&mut self, s: &str) -> Result<(), EncodeError> {
        let len = u32::try_from(s.len()).map_err(|_| EncodeError::TooLong(s.len()))?;
        self.e.write_u32(len);
        self.e.write_bytes(s.as_bytes());
        Ok(())
    }

    /// AMF0 `null`.
    pub fn amf0_null(&mut self) {
        self.e.write_u8(m0::NULL);
    }

    /// AMF0 `undefined`.
    pub fn amf0_undefined(&mut self) {
        self.e.write_u8(m0::UNDEFINED);
    }

    /// AMF0 `unsupported`.
    pub fn amf0_unsupported(&mut self) {
        self.e.write_u8(m0::UNSUPPORTED);
    }

    /// An AMF0 reference to an object, array, date or XML document written before.
    pub fn amf0_reference(&mut self, index: u32) -> Result<(), EncodeError> {
        let bad = EncodeError::BadReference {
            table: Table::Amf0Object,
            index,
            available: self.amf0_objects,
        };
        let i = u16::try_from(index).map_err(|_| bad.clone())?;
        if index >= self.amf0_objects {
            return Err(bad);
        }
        self.e.write_u8(m0::REFERENCE);
        self.e.write_u16(i);
        Ok(())
    }

    /// Starts an AMF0 object (typed when `class` is given); members follow
    /// ([`Writer::amf0_member`] and a value each), then [`Writer::amf0_end`].
    pub fn amf0_object(&mut self, class: Option<&str>) -> Result<(), EncodeError> {
        match class {
            Some(class) => {
                self.e.write_u8(m0::TYPED_OBJECT);
                self.e.write_utf(class)?;
            }
            None => self.e.write_u8(m0::OBJECT),
        }
        self.amf0_objects += 1;
        Ok(())
    }

    /// Starts an AMF0 ECMA array with this declared count; members follow.
    pub fn amf0_ecma_array(&mut self, count: u32) {
        self.e.write_u8(m0::ECMA_ARRAY);
        self.e.write_u32(count);
        self.amf0_objects += 1;
    }

    /// The name of an AMF0 member; its value follows.
    pub fn amf0_member(&mut self, name: &str) -> Result<(), EncodeError> {
        self.e.write_utf(name)
    }

    /// Ends the members of an AMF0 object or ECMA array.
    pub fn amf0_end(&mut self) {
        self.e.write_bytes(&[0, 0, m0::OBJECT_END]);
    }

    /// Starts an AMF0 strict array of `len` values.
    pub fn amf0_strict_array(&mut self, len: usize) -> Result<(), EncodeError> {
        let n = u32::try_from(len).map_err(|_| EncodeError::TooLong(len))?;
        self.e.write_u8(m0::STRICT_ARRAY);
        self.e.write_u32(n);
        self.amf0_objects += 1;
        Ok(())
    }

    /// An AMF0 date with its time-zone field; it takes a slot.
    pub fn amf0_date(&mut self, millis: f64, time_zone: i16) {
        self.e.write_u8(m0::DATE);
        self.e.write_f64(millis);
        self.e.write_u16(time_zone as u16);
        self.amf0_objects += 1;
    }

    /// An AMF0 XML document; it takes a slot.
    pub fn amf0_xml_document(&mut self, text: &str) -> Result<(), EncodeError> {
        self.e.write_u8(m0::XML_DOCUMENT);
        self.long_text(text)?;
        self.amf0_objects += 1;
        Ok(())
    }

    /// The avmplus marker: one AMF3 value follows.
    pub fn avmplus(&mut self) {
        self.e.write_u8(m0::AVMPLUS);
    }
}
