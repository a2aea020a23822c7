//! What kind of node a JSON object is, decided by its tag member.

use super::access::{JsonError, Result};
use crate::keys as k;
use serde_json::{Map, Value as Json};

/// What kind of node a JSON object is, decided by its tag member.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Kind {
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

pub(crate) fn kind(node: &Map<String, Json>) -> Result<Kind> {
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
