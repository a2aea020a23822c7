//! JSON → AMF.

use super::error::JsonError;
use super::{date, tags};
use flexgate_amf::{Date, Dictionary, Object, Str, Traits, Value, Xml, XmlKind};
use flexgate_messages::{alias, ArrayCollection, ArrayList, ObjectProxy};
use serde_json::{Map, Value as Json};
use std::sync::Arc;

/// How JSON values become AMF values.
#[derive(Debug, Clone, Copy)]
pub struct FromJsonOptions {
    /// Deepest nesting allowed (`limits.max_depth`).
    pub max_depth: usize,
}

/// The AMF value of `json`.
pub fn from_json(json: &Json, options: FromJsonOptions) -> Result<Value, JsonError> {
    Mapper { options }.map(json, 0)
}

struct Mapper {
    options: FromJsonOptions,
}

fn bad(tag: &'static str, why: impl Into<String>) -> JsonError {
    JsonError::BadTag {
        tag,
        why: why.into(),
    }
}

fn tag_text<'j>(tag: &'static str, v: &'j Json) -> Result<&'j str, JsonError> {
    v.as_str().ok_or_else(|| bad(tag, "must be a string"))
}

/// A JSON number: an integer that fits an `int` is an Integer, any other
/// number a Number (integers past 2^53 lose precision, as in JavaScript).
fn number(n: &serde_json::Number) -> Value {
    match n.as_i64().and_then(|i| i32::try_from(i).ok()) {
        Some(i) if !n.is_f64() => Value::Integer(i),
        _ => Value::Number(n.as_f64().unwrap_or(f64::NAN)),
    }
}

impl Mapper {
    fn map(&self, json: &Json, depth: usize) -> Result<Value, JsonError> {
        if depth > self.options.max_depth {
            return Err(JsonError::TooDeep(self.options.max_depth));
        }
        Ok(match json {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => number(n),
            Json::String(s) => Value::from(s.as_str()),
            Json::Array(items) => {
                // A destination's `lists` setting makes collections of
                // them afterwards (flex/remoting.rs `with_lists`).
                Value::array(self.items(items, depth + 1)?)
            }
            Json::Object(m) => self.object(m, depth + 1)?,
        })
    }

    fn items(&self, items: &[Json], depth: usize) -> Result<Vec<Value>, JsonError> {
        items.iter().map(|v| self.map(v, depth)).collect()
    }

    fn object(&self, m: &Map<String, Json>, depth: usize) -> Result<Value, JsonError> {
        if m.len() == 1 {
            if let Some((k, v)) = m.iter().next() {
                if let Some(value) = self.tag(k, v, depth)? {
                    return Ok(value);
                }
            }
        }
        let class = match m.get(tags::CLASS) {
            None => "",
            Some(c) => c
                .as_str()
                .ok_or_else(|| bad(tags::CLASS, "must be a string"))?,
        };
        let members = m.iter().filter(|(k, _)| k.as_str() != tags::CLASS);
        if class.is_empty() {
            let mut dynamic = Vec::with_capacity(m.len());
            for (k, v) in members {
                dynamic.push((Str::from(k.as_str()), self.map(v, depth)?));
            }
            return Ok(Value::object(Object::anonymous(dynamic)));
        }
        if let Some(v) = self.external(class, m, depth)? {
            return Ok(v);
        }
        // A class instance as BlazeDS writes a bean: every member sealed,
        // so that a `[RemoteClass]` ActionScript class reads its properties.
        let mut names = Vec::with_capacity(m.len());
        let mut values = Vec::with_capacity(m.len());
        for (k, v) in members {
            names.push(Str::from(k.as_str()));
            values.push(self.map(v, depth)?);
        }
        let traits = Arc::new(Traits {
            class: Str::from(class),
            sealed: names,
            dynamic: false,
        });
        Ok(Value::object(Object::typed(traits, values)))
    }

