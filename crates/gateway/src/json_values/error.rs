//! Why a value has no JSON form, or a JSON value no AMF one.

/// A value that could not be mapped.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum JsonError {
    /// Nested deeper than the bound (`limits.max_depth`).
    #[error("values nested deeper than {0} levels")]
    TooDeep(usize),
    /// An externalizable class other than the Flex collections: its body
    /// is opaque bytes only its own reader understands.
    #[error("an instance of externalizable class '{0}' has no JSON form")]
    NoJsonForm(String),
    /// `"$class"` names an externalizable class (other than the Flex
    /// collections): a Flash client would read the object's members as
    /// the class's private encoding.
    #[error("\"$class\": \"{0}\" names an externalizable class, which cannot be built from JSON")]
    ExternalizableClass(String),
    /// A Date that is not a time (`new Date(NaN)`) or is out of range.
    #[error("a Date of {0} ms is not a representable time")]
    InvalidDate(f64),
    /// A tag object whose value has the wrong form.
    #[error("{tag}: {why}")]
    BadTag {
        /// The tag (`$date`, `$bytes`, …).
        tag: &'static str,
        /// What was wrong.
        why: String,
    },
}
