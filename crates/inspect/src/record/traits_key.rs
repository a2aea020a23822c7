//! Traits by content, to tell which slot an encoder should refer to.

/// Traits by content: the first slot of equal traits is where an encoder refers.
#[derive(PartialEq, Eq, Hash)]
pub(super) enum TraitsKey {
    /// Class alias, sealed member names, dynamic.
    Object(String, Vec<String>, bool),
    /// An externalizable class, by alias.
    External(String),
}