    /// The value of a one-member tag object, or `None` when the key is no tag.
    fn tag(&self, key: &str, v: &Json, depth: usize) -> Result<Option<Value>, JsonError> {
        Ok(Some(match key {
            tags::DATE => Value::Date(Date {
                millis: date::parse(tag_text(tags::DATE, v)?)?,
            }),
            tags::BYTES => {
                let text = tag_text(tags::BYTES, v)?;
                let bytes = crate::base64::decode(text)
                    .ok_or_else(|| bad(tags::BYTES, "is not standard padded base64"))?;
                Value::ByteArray(bytes.into())
            }
            tags::NUMBER => Value::Number(match tag_text(tags::NUMBER, v)? {
                tags::NAN => f64::NAN,
                tags::INFINITY => f64::INFINITY,
                tags::NEG_INFINITY => f64::NEG_INFINITY,
                other => {
                    return Err(bad(
                        tags::NUMBER,
                        format!("'{other}' is not NaN, Infinity or -Infinity"),
                    ))
                }
            }),
            tags::XML | tags::XML_DOCUMENT => Value::Xml(Xml {
                text: Str::from(tag_text(tags::XML, v)?),
                kind: if key == tags::XML {
                    XmlKind::E4x
                } else {
                    XmlKind::Document
                },
            }),
            tags::DICTIONARY => {
                let pairs = v
                    .as_array()
                    .ok_or_else(|| bad(tags::DICTIONARY, "must be an array of [key, value]"))?;
                let mut entries = Vec::with_capacity(pairs.len());
                for pair in pairs {
                    let [k, v] = pair.as_array().map(Vec::as_slice).unwrap_or_default() else {
                        return Err(bad(tags::DICTIONARY, "each entry must be [key, value]"));
                    };
                    entries.push((self.map(k, depth)?, self.map(v, depth)?));
                }
                Value::Dictionary(Arc::new(Dictionary {
                    weak_keys: false,
                    entries,
                }))
            }
            _ => return Ok(None),
        }))
    }

    /// `"$class"` naming an externalizable class: the Flex collections
    /// and the proxy are built from their one member; any other class the
    /// gateway knows as externalizable is refused, since its members would
    /// be read as the class's own encoding.
    fn external(
        &self,
        class: &str,
        m: &Map<String, Json>,
        depth: usize,
    ) -> Result<Option<Value>, JsonError> {
        let member = |name: &str| {
            m.get(name).ok_or_else(|| {
                bad(
                    tags::CLASS,
                    format!("an instance of '{class}' needs a \"{name}\" member"),
                )
            })
        };
        let source = |v: &Json| match v {
            Json::Array(items) => self.items(items, depth + 1).map(Value::array),
            _ => Err(bad(
                tags::CLASS,
                format!("the \"source\" of '{class}' must be an array"),
            )),
        };
        Ok(Some(match class {
            alias::ARRAY_COLLECTION => {
                ArrayCollection::new(source(member(tags::COLLECTION_SOURCE)?)?).into_value()
            }
            alias::ARRAY_LIST => {
                ArrayList::new(source(member(tags::COLLECTION_SOURCE)?)?).into_value()
            }
            alias::OBJECT_PROXY => {
                ObjectProxy::new(self.map(member(tags::PROXY_OBJECT)?, depth)?).into_value()
            }
            _ if flexgate_messages::registry().reader(class).is_some() => {
                return Err(JsonError::ExternalizableClass(class.to_owned()))
            }
            _ => return Ok(None),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_is_bounded() {
        let options = FromJsonOptions { max_depth: 4 };
        let v = from_json(&serde_json::json!({"rows": [[1], [2]]}), options).expect("maps");
        assert!(v.as_object().and_then(|o| o.get("rows")).is_some());
        let deep = serde_json::json!([[[[[[1]]]]]]);
        assert_eq!(from_json(&deep, options), Err(JsonError::TooDeep(4)));
    }
}
