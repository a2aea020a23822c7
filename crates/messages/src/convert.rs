//! Conversions between Rust field types and AMF values.

use crate::collections::{ArrayCollection, ArrayList};
use crate::error::MessageError;
use flexgate_amf::{Array, Date, Object, Str, Value};

/// A type that becomes an AMF value.
pub trait ToAmf {
    /// The value to write.
    fn to_amf(&self) -> Value;
}

/// A type that can be read from an AMF value.
pub trait FromAmf: Sized {
    /// Converts `v`, failing on a value of the wrong type.
    fn from_amf(v: &Value) -> Result<Self, MessageError>;
}

impl ToAmf for Value {
    fn to_amf(&self) -> Value {
        self.clone()
    }
}
impl FromAmf for Value {
    fn from_amf(v: &Value) -> Result<Self, MessageError> {
        Ok(v.clone())
    }
}

impl ToAmf for String {
    fn to_amf(&self) -> Value {
        Value::string(self.as_str())
    }
}
impl FromAmf for String {
    fn from_amf(v: &Value) -> Result<Self, MessageError> {
        v.as_str()
            .map(str::to_owned)
            .ok_or_else(|| MessageError::type_mismatch("string", v))
    }
}

impl ToAmf for Str {
    fn to_amf(&self) -> Value {
        Value::String(self.clone())
    }
}
impl FromAmf for Str {
    fn from_amf(v: &Value) -> Result<Self, MessageError> {
        match v {
            Value::String(s) => Ok(s.clone()),
            _ => Err(MessageError::type_mismatch("string", v)),
        }
    }
}

impl ToAmf for bool {
    fn to_amf(&self) -> Value {
        Value::Bool(*self)
    }
}
impl FromAmf for bool {
    fn from_amf(v: &Value) -> Result<Self, MessageError> {
        v.as_bool()
            .ok_or_else(|| MessageError::type_mismatch("boolean", v))
    }
}

impl ToAmf for i32 {
    fn to_amf(&self) -> Value {
        Value::Integer(*self)
    }
}
impl FromAmf for i32 {
    /// Accepts an AMF int, or a Number with an integral value in range
    /// (encoders promote ints outside 29 bits to doubles).
    fn from_amf(v: &Value) -> Result<Self, MessageError> {
        match v {
            Value::Integer(i) => Ok(*i),
            Value::Number(n)
                if n.fract() == 0.0 && (f64::from(i32::MIN)..=f64::from(i32::MAX)).contains(n) =>
            {
                Ok(*n as i32)
            }
            _ => Err(MessageError::type_mismatch("int", v)),
        }
    }
}

impl ToAmf for i64 {
    /// Written as a Number, as BlazeDS writes a Java `long`.
    fn to_amf(&self) -> Value {
        Value::Number(*self as f64)
    }
}
impl FromAmf for i64 {
    fn from_amf(v: &Value) -> Result<Self, MessageError> {
        match v {
            Value::Integer(i) => Ok(i64::from(*i)),
            Value::Number(n) if n.fract() == 0.0 && n.abs() <= 9.007_199_254_740_992e15 => {
                Ok(*n as i64)
            }
            _ => Err(MessageError::type_mismatch("integral number", v)),
        }
    }
}

impl ToAmf for f64 {
    fn to_amf(&self) -> Value {
        Value::Number(*self)
    }
}
impl FromAmf for f64 {
    fn from_amf(v: &Value) -> Result<Self, MessageError> {
        v.as_f64()
            .ok_or_else(|| MessageError::type_mismatch("number", v))
    }
}

impl ToAmf for Date {
    fn to_amf(&self) -> Value {
        Value::Date(*self)
    }
}
impl FromAmf for Date {
    fn from_amf(v: &Value) -> Result<Self, MessageError> {
        match v {
            Value::Date(d) => Ok(*d),
            _ => Err(MessageError::type_mismatch("date", v)),
        }
    }
}

impl ToAmf for Object {
    fn to_amf(&self) -> Value {
        Value::object(self.clone())
    }
}
impl FromAmf for Object {
    fn from_amf(v: &Value) -> Result<Self, MessageError> {
        v.as_object()
            .cloned()
            .ok_or_else(|| MessageError::type_mismatch("object", v))
    }
}

impl<T: ToAmf> ToAmf for Option<T> {
    fn to_amf(&self) -> Value {
        self.as_ref().map_or(Value::Null, ToAmf::to_amf)
    }
}
impl<T: FromAmf> FromAmf for Option<T> {
    /// `null` and `undefined` (and a missing member) are `None`.
    fn from_amf(v: &Value) -> Result<Self, MessageError> {
        if v.is_null() {
            Ok(None)
        } else {
            T::from_amf(v).map(Some)
        }
    }
}

