//! [`Writer`]: AMF written by explicit decisions rather than from a
//! [`crate::Value`], for tools that reproduce a recorded wire byte for byte
//! (`flexgate encode`): which value goes as a reference to which slot, the
//! declared lengths and counts, the markers, the traits choices.
//!
//! Strings follow the rule every encoder follows (inline the first time, a
//! reference to that slot afterwards); everything else is what the caller says.

use crate::amf3::marker as m3;
use crate::amf3::{INT_MAX, INT_MIN, MAX_LEN};
use crate::encoder::Encoder;

mod amf0;
use crate::error::{EncodeError, Table};
use crate::trace::RefKind;
use crate::value::XmlKind;
use std::collections::HashMap;

/// Where a header or body value's length goes, to be filled in by
/// [`Writer::end_value`].
#[derive(Debug)]
#[must_use]
pub struct LengthMark(usize);

/// How to write an AMF3 object's traits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TraitsChoice {
    /// As every encoder does: a reference to the first slot of equal
    /// traits, inline when there is none.
    Rule,
    /// Inline, even when equal traits were written before.
    Inline,
    /// A reference to this traits slot.
    Reference(u32),
}

/// Traits by content, for the reference rule.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum TraitsKey {
    Object {
        class: String,
        sealed: Vec<String>,
        dynamic: bool,
    },
    External(String),
}

/// Writes AMF piece by piece into a byte vector, keeping the reference
/// tables of the current context (a header or body value, or one bare value).
pub struct Writer<'o> {
    /// The primitives and the string table.
    e: Encoder<'o>,
    /// The kind of every AMF3 object-table slot written so far.
    objects: Vec<RefKind>,
    amf0_objects: u32,
    /// The first slot of each distinct traits.
    traits: HashMap<TraitsKey, u32>,
    traits_count: u32,
}

impl<'o> Writer<'o> {
    /// A writer appending to `out`.
    pub fn new(out: &'o mut Vec<u8>) -> Self {
        Writer {
            e: Encoder::new(out),
            objects: Vec::new(),
            amf0_objects: 0,
            traits: HashMap::new(),
            traits_count: 0,
        }
    }

    fn reset_tables(&mut self) {
        self.e.reset_tables();
        self.objects.clear();
        self.amf0_objects = 0;
        self.traits.clear();
        self.traits_count = 0;
    }

    // ---- envelope ----

    /// A `u16` of the envelope: the version, or a header or body count.
    pub fn u16(&mut self, v: u16) {
        self.e.write_u16(v);
    }

    /// A `u16`-length-prefixed string (header name, body target/response).
    pub fn utf(&mut self, s: &str) -> Result<(), EncodeError> {
        self.e.write_utf(s)
    }

    /// A header's must-understand byte.
    pub fn byte(&mut self, b: u8) {
        self.e.write_u8(b);
    }

    /// Starts a header or body value: fresh tables and a length to fill in.
    pub fn begin_value(&mut self) -> LengthMark {
        self.reset_tables();
        let at = self.e.output().len();
        self.e.write_u32(0);
        LengthMark(at)
    }

    /// Ends a header or body value: writes `declared`, or the true length.
    pub fn end_value(
        &mut self,
        mark: LengthMark,
        declared: Option<u32>,
    ) -> Result<(), EncodeError> {
        let out = self.e.output();
        let actual = out.len() - mark.0 - 4;
        let len = match declared {
            Some(d) => d,
            None => u32::try_from(actual).map_err(|_| EncodeError::TooLong(actual))?,
        };
        out[mark.0..mark.0 + 4].copy_from_slice(&len.to_be_bytes());
        Ok(())
    }

    // ---- AMF3 ----

    /// AMF3 `undefined`.
    pub fn amf3_undefined(&mut self) {
        self.e.write_u8(m3::UNDEFINED);
    }

    /// AMF3 `null`.
    pub fn amf3_null(&mut self) {
        self.e.write_u8(m3::NULL);
    }

    /// AMF3 `false` or `true`.
    pub fn amf3_bool(&mut self, b: bool) {
        self.e.write_u8(if b { m3::TRUE } else { m3::FALSE });
    }

    /// An integer: AMF3 `integer` when it fits 29 bits, else a double.
    pub fn amf3_integer(&mut self, i: i64) {
        match i32::try_from(i) {
            Ok(i) if (INT_MIN..=INT_MAX).contains(&i) => {
                self.e.write_u8(m3::INTEGER);
                self.e.write_u29(i as u32);
            }
            _ => self.amf3_double(i as f64),
        }
    }

