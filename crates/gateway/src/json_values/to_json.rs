//! AMF → JSON.

use super::error::JsonError;
use super::{date, tags};
use flexgate_amf::{Value, XmlKind};
use flexgate_messages::{ArrayCollection, ArrayList, ObjectProxy};
use serde_json::{Map, Number, Value as Json};

/// The natural JSON form of `value`, nested at most `max_depth` levels.
pub fn to_json(value: &Value, max_depth: usize) -> Result<Json, JsonError> {
    Mapper { max_depth }.map(value, 0)
}

struct Mapper {
    max_depth: usize,
}

/// A one-member tag object.
fn tagged(tag: &str, value: Json) -> Json {
    let mut m = Map::with_capacity(1);
    m.insert(tag.to_owned(), value);
    Json::Object(m)
}

/// A Number: plain when finite (written with a fraction, `3.0`, so that
/// it reads back as a Number, not an int), tagged otherwise.
fn number(n: f64) -> Json {
    match Number::from_f64(n) {
        Some(n) => Json::Number(n),
        None => {
            let text = if n.is_nan() {
                tags::NAN
            } else if n > 0.0 {
                tags::INFINITY
            } else {
                tags::NEG_INFINITY
            };
            tagged(tags::NUMBER, Json::from(text))
        }
    }
}

impl Mapper {
    fn map(&self, value: &Value, depth: usize) -> Result<Json, JsonError> {
        if depth > self.max_depth {
            return Err(JsonError::TooDeep(self.max_depth));
        }
        let inner = depth + 1;
        Ok(match value {
            Value::Undefined | Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Integer(i) => Json::from(*i),
            Value::Number(n) => number(*n),
            Value::String(s) => Json::from(s.as_str()),
            Value::Date(d) => tagged(tags::DATE, Json::from(date::format(d.millis)?)),
            Value::Xml(x) => {
                let tag = match x.kind {
                    XmlKind::E4x => tags::XML,
                    XmlKind::Document => tags::XML_DOCUMENT,
                };
                tagged(tag, Json::from(x.text.as_str()))
            }
            Value::ByteArray(b) => tagged(tags::BYTES, Json::from(crate::base64::encode(b))),
            Value::Array(a) if a.assoc.is_empty() => self.list(a.dense.iter(), inner)?,
            // An ECMA array with string keys reads as an object in JSON:
            // its dense items under "0", "1", … then its named members.
            Value::Array(a) => {
                let mut m = Map::with_capacity(a.dense.len() + a.assoc.len());
                for (i, v) in a.dense.iter().enumerate() {
                    m.insert(i.to_string(), self.map(v, inner)?);
                }
                for (k, v) in &a.assoc {
                    m.insert(k.to_string(), self.map(v, inner)?);
                }
                Json::Object(m)
            }
            Value::Object(o) => {
                let mut m = Map::with_capacity(o.sealed.len() + o.dynamic.len() + 1);
                if !o.class().is_empty() {
                    m.insert(tags::CLASS.to_owned(), Json::from(o.class()));
                }
                for (k, v) in o.members() {
                    m.insert(k.to_string(), self.map(v, inner)?);
                }
                Json::Object(m)
            }
            Value::VectorInt(v) => Json::Array(v.items.iter().map(|i| Json::from(*i)).collect()),
            Value::VectorUint(v) => Json::Array(v.items.iter().map(|i| Json::from(*i)).collect()),
            Value::VectorNumber(v) => Json::Array(v.items.iter().map(|n| number(*n)).collect()),
            Value::VectorObject(v) => self.list(v.items.iter(), inner)?,
            Value::Dictionary(d) => {
                let mut pairs = Vec::with_capacity(d.entries.len());
                for (k, v) in &d.entries {
                    pairs.push(Json::Array(vec![self.map(k, inner)?, self.map(v, inner)?]));
                }
                tagged(tags::DICTIONARY, Json::Array(pairs))
            }
            Value::External(_) => self.external(value, inner)?,
        })
    }

    fn list<'v>(
        &self,
        items: impl ExactSizeIterator<Item = &'v Value>,
        depth: usize,
    ) -> Result<Json, JsonError> {
        let mut out = Vec::with_capacity(items.len());
        for v in items {
            out.push(self.map(v, depth)?);
        }
        Ok(Json::Array(out))
    }

    /// The Flex collections are their source array, a proxy its object;
    /// any other externalizable class has no JSON form.
    fn external(&self, value: &Value, depth: usize) -> Result<Json, JsonError> {
        if let Some(c) = value.as_external::<ArrayCollection>() {
            return self.map(&c.source, depth);
        }
        if let Some(l) = value.as_external::<ArrayList>() {
            return self.map(&l.source, depth);
        }
        if let Some(p) = value.as_external::<ObjectProxy>() {
            return self.map(&p.object, depth);
        }
        let Value::External(e) = value else {
            return Ok(Json::Null);
        };
        Err(JsonError::NoJsonForm(e.class_name().to_owned()))
    }
}
