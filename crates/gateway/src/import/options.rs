//! What the command line gives an import.

use std::collections::BTreeMap;

/// How tokens in the XML are filled in.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// What `{context.root}` in endpoint URLs becomes (`""` or `/app`).
    pub context_root: String,
    /// Values for other `{name}` tokens, as BlazeDS takes them from
    /// `-Dname=value` system properties.
    pub tokens: BTreeMap<String, String>,
}