    /// An AMF3 double.
    pub fn amf3_double(&mut self, n: f64) {
        self.e.write_u8(m3::DOUBLE);
        self.e.write_f64(n);
    }

    /// An AMF3 string value.
    pub fn amf3_string(&mut self, s: &str) -> Result<(), EncodeError> {
        self.e.write_u8(m3::STRING);
        self.amf3_name(s)
    }

    /// A string without marker: a member name, a class or type name.
    pub fn amf3_name(&mut self, s: &str) -> Result<(), EncodeError> {
        self.e.write_amf3_str(s)
    }

    /// The empty name that ends AMF3 members.
    pub fn amf3_members_end(&mut self) {
        self.e.write_u29(1);
    }

    fn inline(&mut self, marker: u8, kind: RefKind, len: usize) -> Result<(), EncodeError> {
        if len > MAX_LEN {
            return Err(EncodeError::TooLong(len));
        }
        self.e.write_u8(marker);
        self.e.write_u29(((len as u32) << 1) | 1);
        self.objects.push(kind);
        Ok(())
    }

    /// A reference to object slot `index`, with the type marker `kind`
    /// (`None`: that of the value in the slot).
    pub fn amf3_reference(&mut self, index: u32, kind: Option<RefKind>) -> Result<(), EncodeError> {
        let slot = self.objects.get(index as usize).copied();
        let kind = match (kind, slot) {
            (_, None) => None,
            (Some(k), Some(_)) | (None, Some(k)) => Some(k),
        };
        let Some(kind) = kind.filter(|_| index as usize <= MAX_LEN) else {
            return Err(EncodeError::BadReference {
                table: Table::Object,
                index,
                available: self.objects.len() as u32,
            });
        };
        self.e.write_u8(marker_of(kind));
        self.e.write_u29(index << 1);
        Ok(())
    }

    /// An AMF3 date.
    pub fn amf3_date(&mut self, millis: f64) -> Result<(), EncodeError> {
        self.inline(m3::DATE, RefKind::Date, 0)?;
        self.e.write_f64(millis);
        Ok(())
    }

    /// AMF3 XML text, always inline.
    pub fn amf3_xml(&mut self, kind: XmlKind, text: &str) -> Result<(), EncodeError> {
        let k = RefKind::of_xml(kind);
        self.inline(marker_of(k), k, text.len())?;
        self.e.write_bytes(text.as_bytes());
        Ok(())
    }

    /// A ByteArray, always inline.
    pub fn amf3_byte_array(&mut self, bytes: &[u8]) -> Result<(), EncodeError> {
        self.inline(m3::BYTE_ARRAY, RefKind::ByteArray, bytes.len())?;
        self.e.write_bytes(bytes);
        Ok(())
    }

    /// Starts an AMF3 array with `dense` elements: the associative members
    /// follow, then [`Writer::amf3_members_end`], then the dense values.
    pub fn amf3_array(&mut self, dense: usize) -> Result<(), EncodeError> {
        self.inline(m3::ARRAY, RefKind::Array, dense)
    }

    /// Starts an AMF3 object: marker, then traits as `choice` says. Its
    /// sealed values follow, then, when dynamic, its members.
    pub fn amf3_object(
        &mut self,
        class: &str,
        sealed: &[&str],
        dynamic: bool,
        choice: TraitsChoice,
    ) -> Result<(), EncodeError> {
        let key = TraitsKey::Object {
            class: class.to_owned(),
            sealed: sealed.iter().map(|s| (*s).to_owned()).collect(),
            dynamic,
        };
        if self.object_traits(key, choice)? {
            return Ok(());
        }
        if sealed.len() > MAX_LEN >> 2 {
            return Err(EncodeError::TooLong(sealed.len()));
        }
        let dynamic_bit = if dynamic { 0b1000 } else { 0 };
        self.e
            .write_u29(((sealed.len() as u32) << 4) | dynamic_bit | 0b011);
        self.amf3_name(class)?;
        for name in sealed {
            self.amf3_name(name)?;
        }
        Ok(())
    }

