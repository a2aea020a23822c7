//! The natural JSON form of AMF values, both ways: what HTTP remoting
//! backends and the publish API read and write (docs/backends.md lists
//! every type's form, with examples a test checks).
//!
//! Plain values are plain JSON (numbers, strings, arrays, objects); what
//! JSON has no form for is a one-member object whose key is a tag
//! (`{"$date": "…"}`, `{"$bytes": "…"}`, …); a typed object carries its
//! class alias as `"$class"`. This is not `flexgate inspect`'s lossless
//! format: it is meant for services written by hand in any language.

mod date;
mod error;
mod from_json;
mod tags;
mod to_json;

pub use error::JsonError;
pub use from_json::{from_json, FromJsonOptions};
pub use to_json::to_json;
