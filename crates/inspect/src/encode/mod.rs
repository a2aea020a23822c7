//! The JSON description back to AMF bytes, through `flexgate_amf`'s
//! [`Writer`]: everything the JSON records is written as recorded
//! (references to the slots they name, declared lengths, counts, flag
//! bytes); strings and traits are referenced the second time they are
//! written, as every encoder does.

mod access;
mod amf3;
mod kind;

pub use access::JsonError;

use crate::input::{Format, Input};
use crate::keys as k;
use access::{
    amf, array, count16, date, member, members, number, object, special_double, string, uint, At,
    Result,
};
use flexgate_amf::Writer;
use kind::{kind, Kind};
use serde_json::{Map, Value as Json};

/// Writes `json` as `what`, appending to `out`.
pub(crate) fn write(out: &mut Vec<u8>, json: &Json, what: Input) -> Result<()> {
    let mut e = Encode {
        w: Writer::new(out),
    };
    match what {
        Input::Packet => e.packet(json),
        Input::Value(Format::Amf0) => e.amf0(json),
        Input::Value(Format::Amf3) => e.amf3(json),
    }
}

/// Writes JSON descriptions with a [`Writer`].
struct Encode<'o> {
    w: Writer<'o>,
}

impl Encode<'_> {
    // ---- envelope ----

    fn packet(&mut self, json: &Json) -> Result<()> {
        let packet = object(json)?;
        let version = uint(member(packet, k::VERSION)?).at(k::VERSION)?;
        let version = match version {
            0 | 1 | 3 => version as u16,
            _ => return Err(JsonError::new("the version must be 0, 1 or 3")).at(k::VERSION),
        };
        self.w.u16(version);
        let headers = array(member(packet, k::HEADERS)?).at(k::HEADERS)?;
        self.w.u16(count16(headers.len()).at(k::HEADERS)?);
        for (i, h) in headers.iter().enumerate() {
            self.header(h).at(format!("[{i}]")).at(k::HEADERS)?;
        }
        let bodies = array(member(packet, k::BODIES)?).at(k::BODIES)?;
        self.w.u16(count16(bodies.len()).at(k::BODIES)?);
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
        self.w.byte(u8::from(must));
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
        let mark = self.w.begin_value();
        self.amf0(member(node, k::VALUE)?).at(k::VALUE)?;
        self.w.end_value(mark, declared).map_err(amf)
    }

    fn utf(&mut self, s: &str) -> Result<()> {
        self.w
            .utf(s)
            .map_err(|_| JsonError::new("longer than 65535 bytes"))
    }

    // ---- AMF0 ----

    fn amf0(&mut self, v: &Json) -> Result<()> {
        match v {
            Json::Null => self.w.amf0_null(),
            Json::Bool(b) => self.w.amf0_bool(*b),
            Json::Number(_) => self.w.amf0_number(number(v)?),
            Json::String(s) => self.w.amf0_string(s).map_err(amf)?,
            Json::Array(items) => {
                self.w.amf0_strict_array(items.len()).map_err(amf)?;
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
                let i = u32::try_from(i)
                    .map_err(|_| JsonError::new("AMF0 references are u16"))
                    .at(k::REF)?;
                self.w.amf0_reference(i).map_err(amf).at(k::REF)?;
            }
            Kind::Amf3 => {
                self.w.avmplus();
                self.amf3(&node[k::AMF3]).at(k::AMF3)?;
            }
            Kind::Undefined => self.w.amf0_undefined(),
            Kind::Unsupported => self.w.amf0_unsupported(),
            Kind::Double => self.w.amf0_number(special_double(node)?),
            Kind::LongString => {
                let s = string(&node[k::LONG_STRING]).at(k::LONG_STRING)?;
                self.w.amf0_long_string(s).map_err(amf)?;
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
                self.w.amf0_date(millis, tz);
            }
            Kind::XmlDoc => {
                let s = string(&node[k::XMLDOC]).at(k::XMLDOC)?;
                self.w.amf0_xml_document(s).map_err(amf)?;
            }
            Kind::Amf0Object => {
                let class = match node.get(k::CLASS) {
                    Some(class) => Some(string(class).at(k::CLASS)?),
                    None => None,
                };
                self.w.amf0_object(class).map_err(amf).at(k::CLASS)?;
                self.amf0_members(&node[k::MEMBERS]).at(k::MEMBERS)?;
            }
            Kind::Ecma => {
                let entries = members(&node[k::ECMA]).at(k::ECMA)?;
                let count = match node.get(k::COUNT) {
                    Some(c) => u32::try_from(uint(c).at(k::COUNT)?)
                        .map_err(|_| JsonError::new("too large"))
                        .at(k::COUNT)?,
                    None => access::count32(entries.len())?,
                };
                self.w.amf0_ecma_array(count);
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

    fn amf0_members(&mut self, json: &Json) -> Result<()> {
        for (name, value) in members(json)? {
            self.w.amf0_member(name).map_err(amf).at(name)?;
            self.amf0(value).at(name)?;
        }
        self.w.amf0_end();
        Ok(())
    }
}