    /// Starts an externalizable AMF3 object: marker and traits; the body
    /// follows (values, and [`Writer::external_byte`]s).
    pub fn amf3_external(&mut self, class: &str, choice: TraitsChoice) -> Result<(), EncodeError> {
        if self.object_traits(TraitsKey::External(class.to_owned()), choice)? {
            return Ok(());
        }
        self.e.write_u29(0b0111);
        self.amf3_name(class)
    }

    /// Writes the object marker and a traits reference when `choice` (or
    /// the rule) calls for one; otherwise takes the next traits slot and
    /// returns `false`, for the caller to write the traits inline.
    fn object_traits(&mut self, key: TraitsKey, choice: TraitsChoice) -> Result<bool, EncodeError> {
        let reference = match choice {
            TraitsChoice::Rule => self.traits.get(&key).copied(),
            TraitsChoice::Inline => None,
            TraitsChoice::Reference(i) if i < self.traits_count && i as usize <= MAX_LEN >> 2 => {
                Some(i)
            }
            TraitsChoice::Reference(index) => {
                return Err(EncodeError::BadReference {
                    table: Table::Traits,
                    index,
                    available: self.traits_count,
                })
            }
        };
        self.e.write_u8(m3::OBJECT);
        self.objects.push(RefKind::Object);
        if let Some(i) = reference {
            self.e.write_u29((i << 2) | 1);
            return Ok(true);
        }
        self.traits.entry(key).or_insert(self.traits_count);
        self.traits_count += 1;
        Ok(false)
    }

    /// A raw byte of an externalizable body (e.g. a small message's flags).
    pub fn external_byte(&mut self, b: u8) {
        self.e.write_u8(b);
    }

    /// A `Vector.<int>`.
    pub fn amf3_vector_int(&mut self, fixed: bool, items: &[i32]) -> Result<(), EncodeError> {
        self.vector_head(m3::VECTOR_INT, RefKind::VectorInt, items.len(), fixed)?;
        for i in items {
            self.e.write_u32(*i as u32);
        }
        Ok(())
    }

    /// A `Vector.<uint>`.
    pub fn amf3_vector_uint(&mut self, fixed: bool, items: &[u32]) -> Result<(), EncodeError> {
        self.vector_head(m3::VECTOR_UINT, RefKind::VectorUint, items.len(), fixed)?;
        for i in items {
            self.e.write_u32(*i);
        }
        Ok(())
    }

    /// A `Vector.<Number>`.
    pub fn amf3_vector_number(&mut self, fixed: bool, items: &[f64]) -> Result<(), EncodeError> {
        self.vector_head(m3::VECTOR_DOUBLE, RefKind::VectorNumber, items.len(), fixed)?;
        for n in items {
            self.e.write_f64(*n);
        }
        Ok(())
    }

    /// Starts a `Vector.<Object>` of `len` values, which follow.
    pub fn amf3_object_vector(
        &mut self,
        len: usize,
        fixed: bool,
        type_name: &str,
    ) -> Result<(), EncodeError> {
        self.vector_head(m3::VECTOR_OBJECT, RefKind::VectorObject, len, fixed)?;
        self.amf3_name(type_name)
    }

    /// Starts a `Dictionary` of `len` entries (key, value, key, value ...).
    pub fn amf3_dictionary(&mut self, len: usize, weak_keys: bool) -> Result<(), EncodeError> {
        self.vector_head(m3::DICTIONARY, RefKind::Dictionary, len, weak_keys)
    }

    fn vector_head(
        &mut self,
        marker: u8,
        kind: RefKind,
        len: usize,
        flag: bool,
    ) -> Result<(), EncodeError> {
        self.inline(marker, kind, len)?;
        self.e.write_u8(u8::from(flag));
        Ok(())
    }
}

/// The AMF3 type marker of a kind.
fn marker_of(kind: RefKind) -> u8 {
    match kind {
        RefKind::XmlDocument => m3::XML_DOC,
        RefKind::Date => m3::DATE,
        RefKind::Array => m3::ARRAY,
        RefKind::Object => m3::OBJECT,
        RefKind::Xml => m3::XML,
        RefKind::ByteArray => m3::BYTE_ARRAY,
        RefKind::VectorInt => m3::VECTOR_INT,
        RefKind::VectorUint => m3::VECTOR_UINT,
        RefKind::VectorNumber => m3::VECTOR_DOUBLE,
        RefKind::VectorObject => m3::VECTOR_OBJECT,
        RefKind::Dictionary => m3::DICTIONARY,
    }
}
