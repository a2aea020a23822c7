//! The JSON side of encoding: typed access to the nodes, and errors that
//! name the JSON path of a problem.

use crate::json::{kind_name, parse_iso_date, CANONICAL_NAN};
use crate::keys as k;
use flexgate_amf::trace::RefKind;
use serde_json::{Map, Value as Json};
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
    pub(crate) fn new(reason: impl Into<String>) -> Self {
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
pub(crate) trait At<T> {
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

pub(crate) type Result<T, E = JsonError> = std::result::Result<T, E>;

pub(crate) fn object(v: &Json) -> Result<&Map<String, Json>> {
    v.as_object()
        .ok_or_else(|| JsonError::new("expected a JSON object"))
}

pub(crate) fn array(v: &Json) -> Result<&[Json]> {
    v.as_array()
        .map(Vec::as_slice)
        .ok_or_else(|| JsonError::new("expected a JSON array"))
}

pub(crate) fn string(v: &Json) -> Result<&str> {
    v.as_str()
        .ok_or_else(|| JsonError::new("expected a JSON string"))
}

pub(crate) fn uint(v: &Json) -> Result<u64> {
    v.as_u64()
        .ok_or_else(|| JsonError::new("expected a non-negative integer"))
}

pub(crate) fn number(v: &Json) -> Result<f64> {
    v.as_f64()
        .ok_or_else(|| JsonError::new("expected a number"))
}

pub(crate) fn member<'j>(node: &'j Map<String, Json>, name: &str) -> Result<&'j Json> {
    node.get(name)
        .ok_or_else(|| JsonError::new(format!("missing member \"{name}\"")))
}

pub(crate) fn flag(node: &Map<String, Json>, name: &str) -> Result<bool> {
    match node.get(name) {
        None => Ok(false),
        Some(v) => v
            .as_bool()
            .ok_or_else(|| JsonError::new("expected true or false"))
            .at(name),
    }
}

/// Members as written: a JSON object, or `[name, value]` pairs.
pub(crate) fn members(v: &Json) -> Result<Vec<(&str, &Json)>> {
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

pub(crate) fn count16(n: usize) -> Result<u16> {
    u16::try_from(n).map_err(|_| JsonError::new(format!("{n} entries exceed a u16 count")))
}

pub(crate) fn count32(n: usize) -> Result<u32> {
    u32::try_from(n).map_err(|_| JsonError::new(format!("{n} exceeds a u32 length")))
}

/// `{"double": ..., "bits"?: ...}`.
pub(crate) fn special_double(node: &Map<String, Json>) -> Result<f64> {
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
pub(crate) fn any_double(v: &Json) -> Result<f64> {
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
pub(crate) fn date(v: &Json) -> Result<f64> {
    match v {
        Json::String(s) => parse_iso_date(s).ok_or_else(|| {
            JsonError::new("expected an ISO-8601 date such as 2020-01-02T03:04:05.678Z")
        }),
        _ => any_double(v),
    }
}

/// The referenceable AMF3 type the mapping calls `name`.
pub(crate) fn kind_by_name(name: &str) -> Result<RefKind> {
    RefKind::ALL
        .into_iter()
        .find(|&kind| kind_name(kind) == name)
        .ok_or_else(|| JsonError::new(format!("no referenceable AMF3 type is called {name:?}")))
}

/// An encoding error of the AMF side, at the current JSON node.
pub(crate) fn amf(e: flexgate_amf::EncodeError) -> JsonError {
    JsonError::new(e.to_string())
}
