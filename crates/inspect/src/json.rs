//! JSON forms shared by both directions: doubles, dates, members, the
//! names of the referenceable AMF3 types.

use crate::keys as k;
use chrono::{DateTime, SecondsFormat};
use flexgate_amf::trace::RefKind;
use serde_json::{Map, Value as Json};

/// The canonical NaN (what Rust, Java and Flash produce); others keep their bits.
pub(crate) const CANONICAL_NAN: u64 = 0x7FF8_0000_0000_0000;

/// `{key: value}`.
pub(crate) fn tagged(key: &str, value: Json) -> Json {
    let mut node = Map::new();
    node.insert(key.into(), value);
    Json::Object(node)
}

/// Members as a JSON object, or as `[name, value]` pairs when a name repeats
/// (a JSON object cannot hold both).
pub(crate) fn members_json(members: Vec<(String, Json)>) -> Json {
    let mut map = Map::with_capacity(members.len());
    for (name, value) in &members {
        if map.insert(name.clone(), value.clone()).is_some() {
            return Json::Array(
                members
                    .into_iter()
                    .map(|(n, v)| Json::Array(vec![n.into(), v]))
                    .collect(),
            );
        }
    }
    Json::Object(map)
}

/// A double: a JSON number when finite, else `{"double": "NaN"|"Infinity"|"-Infinity"}`.
pub(crate) fn double(n: f64) -> Json {
    if n.is_finite() {
        return serde_json::Number::from_f64(n).map_or(Json::Null, Json::Number);
    }
    let mut node = Map::new();
    let name = if n.is_nan() {
        k::NAN
    } else if n > 0.0 {
        k::INFINITY
    } else {
        k::NEG_INFINITY
    };
    node.insert(k::DOUBLE.into(), name.into());
    if n.is_nan() && n.to_bits() != CANONICAL_NAN {
        node.insert(k::BITS.into(), format!("{:#018x}", n.to_bits()).into());
    }
    Json::Object(node)
}

/// A date: ISO-8601 in UTC with milliseconds when that says exactly the
/// same, else the milliseconds as a double (fractions, -0, NaN, far years).
pub(crate) fn date(millis: f64) -> Json {
    match iso_date(millis) {
        Some(s) => s.into(),
        None => double(millis),
    }
}

fn iso_date(millis: f64) -> Option<String> {
    if !millis.is_finite() || millis.fract() != 0.0 || millis.to_bits() == (-0.0f64).to_bits() {
        return None;
    }
    let dt = DateTime::from_timestamp_millis(millis as i64)?;
    let s = dt.to_rfc3339_opts(SecondsFormat::Millis, true);
    // Years past 9999 print in a form RFC 3339 parsers refuse.
    (parse_iso_date(&s) == Some(millis)).then_some(s)
}

/// The milliseconds of an ISO-8601 / RFC 3339 date.
pub(crate) fn parse_iso_date(s: &str) -> Option<f64> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|d| d.timestamp_millis() as f64)
}

/// A date for the hex dump.
pub(crate) fn date_text(millis: f64) -> String {
    iso_date(millis).unwrap_or_else(|| format!("{millis} ms"))
}

/// The mapping's name of a referenceable AMF3 type (a reference's `"marker"`).
pub(crate) fn kind_name(kind: RefKind) -> &'static str {
    match kind {
        RefKind::XmlDocument => k::XMLDOC,
        RefKind::Date => k::DATE,
        RefKind::Array => k::ARRAY,
        RefKind::Object => "object",
        RefKind::Xml => k::XML,
        RefKind::ByteArray => k::BYTES,
        RefKind::VectorInt => k::VECTOR_INT,
        RefKind::VectorUint => k::VECTOR_UINT,
        RefKind::VectorNumber => k::VECTOR_DOUBLE,
        RefKind::VectorObject => k::VECTOR_OBJECT,
        RefKind::Dictionary => k::DICTIONARY,
    }
}

/// The number of JSON nodes in `v`, or `None` beyond `limit`.
pub(crate) fn weight(v: &Json, limit: usize) -> Option<usize> {
    let mut count = 0usize;
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        count += 1;
        if count > limit {
            return None;
        }
        match v {
            Json::Array(items) => stack.extend(items),
            Json::Object(map) => stack.extend(map.values()),
            _ => {}
        }
    }
    Some(count)
}
