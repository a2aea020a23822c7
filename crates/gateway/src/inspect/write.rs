//! The JSON description back to AMF bytes.
//!
//! Everything the JSON records is written as recorded (references to the
//! slots they name, declared lengths, counts, flag bytes); strings and traits
//! are referenced the second time they are written, as every encoder does.

use super::external::{self, Layout};
use super::keys as k;
use super::read::{amf3_marker_name, parse_iso_date, CANONICAL_NAN};
use super::{Format, Input, Traits};
use flexgate_amf::markers::{amf0 as m0, amf3 as m3};
use flexgate_amf::Encoder;
use serde_json::{Map, Value as Json};
use std::collections::HashMap;
use std::fmt;

/// Why a JSON description cannot be encoded, and where in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    /// Path segments from the innermost outwards.
    path: Vec<String>,
    /// What is wrong there.
    pub reason: String,
}

impl JsonError {
    fn new(reason: impl Into<String>) -> Self {
        JsonError {
            path: Vec::new(),
            reason: reason.into(),
        }
    }

    /// Where the problem is, e.g. `bodies[0].value[0].amf3.sealed.name`.
    pub fn path(&self) -> String {
        let mut out = String::new();
        for seg in self.path.iter().rev() {
            if !seg.starts_with('[') && !out.is_empty() {
                out.push('.');
            }
            out.push_str(seg);
        }
        out
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.path() {
            p if p.is_empty() => f.write_str(&self.reason),
            p => write!(f, "at {p}: {}", self.reason),
        }
    }
}

impl std::error::Error for JsonError {}

/// Adds a path segment to an error on its way out.
trait At<T> {
    fn at(self, segment: impl fmt::Display) -> Result<T, JsonError>;
}

impl<T> At<T> for Result<T, JsonError> {
    fn at(self, segment: impl fmt::Display) -> Result<T, JsonError> {
        self.map_err(|mut e| {
            e.path.push(segment.to_string());
            e
        })
    }
}

type Result<T, E = JsonError> = std::result::Result<T, E>;

/// What kind of node a JSON object is, decided by its tag member.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Ref,
    Amf3,
    Undefined,
    Unsupported,
    Double,
    LongString,
    Date,
    Bytes,
    Xml,
    XmlDoc,
    Amf0Object,
    Ecma,
    Array,
    External,
    Object,
    VectorInt,
    VectorUint,
    VectorDouble,
    VectorObject,
    Dictionary,
}

/// Tag members, the kind they make, and every member that kind may have.
const KINDS: &[(&str, Kind, &[&str])] = &[
    (k::REF, Kind::Ref, &[k::REF, k::MARKER, k::VALUE]),
    (k::AMF3, Kind::Amf3, &[k::AMF3]),
    (k::UNDEFINED, Kind::Undefined, &[k::UNDEFINED]),
    (k::UNSUPPORTED, Kind::Unsupported, &[k::UNSUPPORTED]),
    (k::DOUBLE, Kind::Double, &[k::DOUBLE, k::BITS]),
    (k::LONG_STRING, Kind::LongString, &[k::LONG_STRING]),
    (k::DATE, Kind::Date, &[k::DATE, k::TZ]),
    (k::BYTES, Kind::Bytes, &[k::BYTES]),
    (k::XML, Kind::Xml, &[k::XML]),
    (k::XMLDOC, Kind::XmlDoc, &[k::XMLDOC]),
    (k::MEMBERS, Kind::Amf0Object, &[k::MEMBERS, k::CLASS]),
    (k::ECMA, Kind::Ecma, &[k::ECMA, k::COUNT]),
    (k::ARRAY, Kind::Array, &[k::ARRAY, k::ASSOC]),
    (k::ASSOC, Kind::Array, &[k::ARRAY, k::ASSOC]),
    (
        k::EXTERNAL,
        Kind::External,
        &[k::EXTERNAL, k::CLASS, k::TRAITS],
    ),
    (
        k::SEALED,
        Kind::Object,
        &[k::SEALED, k::DYNAMIC, k::CLASS, k::TRAITS],
    ),
    (
        k::DYNAMIC,
        Kind::Object,
        &[k::SEALED, k::DYNAMIC, k::CLASS, k::TRAITS],
    ),
    (k::VECTOR_INT, Kind::VectorInt, &[k::VECTOR_INT, k::FIXED]),
    (
        k::VECTOR_UINT,
        Kind::VectorUint,
        &[k::VECTOR_UINT, k::FIXED],
    ),
    (
        k::VECTOR_DOUBLE,
        Kind::VectorDouble,
        &[k::VECTOR_DOUBLE, k::FIXED],
    ),
    (
        k::VECTOR_OBJECT,
        Kind::VectorObject,
        &[k::VECTOR_OBJECT, k::TYPE, k::FIXED],
    ),
    (k::DICTIONARY, Kind::Dictionary, &[k::DICTIONARY, k::WEAK]),
];