impl<T: ToAmf> ToAmf for Vec<T> {
    /// Written as a plain dense array.
    fn to_amf(&self) -> Value {
        Value::array(self.iter().map(ToAmf::to_amf).collect())
    }
}
impl<T: FromAmf> FromAmf for Vec<T> {
    /// Reads the items of a dense array, an `ArrayCollection`/`ArrayList`
    /// or an object vector.
    /// Reads the items of a dense array, an `ArrayCollection`/`ArrayList`,
    /// an object vector, or an ECMA array keyed exactly `"0"`..`"n-1"`.
    fn from_amf(v: &Value) -> Result<Self, MessageError> {
        if let Some(items) = list_items(v) {
            return items.iter().map(T::from_amf).collect();
        }
        match v {
            Value::Array(a) => dense_ecma_items(a),
            _ => None,
        }
        .ok_or_else(|| MessageError::type_mismatch("array", v))?
        .iter()
        .map(T::from_amf)
        .collect()
    }
}

/// The items of an array written as an AMF0 ECMA array (Ruffle writes an
/// ActionScript `Array` so): `Some` only when it has no dense part and its
/// keys are exactly the indices `"0"`..`"n-1"`, each once, in canonical
/// decimal form. Anything else (a gap, a named key, `"01"`) is no list.
/// The result is no larger than the decoded array.
pub fn dense_ecma_items(a: &Array) -> Option<Vec<Value>> {
    if !a.dense.is_empty() {
        return None;
    }
    let n = a.assoc.len();
    let mut items: Vec<Option<&Value>> = vec![None; n];
    for (key, value) in &a.assoc {
        let canonical = key == "0" || !key.starts_with('0');
        let index: usize = key
            .parse()
            .ok()
            .filter(|_| canonical && key.bytes().all(|b| b.is_ascii_digit()))?;
        let slot = items.get_mut(index)?;
        if slot.replace(value).is_some() {
            return None;
        }
    }
    items.into_iter().map(|v| v.cloned()).collect()
}

/// The argument list of a call: a dense array's items (or those of an
/// ECMA array keyed `"0"`..`"n-1"`), none for `null`/`undefined`, else the
/// value as the one argument.
pub fn argument_list(v: &Value) -> Vec<Value> {
    match v {
        Value::Array(a) => dense_ecma_items(a).unwrap_or_else(|| a.dense.clone()),
        Value::Null | Value::Undefined => Vec::new(),
        other => vec![other.clone()],
    }
}

/// The items of a list-like value: the dense part of an array, the source
/// of an `ArrayCollection`/`ArrayList`, or an object vector's items.
pub fn list_items(v: &Value) -> Option<&[Value]> {
    match v {
        Value::Array(a) => Some(&a.dense),
        Value::VectorObject(o) => Some(&o.items),
        Value::External(_) => {
            let source = v
                .as_external::<ArrayCollection>()
                .map(|c| &c.source)
                .or_else(|| v.as_external::<ArrayList>().map(|l| &l.source))?;
            match source {
                Value::Array(a) => Some(&a.dense),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Reads member `field` of `o` (missing members read as `null`), naming
/// the member in the error.
pub fn field<T: FromAmf>(
    o: &Object,
    class: &'static str,
    field: &'static str,
) -> Result<T, MessageError> {
    T::from_amf(o.get(field).unwrap_or(&Value::Null)).map_err(|e| e.in_field(class, field))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ecma(keys: &[&str]) -> Array {
        Array {
            dense: Vec::new(),
            assoc: keys
                .iter()
                .enumerate()
                .map(|(i, k)| (Str::from(*k), Value::Integer(i as i32)))
                .collect(),
        }
    }

    #[test]
    fn a_dense_ecma_array_is_a_list_in_key_order() {
        let items = dense_ecma_items(&ecma(&["1", "0", "2"])).expect("dense");
        assert_eq!(
            items,
            [Value::Integer(1), Value::Integer(0), Value::Integer(2)]
        );
        assert_eq!(dense_ecma_items(&ecma(&[])), Some(Vec::new()));
    }

    #[test]
    fn gaps_names_and_odd_spellings_are_no_list() {
        for keys in [
            &["0", "2"][..],
            &["0", "0"],
            &["0", "x"],
            &["01"],
            &["+0"],
            &["-1"],
            &["1"],
        ] {
            assert_eq!(dense_ecma_items(&ecma(keys)), None, "{keys:?}");
        }
    }

    #[test]
    fn argument_lists_accept_dense_ecma_arrays() {
        let args = argument_list(&Value::Array(std::sync::Arc::new(ecma(&["0"]))));
        assert_eq!(args, [Value::Integer(0)]);
        assert_eq!(argument_list(&Value::Null), Vec::<Value>::new());
        assert_eq!(argument_list(&Value::from("x")), [Value::from("x")]);
    }
}
