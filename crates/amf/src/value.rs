//! The AMF value model shared by AMF0 and AMF3.

use crate::external::Externalizable;
use crate::text::Str;
use bytes::Bytes;
use std::sync::Arc;

/// One AMF value.
///
/// Composite values sit behind [`Arc`]: cloning is cheap, and the encoder
/// writes a reference when the same `Arc` appears twice in one message, as
/// Flash Player does for the same object. Graphs with cycles cannot be built
/// and are rejected by the decoder.
#[derive(Debug, Clone, Default)]
pub enum Value {
    /// ActionScript `undefined`.
    Undefined,
    /// `null`.
    #[default]
    Null,
    /// A boolean.
    Bool(bool),
    /// An `int`. Written as an AMF3 integer when it fits 29 bits, else as a double.
    Integer(i32),
    /// A `Number` (IEEE 754 double).
    Number(f64),
    /// A string.
    String(Str),
    /// A `Date`.
    Date(Date),
    /// An `XMLDocument` or E4X `XML` value.
    Xml(Xml),
    /// A `flash.utils.ByteArray`.
    ByteArray(Bytes),
    /// An `Array`: dense part and associative (string-keyed) part.
    Array(Arc<Array>),
    /// An object: anonymous, typed (by class alias), sealed and/or dynamic.
    Object(Arc<Object>),
    /// `Vector.<int>`.
    VectorInt(Arc<Vector<i32>>),
    /// `Vector.<uint>`.
    VectorUint(Arc<Vector<u32>>),
    /// `Vector.<Number>`.
    VectorNumber(Arc<Vector<f64>>),
    /// `Vector.<T>` of objects.
    VectorObject(Arc<ObjectVector>),
    /// `flash.utils.Dictionary`.
    Dictionary(Arc<Dictionary>),
    /// An instance of an externalizable class, read by a registered reader.
    External(Arc<dyn Externalizable>),
}

impl Value {
    /// A string value.
    pub fn string(s: impl Into<Str>) -> Self {
        Value::String(s.into())
    }

    /// A dense array.
    pub fn array(items: Vec<Value>) -> Self {
        Value::Array(Arc::new(Array {
            dense: items,
            assoc: Vec::new(),
        }))
    }

    /// An object value.
    pub fn object(object: Object) -> Self {
        Value::Object(Arc::new(object))
    }

    /// The string, when this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The numeric value of an `Integer` or a `Number`.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Integer(i) => Some(f64::from(*i)),
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }

    /// The boolean, when this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The object, when this is one.
    pub fn as_object(&self) -> Option<&Object> {
        match self {
            Value::Object(o) => Some(o),
            _ => None,
        }
    }

    /// The array, when this is one.
    pub fn as_array(&self) -> Option<&Array> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The externalizable instance downcast to `T`, when this is one.
    pub fn as_external<T: Externalizable>(&self) -> Option<&T> {
        match self {
            Value::External(e) => {
                let any: &dyn std::any::Any = e.as_ref();
                any.downcast_ref::<T>()
            }
            _ => None,
        }
    }

    /// `true` for `Null` and `Undefined`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null | Value::Undefined)
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        use Value::*;
        match (self, other) {
            (Undefined, Undefined) | (Null, Null) => true,
            (Bool(a), Bool(b)) => a == b,
            (Integer(a), Integer(b)) => a == b,
            (Number(a), Number(b)) => a == b,
            (String(a), String(b)) => a == b,
            (Date(a), Date(b)) => a == b,
            (Xml(a), Xml(b)) => a == b,
            (ByteArray(a), ByteArray(b)) => a == b,
            (Array(a), Array(b)) => a == b,
            (Object(a), Object(b)) => a == b,
            (VectorInt(a), VectorInt(b)) => a == b,
            (VectorUint(a), VectorUint(b)) => a == b,
            (VectorNumber(a), VectorNumber(b)) => a == b,
            (VectorObject(a), VectorObject(b)) => a == b,
            (Dictionary(a), Dictionary(b)) => a == b,
            (External(a), External(b)) => a.eq_external(b.as_ref()),
            _ => false,
        }
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}
impl From<i32> for Value {
    fn from(i: i32) -> Self {
        Value::Integer(i)
    }
}
impl From<f64> for Value {
    fn from(n: f64) -> Self {
        Value::Number(n)
    }
}
impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.into())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s.into())
    }
}
impl From<Str> for Value {
    fn from(s: Str) -> Self {
        Value::String(s)
    }
}
impl From<Object> for Value {
    fn from(o: Object) -> Self {
        Value::Object(Arc::new(o))
    }
}
impl From<Vec<Value>> for Value {
    fn from(items: Vec<Value>) -> Self {
        Value::array(items)
    }
}

/// A date: milliseconds since the Unix epoch, UTC.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Date {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    pub millis: f64,
}

