//! The JSON member names of the mapping (docs/json-mapping.md).

// Envelope.
pub(crate) const VERSION: &str = "version";
pub(crate) const HEADERS: &str = "headers";
pub(crate) const BODIES: &str = "bodies";
pub(crate) const NAME: &str = "name";
pub(crate) const MUST_UNDERSTAND: &str = "must_understand";
pub(crate) const TARGET: &str = "target";
pub(crate) const RESPONSE: &str = "response";
/// A declared header/body length, present only when it is not the true one.
pub(crate) const LENGTH: &str = "length";
pub(crate) const VALUE: &str = "value";

// Values.
pub(crate) const REF: &str = "ref";
pub(crate) const MARKER: &str = "marker";
pub(crate) const AMF3: &str = "amf3";
pub(crate) const UNDEFINED: &str = "undefined";
pub(crate) const UNSUPPORTED: &str = "unsupported";
pub(crate) const DOUBLE: &str = "double";
pub(crate) const BITS: &str = "bits";
pub(crate) const LONG_STRING: &str = "long_string";
pub(crate) const DATE: &str = "date";
pub(crate) const TZ: &str = "tz";
pub(crate) const BYTES: &str = "bytes";
pub(crate) const XML: &str = "xml";
pub(crate) const XMLDOC: &str = "xmldoc";
pub(crate) const CLASS: &str = "class";
pub(crate) const MEMBERS: &str = "members";
pub(crate) const ECMA: &str = "ecma";
pub(crate) const COUNT: &str = "count";
pub(crate) const ARRAY: &str = "array";
pub(crate) const ASSOC: &str = "assoc";
pub(crate) const SEALED: &str = "sealed";
pub(crate) const DYNAMIC: &str = "dynamic";
/// Traits that did not follow the reference rule: `"inline"` or a slot.
pub(crate) const TRAITS: &str = "traits";
pub(crate) const INLINE: &str = "inline";
pub(crate) const EXTERNAL: &str = "external";
pub(crate) const FLAGS: &str = "flags";
pub(crate) const VECTOR_INT: &str = "vector_int";
pub(crate) const VECTOR_UINT: &str = "vector_uint";
pub(crate) const VECTOR_DOUBLE: &str = "vector_double";
pub(crate) const VECTOR_OBJECT: &str = "vector_object";
pub(crate) const FIXED: &str = "fixed";
pub(crate) const TYPE: &str = "type";
pub(crate) const DICTIONARY: &str = "dictionary";
pub(crate) const WEAK: &str = "weak";

// Special doubles.
pub(crate) const NAN: &str = "NaN";
pub(crate) const INFINITY: &str = "Infinity";
pub(crate) const NEG_INFINITY: &str = "-Infinity";
