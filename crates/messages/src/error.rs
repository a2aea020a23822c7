//! Errors of message decoding.

use flexgate_amf::Value;

/// Why a value is not the expected message or class.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    /// The value is not an object at all.
    #[error("expected a Flex message, found {0}")]
    NotAMessage(&'static str),
    /// An object whose class is not a Flex message class.
    #[error("'{0}' is not a Flex message class")]
    UnknownClass(String),
    /// A typed object of another class than the one expected.
    #[error("expected an object of class '{expected}', found {found}")]
    WrongClass {
        /// The alias expected.
        expected: &'static str,
        /// What was found (class alias or value kind).
        found: String,
    },
    /// A value of the wrong type.
    #[error("expected {expected}, found {found}")]
    Type {
        /// What was expected.
        expected: &'static str,
        /// The kind of value found.
        found: &'static str,
    },
    /// A member of a class failed to convert.
    #[error("{class}.{field}: {source}")]
    Field {
        /// The class alias.
        class: &'static str,
        /// The member name.
        field: &'static str,
        /// What was wrong with it.
        source: Box<MessageError>,
    },
}

impl MessageError {
    /// A type mismatch: expected `expected`, found `found`.
    pub fn type_mismatch(expected: &'static str, found: &Value) -> Self {
        MessageError::Type {
            expected,
            found: kind(found),
        }
    }

    /// Wraps the error with the member it concerns.
    pub fn in_field(self, class: &'static str, field: &'static str) -> Self {
        MessageError::Field {
            class,
            field,
            source: Box::new(self),
        }
    }
}

/// A short name of the kind of a value, for error messages.
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Undefined => "undefined",
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Integer(_) => "int",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Date(_) => "date",
        Value::Xml(_) => "xml",
        Value::ByteArray(_) => "byte array",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
        Value::VectorInt(_) | Value::VectorUint(_) | Value::VectorNumber(_) => "vector",
        Value::VectorObject(_) => "object vector",
        Value::Dictionary(_) => "dictionary",
        Value::External(_) => "externalizable object",
    }
}