/// Which XML type a value came as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XmlKind {
    /// Legacy `flash.xml.XMLDocument` (AMF0 0x0F, AMF3 0x07).
    Document,
    /// E4X `XML` (AMF3 0x0B; AMF0 has only the document form).
    E4x,
}

/// An XML value, kept as text.
#[derive(Debug, Clone, PartialEq)]
pub struct Xml {
    /// The XML source.
    pub text: Str,
    /// Document or E4X.
    pub kind: XmlKind,
}

/// An ActionScript `Array`: a dense part and an associative part.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Array {
    /// Elements at indices 0..n.
    pub dense: Vec<Value>,
    /// String-keyed members, in wire order.
    pub assoc: Vec<(Str, Value)>,
}

/// The class description of an object: alias, sealed member names, dynamic flag.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Traits {
    /// The class alias; empty for an anonymous `Object`.
    pub class: Str,
    /// Names of the sealed members, in wire order.
    pub sealed: Vec<Str>,
    /// Whether instances carry dynamic members after the sealed ones.
    pub dynamic: bool,
}

impl Traits {
    /// Traits of an anonymous dynamic object.
    ///
    /// One shared `Arc` (a reference-count increment, not an allocation
    /// per object): traits are immutable once built.
    pub fn anonymous() -> Arc<Traits> {
        static ANONYMOUS: std::sync::OnceLock<Arc<Traits>> = std::sync::OnceLock::new();
        ANONYMOUS
            .get_or_init(|| {
                Arc::new(Traits {
                    class: Str::default(),
                    sealed: Vec::new(),
                    dynamic: true,
                })
            })
            .clone()
    }

    /// Traits of a sealed class whose alias and member names are static
    /// strings: nothing is copied.
    pub fn sealed_static(class: &'static str, members: &[&'static str]) -> Arc<Traits> {
        Arc::new(Traits {
            class: Str::from_static(class),
            sealed: members.iter().map(|m| Str::from_static(m)).collect(),
            dynamic: false,
        })
    }

    /// Traits of a sealed class with these members.
    pub fn sealed(class: impl Into<Str>, members: &[&str]) -> Arc<Traits> {
        Arc::new(Traits {
            class: class.into(),
            sealed: members.iter().map(|m| Str::from(*m)).collect(),
            dynamic: false,
        })
    }
}

/// An object instance.
#[derive(Debug, Clone, PartialEq)]
pub struct Object {
    /// Its class description.
    pub traits: Arc<Traits>,
    /// Values of the sealed members, parallel to `traits.sealed`.
    pub sealed: Vec<Value>,
    /// Dynamic members, in wire order.
    pub dynamic: Vec<(Str, Value)>,
}

impl Object {
    /// An anonymous dynamic object with these members.
    pub fn anonymous<K: Into<Str>>(members: impl IntoIterator<Item = (K, Value)>) -> Self {
        Object {
            traits: Traits::anonymous(),
            sealed: Vec::new(),
            dynamic: members.into_iter().map(|(k, v)| (k.into(), v)).collect(),
        }
    }

    /// A typed object of `traits` with sealed values in trait order.
    ///
    /// Missing values are filled with `Null`; extra values are dropped.
    pub fn typed(traits: Arc<Traits>, mut sealed: Vec<Value>) -> Self {
        sealed.resize(traits.sealed.len(), Value::Null);
        Object {
            traits,
            sealed,
            dynamic: Vec::new(),
        }
    }

    /// The class alias (empty for anonymous objects).
    pub fn class(&self) -> &str {
        &self.traits.class
    }

    /// Looks a member up by name, sealed members first.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.traits
            .sealed
            .iter()
            .position(|n| n.as_str() == name)
            .and_then(|i| self.sealed.get(i))
            .or_else(|| {
                self.dynamic
                    .iter()
                    .find(|(k, _)| k.as_str() == name)
                    .map(|(_, v)| v)
            })
    }

    /// All members, sealed then dynamic.
    pub fn members(&self) -> impl Iterator<Item = (&Str, &Value)> {
        self.traits
            .sealed
            .iter()
            .zip(self.sealed.iter())
            .chain(self.dynamic.iter().map(|(k, v)| (k, v)))
    }
}

/// A `Vector.<int|uint|Number>`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Vector<T> {
    /// Whether the vector has a fixed length.
    pub fixed: bool,
    /// The elements.
    pub items: Vec<T>,
}

/// A `Vector.<T>` of objects.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ObjectVector {
    /// Whether the vector has a fixed length.
    pub fixed: bool,
    /// The element type name (`"*"` or empty for any).
    pub type_name: Str,
    /// The elements.
    pub items: Vec<Value>,
}

/// A `flash.utils.Dictionary`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dictionary {
    /// Whether keys are weakly referenced.
    pub weak_keys: bool,
    /// Key/value pairs in wire order.
    pub entries: Vec<(Value, Value)>,
}