fn kind(node: &Map<String, Json>) -> Result<Kind> {
    let (_, kind, allowed) = KINDS
        .iter()
        .find(|(tag, _, _)| node.contains_key(*tag))
        .ok_or_else(|| {
            JsonError::new(format!(
                "an object node needs one of the members {}",
                KINDS
                    .iter()
                    .map(|(t, _, _)| format!("\"{t}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
    if let Some(extra) = node.keys().find(|key| !allowed.contains(&key.as_str())) {
        return Err(JsonError::new(format!(
            "unexpected member \"{extra}\" next to \"{}\"",
            allowed[0]
        )));
    }
    Ok(*kind)
}

/// Writes JSON descriptions as AMF.
pub(crate) struct Writer<'o> {
    e: Encoder<'o>,
    /// The first slot of each distinct traits written.
    traits: HashMap<Traits, u32>,
    traits_count: u32,
    /// The marker of every AMF3 object-table slot written so far.
    objects: Vec<u8>,
    amf0_objects: usize,
}

impl<'o> Writer<'o> {
    /// A writer appending to `out`.
    pub(crate) fn new(out: &'o mut Vec<u8>) -> Self {
        Writer {
            e: Encoder::new(out),
            traits: HashMap::new(),
            traits_count: 0,
            objects: Vec::new(),
            amf0_objects: 0,
        }
    }

    /// Writes `json` as `what`.
    pub(crate) fn write(&mut self, json: &Json, what: Input) -> Result<()> {
        match what {
            Input::Packet => self.packet(json),
            Input::Value(Format::Amf0) => self.amf0(json),
            Input::Value(Format::Amf3) => self.amf3(json),
        }
    }

    fn reset_tables(&mut self) {
        self.e.reset_tables();
        self.traits.clear();
        self.traits_count = 0;
        self.objects.clear();
        self.amf0_objects = 0;
    }

    // ---- envelope ----

    fn packet(&mut self, json: &Json) -> Result<()> {
        let packet = object(json)?;
        let version = uint(member(packet, k::VERSION)?).at(k::VERSION)?;
        if !matches!(version, 0 | 1 | 3) {
            return Err(JsonError::new("the version must be 0, 1 or 3")).at(k::VERSION);
        }
        self.e.write_u16(version as u16);
        let headers = array(member(packet, k::HEADERS)?).at(k::HEADERS)?;
        self.e.write_u16(count16(headers.len()).at(k::HEADERS)?);
        for (i, h) in headers.iter().enumerate() {
            self.header(h).at(format!("[{i}]")).at(k::HEADERS)?;
        }
        let bodies = array(member(packet, k::BODIES)?).at(k::BODIES)?;
        self.e.write_u16(count16(bodies.len()).at(k::BODIES)?);
        for (i, b) in bodies.iter().enumerate() {
            self.body(b).at(format!("[{i}]")).at(k::BODIES)?;
        }
        Ok(())
    }

    fn header(&mut self, json: &Json) -> Result<()> {
        let h = object(json)?;
        self.utf(string(member(h, k::NAME)?).at(k::NAME)?)
            .at(k::NAME)?;
        let must = member(h, k::MUST_UNDERSTAND)?
            .as_bool()
            .ok_or_else(|| JsonError::new("expected true or false"))
            .at(k::MUST_UNDERSTAND)?;
        self.e.write_u8(u8::from(must));
        self.sized_value(h)
    }

    fn body(&mut self, json: &Json) -> Result<()> {
        let b = object(json)?;
        self.utf(string(member(b, k::TARGET)?).at(k::TARGET)?)
            .at(k::TARGET)?;
        self.utf(string(member(b, k::RESPONSE)?).at(k::RESPONSE)?)
            .at(k::RESPONSE)?;
        self.sized_value(b)
    }

    /// The length (as declared, else the true one) and the AMF0 value.
    fn sized_value(&mut self, node: &Map<String, Json>) -> Result<()> {
        let declared = match node.get(k::LENGTH) {
            Some(n) => Some(u32::try_from(uint(n)?).map_err(|_| JsonError::new("too large"))),
            None => None,
        }
        .transpose()
        .at(k::LENGTH)?;
        self.reset_tables();
        let at = self.e.output().len();
        self.e.write_u32(0);
        self.amf0(member(node, k::VALUE)?).at(k::VALUE)?;
        let out = self.e.output();
        let actual = out.len() - at - 4;
        let len = match declared {
            Some(d) => d,
            None => u32::try_from(actual).map_err(|_| JsonError::new("value too long"))?,
        };
        out[at..at + 4].copy_from_slice(&len.to_be_bytes());
        Ok(())
    }

    fn utf(&mut self, s: &str) -> Result<()> {
        self.e
            .write_utf(s)
            .map_err(|_| JsonError::new("longer than 65535 bytes"))
    }

    // ---- AMF0 ----

    fn amf0(&mut self, v: &Json) -> Result<()> {
        match v {
            Json::Null => self.e.write_u8(m0::NULL),
            Json::Bool(b) => {
                self.e.write_u8(m0::BOOLEAN);
                self.e.write_u8(u8::from(*b));
            }
            Json::Number(_) => {
                self.e.write_u8(m0::NUMBER);
                self.e.write_f64(number(v)?);
            }
            Json::String(s) => match u16::try_from(s.len()) {
                Ok(_) => {
                    self.e.write_u8(m0::STRING);
                    self.utf(s)?;
                }
                Err(_) => self.long_string(m0::LONG_STRING, s)?,
            },
            Json::Array(items) => {
                self.e.write_u8(m0::STRICT_ARRAY);
                self.e.write_u32(count32(items.len())?);
                self.amf0_objects += 1;
                for (i, item) in items.iter().enumerate() {
                    self.amf0(item).at(format!("[{i}]"))?;
                }
            }
            Json::Object(node) => self.amf0_node(node)?,
        }
        Ok(())
    }

    fn amf0_node(&mut self, node: &Map<String, Json>) -> Result<()> {
        match kind(node)? {
            Kind::Ref => {
                let i = uint(&node[k::REF]).at(k::REF)?;
                if node.contains_key(k::MARKER) {
                    return Err(JsonError::new("AMF0 has one reference marker")).at(k::MARKER);
                }
                if i as usize >= self.amf0_objects {
                    return Err(JsonError::new(format!(
                        "only {} AMF0 objects precede this reference",
                        self.amf0_objects
                    )))
                    .at(k::REF);
                }
                let i = u16::try_from(i)
                    .map_err(|_| JsonError::new("AMF0 references are u16"))
                    .at(k::REF)?;
                self.e.write_u8(m0::REFERENCE);
                self.e.write_u16(i);
            }
            Kind::Amf3 => {
                self.e.write_u8(m0::AVMPLUS);
                self.amf3(&node[k::AMF3]).at(k::AMF3)?;
            }
            Kind::Undefined => self.e.write_u8(m0::UNDEFINED),
            Kind::Unsupported => self.e.write_u8(m0::UNSUPPORTED),
            Kind::Double => {
                self.e.write_u8(m0::NUMBER);
                self.e.write_f64(special_double(node)?);
            }
            Kind::LongString => {
                let s = string(&node[k::LONG_STRING]).at(k::LONG_STRING)?;
                self.long_string(m0::LONG_STRING, s)?;
            }
            Kind::Date => {
                let millis = date(&node[k::DATE]).at(k::DATE)?;
                let tz = match node.get(k::TZ) {
                    Some(tz) => tz
                        .as_i64()
                        .and_then(|t| i16::try_from(t).ok())
                        .ok_or_else(|| JsonError::new("expected an s16"))
                        .at(k::TZ)?,
                    None => 0,
                };
                self.e.write_u8(m0::DATE);
                self.e.write_f64(millis);
                self.e.write_u16(tz as u16);
            }
            Kind::XmlDoc => {
                let s = string(&node[k::XMLDOC]).at(k::XMLDOC)?;
                self.long_string(m0::XML_DOCUMENT, s)?;
            }
            Kind::Amf0Object => {
                match node.get(k::CLASS) {
                    Some(class) => {
                        self.e.write_u8(m0::TYPED_OBJECT);
                        self.utf(string(class).at(k::CLASS)?).at(k::CLASS)?;
                    }
                    None => self.e.write_u8(m0::OBJECT),
                }
                self.amf0_objects += 1;
                self.amf0_members(&node[k::MEMBERS]).at(k::MEMBERS)?;
            }
            Kind::Ecma => {
                let members = members(&node[k::ECMA]).at(k::ECMA)?;
                let count = match node.get(k::COUNT) {
                    Some(c) => u32::try_from(uint(c).at(k::COUNT)?)
                        .map_err(|_| JsonError::new("too large"))
                        .at(k::COUNT)?,
                    None => count32(members.len())?,
                };
                self.e.write_u8(m0::ECMA_ARRAY);
                self.e.write_u32(count);
                self.amf0_objects += 1;
                self.amf0_members(&node[k::ECMA]).at(k::ECMA)?;
            }
            other => {
                return Err(JsonError::new(format!(
                    "{other:?} has no AMF0 form; write it as {{\"amf3\": ...}}"
                )))
            }
        }
        Ok(())
    }

    fn long_string(&mut self, marker: u8, s: &str) -> Result<()> {
        self.e.write_u8(marker);
        self.e.write_u32(count32(s.len())?);
        self.e.write_bytes(s.as_bytes());
        Ok(())
    }

    fn amf0_members(&mut self, json: &Json) -> Result<()> {
        for (name, value) in members(json)? {
            self.utf(name).at(name)?;
            self.amf0(value).at(name)?;
        }
        self.e.write_bytes(&[0, 0, m0::OBJECT_END]);
        Ok(())
    }

    // ---- AMF3 ----

    fn amf3(&mut self, v: &Json) -> Result<()> {
        match v {
            Json::Null => self.e.write_u8(m3::NULL),
            Json::Bool(false) => self.e.write_u8(m3::FALSE),
            Json::Bool(true) => self.e.write_u8(m3::TRUE),
            Json::Number(n) => match n.as_i64() {
                // A JSON integer is an AMF3 integer when it fits 29 bits.
                Some(i) if (-(1 << 28)..(1 << 28)).contains(&i) => {
                    self.e.write_u8(m3::INTEGER);
                    self.e.write_u29(i as u32 & 0x1FFF_FFFF);
                }
                _ => {
                    self.e.write_u8(m3::DOUBLE);
                    self.e.write_f64(number(v)?);
                }
            },
            Json::String(s) => {
                self.e.write_u8(m3::STRING);
                self.string(s)?;
            }
            Json::Array(items) => {
                self.e.write_u8(m3::ARRAY);
                self.claim(m3::ARRAY);
                self.inline_len(items.len())?;
                self.e.write_u8(0x01);
                self.amf3_items(items)?;
            }
            Json::Object(node) => self.amf3_node(node)?,
        }
        Ok(())
    }

    fn amf3_items(&mut self, items: &[Json]) -> Result<()> {
        for (i, item) in items.iter().enumerate() {
            self.amf3(item).at(format!("[{i}]"))?;
        }
        Ok(())
    }

    fn string(&mut self, s: &str) -> Result<()> {
        self.e
            .write_amf3_str(s)
            .map_err(|e| JsonError::new(e.to_string()))
    }

    fn inline_len(&mut self, len: usize) -> Result<()> {
        if len > 0x0FFF_FFFF {
            return Err(JsonError::new(format!("{len} is too long for AMF3")));
        }
        self.e.write_u29(((len as u32) << 1) | 1);
        Ok(())
    }

    /// Takes the next object-table slot, for a value written inline.
    fn claim(&mut self, marker: u8) {
        self.objects.push(marker);
    }

    fn amf3_node(&mut self, node: &Map<String, Json>) -> Result<()> {
        match kind(node)? {
            Kind::Ref => {
                let i = uint(&node[k::REF]).at(k::REF)?;
                let marker = match node.get(k::MARKER) {
                    Some(name) => marker_by_name(string(name)?).at(k::MARKER)?,
                    None => *self.objects.get(i as usize).ok_or_else(|| {
                        JsonError::new(format!(
                            "only {} objects precede this reference",
                            self.objects.len()
                        ))
                    })?,
                };
                if i > 0x0FFF_FFFF {
                    return Err(JsonError::new("reference index too large")).at(k::REF);
                }
                self.e.write_u8(marker);
                self.e.write_u29((i as u32) << 1);
            }
            Kind::Undefined => self.e.write_u8(m3::UNDEFINED),
            Kind::Double => {
                self.e.write_u8(m3::DOUBLE);
                self.e.write_f64(special_double(node)?);
            }
            Kind::Date => {
                if node.contains_key(k::TZ) {
                    return Err(JsonError::new("AMF3 dates have no time zone")).at(k::TZ);
                }
                let millis = date(&node[k::DATE]).at(k::DATE)?;
                self.e.write_u8(m3::DATE);
                self.claim(m3::DATE);
                self.e.write_u29(1);
                self.e.write_f64(millis);
            }
            Kind::Bytes => {
                let b = crate::base64::decode(string(&node[k::BYTES]).at(k::BYTES)?)
                    .ok_or_else(|| JsonError::new("not standard base64"))
                    .at(k::BYTES)?;
                self.buffer(m3::BYTE_ARRAY, &b)?;
            }
            Kind::Xml => {
                let s = string(&node[k::XML]).at(k::XML)?;
                self.buffer(m3::XML, s.as_bytes())?;
            }
            Kind::XmlDoc => {
                let s = string(&node[k::XMLDOC]).at(k::XMLDOC)?;
                self.buffer(m3::XML_DOC, s.as_bytes())?;
            }
            Kind::Array => {
                let dense: &[Json] = match node.get(k::ARRAY) {
                    Some(a) => array(a).at(k::ARRAY)?,
                    None => &[],
                };
                self.e.write_u8(m3::ARRAY);
                self.claim(m3::ARRAY);
                self.inline_len(dense.len())?;
                if let Some(assoc) = node.get(k::ASSOC) {
                    self.amf3_members(assoc).at(k::ASSOC)?;
                } else {
                    self.e.write_u8(0x01);
                }
                self.amf3_items(dense).at(k::ARRAY)?;
            }
            Kind::Object => self.object(node)?,
            Kind::External => self.external(node)?,
            Kind::VectorInt | Kind::VectorUint | Kind::VectorDouble => self.number_vector(node)?,
            Kind::VectorObject => {
                let items = array(&node[k::VECTOR_OBJECT]).at(k::VECTOR_OBJECT)?;
                let type_name = match node.get(k::TYPE) {
                    Some(t) => string(t).at(k::TYPE)?,
                    None => "",
                };
                self.e.write_u8(m3::VECTOR_OBJECT);
                self.claim(m3::VECTOR_OBJECT);
                self.inline_len(items.len())?;
                self.e.write_u8(u8::from(flag(node, k::FIXED)?));
                self.string(type_name).at(k::TYPE)?;
                self.amf3_items(items).at(k::VECTOR_OBJECT)?;
            }
            Kind::Dictionary => {
                let entries = array(&node[k::DICTIONARY]).at(k::DICTIONARY)?;
                self.e.write_u8(m3::DICTIONARY);
                self.claim(m3::DICTIONARY);
                self.inline_len(entries.len())?;
                self.e.write_u8(u8::from(flag(node, k::WEAK)?));
                for (i, entry) in entries.iter().enumerate() {
                    match entry.as_array().map(Vec::as_slice) {
                        Some([key, value]) => {
                            self.amf3(key).at(format!("[{i}][0]")).at(k::DICTIONARY)?;
                            self.amf3(value).at(format!("[{i}][1]")).at(k::DICTIONARY)?;
                        }
                        _ => {
                            return Err(JsonError::new("expected a [key, value] pair"))
                                .at(format!("[{i}]"))
                                .at(k::DICTIONARY)
                        }
                    }
                }
            }
            other => {
                return Err(JsonError::new(format!(
                    "{other:?} exists only in AMF0; leave the {{\"amf3\": ...}} first"
                )))
            }
        }
        Ok(())
    }

    /// A ByteArray or XML body, always inline (references are explicit).
    fn buffer(&mut self, marker: u8, b: &[u8]) -> Result<()> {
        self.e.write_u8(marker);
        self.claim(marker);
        self.inline_len(b.len())?;
        self.e.write_bytes(b);
        Ok(())
    }

    fn amf3_members(&mut self, json: &Json) -> Result<()> {
        for (name, value) in members(json)? {
            if name.is_empty() {
                return Err(JsonError::new("AMF3 member names cannot be empty"));
            }
            self.string(name).at(name)?;
            self.amf3(value).at(name)?;
        }
        self.e.write_u8(0x01);
        Ok(())
    }

    /// Writes a traits reference when equal traits were written before
    /// (or the node names a slot); otherwise returns `false` and takes the
    /// next traits slot, for traits the caller writes inline.
    fn traits_ref(&mut self, traits: Traits, node: &Map<String, Json>) -> Result<bool> {
        let forced = match node.get(k::TRAITS) {
            None => None,
            Some(Json::String(s)) if s == k::INLINE => Some(None),
            Some(v) => match v.as_u64().and_then(|i| u32::try_from(i).ok()) {
                Some(i) if i < self.traits_count => Some(Some(i)),
                _ => {
                    return Err(JsonError::new(format!(
                        "expected \"inline\" or one of the {} traits slots",
                        self.traits_count
                    )))
                    .at(k::TRAITS)
                }
            },
        };
        let reference = match forced {
            Some(slot) => slot,
            None => self.traits.get(&traits).copied(),
        };
        if let Some(i) = reference {
            self.e.write_u29((i << 2) | 1);
            return Ok(true);
        }
        self.traits.entry(traits).or_insert(self.traits_count);
        self.traits_count += 1;
        Ok(false)
    }

    fn object(&mut self, node: &Map<String, Json>) -> Result<()> {
        let class = match node.get(k::CLASS) {
            Some(c) => string(c).at(k::CLASS)?,
            None => "",
        };
        let sealed = match node.get(k::SEALED) {
            Some(s) => members(s).at(k::SEALED)?,
            None => Vec::new(),
        };
        let dynamic = node.get(k::DYNAMIC);
        self.e.write_u8(m3::OBJECT);
        self.claim(m3::OBJECT);
        let traits = Traits::Object {
            class: class.to_owned(),
            sealed: sealed.iter().map(|(n, _)| (*n).to_owned()).collect(),
            dynamic: dynamic.is_some(),
        };
        if !self.traits_ref(traits, node)? {
            if sealed.len() > 0x01FF_FFFF {
                return Err(JsonError::new("too many sealed members")).at(k::SEALED);
            }
            let dynamic_bit = if dynamic.is_some() { 0b1000 } else { 0 };
            self.e
                .write_u29(((sealed.len() as u32) << 4) | dynamic_bit | 0b011);
            self.string(class).at(k::CLASS)?;
            for (name, _) in &sealed {
                self.string(name).at(name).at(k::SEALED)?;
            }
        }
        for (name, value) in &sealed {
            self.amf3(value).at(name).at(k::SEALED)?;
        }
        if let Some(dynamic) = dynamic {
            self.amf3_members(dynamic).at(k::DYNAMIC)?;
        }
        Ok(())
    }

    fn external(&mut self, node: &Map<String, Json>) -> Result<()> {
        let class = string(member(node, k::CLASS)?).at(k::CLASS)?;
        let layout = external::layout(class)
            .ok_or_else(|| JsonError::new(format!("unknown externalizable class {class:?}")))
            .at(k::CLASS)?;
        let body = object(&node[k::EXTERNAL]).at(k::EXTERNAL)?;
        self.e.write_u8(m3::OBJECT);
        self.claim(m3::OBJECT);
        if !self.traits_ref(Traits::External(class.to_owned()), node)? {
            self.e.write_u29(0b0111);
            self.string(class).at(k::CLASS)?;
        }
        match layout {
            Layout::Wrapper(name) => {
                self.amf3(member(body, name)?).at(name).at(k::EXTERNAL)?;
            }
            Layout::Levels(levels) => {
                for level in levels {
                    self.level(member(body, level.name)?)
                        .at(level.name)
                        .at(k::EXTERNAL)?;
                }
            }
        }
        Ok(())
    }

    /// One flag group of a small message: its flag bytes, then its values in order.
    fn level(&mut self, json: &Json) -> Result<()> {
        let group = object(json)?;
        let flags = string(member(group, k::FLAGS)?).at(k::FLAGS)?;
        let mut announced = 0;
        for f in flags.split_whitespace() {
            let f = u8::from_str_radix(f, 16)
                .map_err(|_| JsonError::new("expected flag bytes in hex, e.g. \"88 02\""))
                .at(k::FLAGS)?;
            announced += (f & 0x7F).count_ones() as usize;
            self.e.write_u8(f);
        }
        let values: Vec<_> = group.iter().filter(|(name, _)| *name != k::FLAGS).collect();
        if values.len() != announced {
            return Err(JsonError::new(format!(
                "the flags announce {announced} values, {} are given",
                values.len()
            )));
        }
        for (name, value) in values {
            self.amf3(value).at(name)?;
        }
        Ok(())
    }

    fn number_vector(&mut self, node: &Map<String, Json>) -> Result<()> {
        let (key, marker) = if node.contains_key(k::VECTOR_INT) {
            (k::VECTOR_INT, m3::VECTOR_INT)
        } else if node.contains_key(k::VECTOR_UINT) {
            (k::VECTOR_UINT, m3::VECTOR_UINT)
        } else {
            (k::VECTOR_DOUBLE, m3::VECTOR_DOUBLE)
        };
        let items = array(&node[key]).at(key)?;
        self.e.write_u8(marker);
        self.claim(marker);
        self.inline_len(items.len())?;
        self.e.write_u8(u8::from(flag(node, k::FIXED)?));
        for (i, item) in items.iter().enumerate() {
            let bad = || JsonError::new("out of range for the vector's type");
            match marker {
                m3::VECTOR_INT => {
                    let v = item
                        .as_i64()
                        .and_then(|v| i32::try_from(v).ok())
                        .ok_or_else(bad);
                    self.e.write_u32(v.at(format!("[{i}]")).at(key)? as u32);
                }
                m3::VECTOR_UINT => {
                    let v = item
                        .as_u64()
                        .and_then(|v| u32::try_from(v).ok())
                        .ok_or_else(bad);
                    self.e.write_u32(v.at(format!("[{i}]")).at(key)?);
                }
                _ => {
                    let v = any_double(item).at(format!("[{i}]")).at(key)?;
                    self.e.write_f64(v);
                }
            }
        }
        Ok(())
    }
}

// ---- JSON accessors ----

fn object(v: &Json) -> Result<&Map<String, Json>> {
    v.as_object()
        .ok_or_else(|| JsonError::new("expected a JSON object"))
}

fn array(v: &Json) -> Result<&[Json]> {
    v.as_array()
        .map(Vec::as_slice)
        .ok_or_else(|| JsonError::new("expected a JSON array"))
}

fn string(v: &Json) -> Result<&str> {
    v.as_str()
        .ok_or_else(|| JsonError::new("expected a JSON string"))
}

fn uint(v: &Json) -> Result<u64> {
    v.as_u64()
        .ok_or_else(|| JsonError::new("expected a non-negative integer"))
}

fn number(v: &Json) -> Result<f64> {
    v.as_f64()
        .ok_or_else(|| JsonError::new("expected a number"))
}

fn member<'j>(node: &'j Map<String, Json>, name: &str) -> Result<&'j Json> {
    node.get(name)
        .ok_or_else(|| JsonError::new(format!("missing member \"{name}\"")))
}

fn flag(node: &Map<String, Json>, name: &str) -> Result<bool> {
    match node.get(name) {
        None => Ok(false),
        Some(v) => v
            .as_bool()
            .ok_or_else(|| JsonError::new("expected true or false"))
            .at(name),
    }
}

/// Members as written: a JSON object, or `[name, value]` pairs.
fn members(v: &Json) -> Result<Vec<(&str, &Json)>> {
    match v {
        Json::Object(map) => Ok(map.iter().map(|(n, v)| (n.as_str(), v)).collect()),
        Json::Array(pairs) => pairs
            .iter()
            .enumerate()
            .map(|(i, p)| match p.as_array().map(Vec::as_slice) {
                Some([Json::String(n), v]) => Ok((n.as_str(), v)),
                _ => Err(JsonError::new("expected a [name, value] pair")).at(format!("[{i}]")),
            })
            .collect(),
        _ => Err(JsonError::new("expected an object of members")),
    }
}

fn count16(n: usize) -> Result<u16> {
    u16::try_from(n).map_err(|_| JsonError::new(format!("{n} entries exceed a u16 count")))
}

fn count32(n: usize) -> Result<u32> {
    u32::try_from(n).map_err(|_| JsonError::new(format!("{n} exceeds a u32 length")))
}

/// `{"double": ..., "bits"?: ...}`.
fn special_double(node: &Map<String, Json>) -> Result<f64> {
    if let Some(bits) = node.get(k::BITS) {
        let bits = string(bits)
            .ok()
            .and_then(|b| u64::from_str_radix(b.trim_start_matches("0x"), 16).ok())
            .ok_or_else(|| JsonError::new("expected 16 hex digits"))
            .at(k::BITS)?;
        return Ok(f64::from_bits(bits));
    }
    any_double(&node[k::DOUBLE]).at(k::DOUBLE)
}

/// A number, or the name of a special double.
fn any_double(v: &Json) -> Result<f64> {
    match v {
        Json::String(s) => match s.as_str() {
            k::NAN => Ok(f64::from_bits(CANONICAL_NAN)),
            k::INFINITY => Ok(f64::INFINITY),
            k::NEG_INFINITY => Ok(f64::NEG_INFINITY),
            _ => Err(JsonError::new(
                "expected a number, \"NaN\", \"Infinity\" or \"-Infinity\"",
            )),
        },
        Json::Object(node) if node.contains_key(k::DOUBLE) => special_double(node),
        _ => number(v),
    }
}

/// A date: ISO-8601 text or milliseconds.
fn date(v: &Json) -> Result<f64> {
    match v {
        Json::String(s) => parse_iso_date(s).ok_or_else(|| {
            JsonError::new("expected an ISO-8601 date such as 2020-01-02T03:04:05.678Z")
        }),
        _ => any_double(v),
    }
}

fn marker_by_name(name: &str) -> Result<u8> {
    [
        m3::XML_DOC,
        m3::DATE,
        m3::ARRAY,
        m3::OBJECT,
        m3::XML,
        m3::BYTE_ARRAY,
        m3::VECTOR_INT,
        m3::VECTOR_UINT,
        m3::VECTOR_DOUBLE,
        m3::VECTOR_OBJECT,
        m3::DICTIONARY,
    ]
    .into_iter()
    .find(|&m| amf3_marker_name(m) == name)
    .ok_or_else(|| JsonError::new(format!("no referenceable AMF3 type is called {name:?}")))
}
