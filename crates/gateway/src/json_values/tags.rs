//! The member names the mapping reserves (docs/backends.md).

/// A typed object's class alias.
pub(super) const CLASS: &str = "$class";
/// A Date, as an ISO 8601 UTC time with milliseconds.
pub(super) const DATE: &str = "$date";
/// A ByteArray, as standard base64.
pub(super) const BYTES: &str = "$bytes";
/// A Number JSON cannot write: `"NaN"`, `"Infinity"`, `"-Infinity"`.
pub(super) const NUMBER: &str = "$number";
/// An E4X `XML` value, as its text.
pub(super) const XML: &str = "$xml";
/// A legacy `XMLDocument`, as its text.
pub(super) const XML_DOCUMENT: &str = "$xmlDocument";
/// A Dictionary, as an array of `[key, value]` pairs.
pub(super) const DICTIONARY: &str = "$dictionary";

/// The spellings of the non-finite Numbers.
pub(super) const NAN: &str = "NaN";
/// `Infinity`.
pub(super) const INFINITY: &str = "Infinity";
/// `-Infinity`.
pub(super) const NEG_INFINITY: &str = "-Infinity";

/// The member of an ArrayCollection/ArrayList built from `"$class"`.
pub(super) const COLLECTION_SOURCE: &str = "source";
/// The member of an ObjectProxy built from `"$class"`.
pub(super) const PROXY_OBJECT: &str = "object";
