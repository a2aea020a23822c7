//! AMF3 nodes, externalizable bodies included.

use super::access::{
    amf, any_double, array, date, flag, kind_by_name, member, members, number, object,
    special_double, string, uint, At, JsonError, Result,
};
use super::kind::{kind, Kind};
use super::Encode;
use crate::keys as k;
use base64::Engine;
use flexgate_amf::{TraitsChoice, XmlKind};
use flexgate_messages::{announced_values, external_layout, ExternalLayout};
use serde_json::{Map, Value as Json};

impl Encode<'_> {
    pub(super) fn amf3(&mut self, v: &Json) -> Result<()> {
        match v {
            Json::Null => self.w.amf3_null(),
            Json::Bool(b) => self.w.amf3_bool(*b),
            // A JSON integer is an AMF3 integer when it fits 29 bits.
            Json::Number(n) => match n.as_i64() {
                Some(i) => self.w.amf3_integer(i),
                None => self.w.amf3_double(number(v)?),
            },
            Json::String(s) => self.w.amf3_string(s).map_err(amf)?,
            Json::Array(items) => {
                self.w.amf3_array(items.len()).map_err(amf)?;
                self.w.amf3_members_end();
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

    fn name(&mut self, s: &str) -> Result<()> {
        self.w.amf3_name(s).map_err(amf)
    }

    fn amf3_node(&mut self, node: &Map<String, Json>) -> Result<()> {
        match kind(node)? {
            Kind::Ref => {
                let i = uint(&node[k::REF]).at(k::REF)?;
                let marker = match node.get(k::MARKER) {
                    Some(name) => Some(kind_by_name(string(name)?).at(k::MARKER)?),
                    None => None,
                };
                let i = u32::try_from(i)
                    .map_err(|_| JsonError::new("reference index too large"))
                    .at(k::REF)?;
                self.w.amf3_reference(i, marker).map_err(amf).at(k::REF)?;
            }
            Kind::Undefined => self.w.amf3_undefined(),
            Kind::Double => self.w.amf3_double(special_double(node)?),
            Kind::Date => {
                if node.contains_key(k::TZ) {
                    return Err(JsonError::new("AMF3 dates have no time zone")).at(k::TZ);
                }
                let millis = date(&node[k::DATE]).at(k::DATE)?;
                self.w.amf3_date(millis).map_err(amf)?;
            }
            Kind::Bytes => {
                let b = base64::engine::general_purpose::STANDARD
                    .decode(string(&node[k::BYTES]).at(k::BYTES)?)
                    .map_err(|_| JsonError::new("not standard base64"))
                    .at(k::BYTES)?;
                self.w.amf3_byte_array(&b).map_err(amf)?;
            }
            Kind::Xml => {
                let s = string(&node[k::XML]).at(k::XML)?;
                self.w.amf3_xml(XmlKind::E4x, s).map_err(amf)?;
            }
            Kind::XmlDoc => {
                let s = string(&node[k::XMLDOC]).at(k::XMLDOC)?;
                self.w.amf3_xml(XmlKind::Document, s).map_err(amf)?;
            }
            Kind::Array => {
                let dense: &[Json] = match node.get(k::ARRAY) {
                    Some(a) => array(a).at(k::ARRAY)?,
                    None => &[],
                };
                self.w.amf3_array(dense.len()).map_err(amf)?;
                match node.get(k::ASSOC) {
                    Some(assoc) => self.amf3_members(assoc).at(k::ASSOC)?,
                    None => self.w.amf3_members_end(),
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
                let fixed = flag(node, k::FIXED)?;
                self.w
                    .amf3_object_vector(items.len(), fixed, type_name)
                    .map_err(amf)
                    .at(k::TYPE)?;
                self.amf3_items(items).at(k::VECTOR_OBJECT)?;
            }
            Kind::Dictionary => {
                let entries = array(&node[k::DICTIONARY]).at(k::DICTIONARY)?;
                let weak = flag(node, k::WEAK)?;
                self.w.amf3_dictionary(entries.len(), weak).map_err(amf)?;
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

    fn amf3_members(&mut self, json: &Json) -> Result<()> {
        for (name, value) in members(json)? {
            if name.is_empty() {
                return Err(JsonError::new("AMF3 member names cannot be empty"));
            }
            self.name(name).at(name)?;
            self.amf3(value).at(name)?;
        }
        self.w.amf3_members_end();
        Ok(())
    }

    /// The traits choice a node records: none (the rule), `"inline"` or a slot.
    fn traits_choice(node: &Map<String, Json>) -> Result<TraitsChoice> {
        match node.get(k::TRAITS) {
            None => Ok(TraitsChoice::Rule),
            Some(Json::String(s)) if s == k::INLINE => Ok(TraitsChoice::Inline),
            Some(v) => v
                .as_u64()
                .and_then(|i| u32::try_from(i).ok())
                .map(TraitsChoice::Reference)
                .ok_or_else(|| JsonError::new("expected \"inline\" or a traits slot"))
                .at(k::TRAITS),
        }
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
        let names: Vec<&str> = sealed.iter().map(|(n, _)| *n).collect();
        let choice = Self::traits_choice(node)?;
        self.w
            .amf3_object(class, &names, dynamic.is_some(), choice)
            .map_err(amf)
            .at(k::TRAITS)?;
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
        let layout = external_layout(class)
            .ok_or_else(|| JsonError::new(format!("unknown externalizable class {class:?}")))
            .at(k::CLASS)?;
        let body = object(&node[k::EXTERNAL]).at(k::EXTERNAL)?;
        let choice = Self::traits_choice(node)?;
        self.w
            .amf3_external(class, choice)
            .map_err(amf)
            .at(k::TRAITS)?;
        match layout {
            ExternalLayout::Value(name) => {
                self.amf3(member(body, name)?).at(name).at(k::EXTERNAL)?;
            }
            ExternalLayout::Levels(levels) => {
                for level in levels {
                    self.level(member(body, level)?).at(level).at(k::EXTERNAL)?;
                }
            }
        }
        Ok(())
    }

    /// One flag group of a small message: its flag bytes, then its values in order.
    fn level(&mut self, json: &Json) -> Result<()> {
        let group = object(json)?;
        let text = string(member(group, k::FLAGS)?).at(k::FLAGS)?;
        let flags = text
            .split_whitespace()
            .map(|f| u8::from_str_radix(f, 16))
            .collect::<std::result::Result<Vec<u8>, _>>()
            .map_err(|_| JsonError::new("expected flag bytes in hex, e.g. \"88 02\""))
            .at(k::FLAGS)?;
        let values: Vec<_> = group.iter().filter(|(name, _)| *name != k::FLAGS).collect();
        let announced = announced_values(&flags);
        if values.len() != announced {
            return Err(JsonError::new(format!(
                "the flags announce {announced} values, {} are given",
                values.len()
            )));
        }
        for f in flags {
            self.w.external_byte(f);
        }
        for (name, value) in values {
            self.amf3(value).at(name)?;
        }
        Ok(())
    }

    fn number_vector(&mut self, node: &Map<String, Json>) -> Result<()> {
        let fixed = flag(node, k::FIXED)?;
        let bad = || JsonError::new("out of range for the vector's type");
        if let Some(items) = node.get(k::VECTOR_INT) {
            let items = array(items).at(k::VECTOR_INT)?;
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let v = item.as_i64().and_then(|v| i32::try_from(v).ok());
                out.push(v.ok_or_else(bad).at(format!("[{i}]")).at(k::VECTOR_INT)?);
            }
            self.w.amf3_vector_int(fixed, &out).map_err(amf)
        } else if let Some(items) = node.get(k::VECTOR_UINT) {
            let items = array(items).at(k::VECTOR_UINT)?;
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let v = item.as_u64().and_then(|v| u32::try_from(v).ok());
                out.push(v.ok_or_else(bad).at(format!("[{i}]")).at(k::VECTOR_UINT)?);
            }
            self.w.amf3_vector_uint(fixed, &out).map_err(amf)
        } else {
            let items = array(member(node, k::VECTOR_DOUBLE)?).at(k::VECTOR_DOUBLE)?;
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                out.push(any_double(item).at(format!("[{i}]")).at(k::VECTOR_DOUBLE)?);
            }
            self.w.amf3_vector_number(fixed, &out).map_err(amf)
        }
    }
}
