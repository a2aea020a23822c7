//! Externalizable classes: a registry of readers by class alias.

use crate::decoder::Decoder;
use crate::encoder::Encoder;
use crate::error::{DecodeError, EncodeError};
use crate::value::Value;
use std::any::Any;
use std::collections::HashMap;
use std::fmt;

/// An instance of a class that writes its own body (`IExternalizable`).
pub trait Externalizable: Any + Send + Sync + fmt::Debug {
    /// The class alias written in the traits.
    fn class_name(&self) -> &str;

    /// Writes the body that follows the traits, using the encoder's AMF3
    /// reference tables.
    fn write_external(&self, out: &mut Encoder<'_>) -> Result<(), EncodeError>;

    /// Value equality with another externalizable; see [`eq_external`].
    fn eq_external(&self, other: &dyn Externalizable) -> bool;
}

/// Implements [`Externalizable::eq_external`] for a `PartialEq` type.
pub fn eq_external<T: Externalizable + PartialEq>(this: &T, other: &dyn Externalizable) -> bool {
    let other: &dyn Any = other;
    other.downcast_ref::<T>().is_some_and(|o| o == this)
}

/// Reads the body of one externalizable class, after its traits.
pub type ReadExternal = fn(&mut Decoder<'_>) -> Result<Value, DecodeError>;

/// Readers of externalizable classes, by class alias.
#[derive(Clone, Default)]
pub struct Registry {
    readers: HashMap<Box<str>, ReadExternal>,
}

impl Registry {
    /// An empty registry: every externalizable class is unknown.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers (or replaces) the reader for `class`.
    pub fn register(&mut self, class: &str, reader: ReadExternal) -> &mut Self {
        self.readers.insert(class.into(), reader);
        self
    }

    /// The reader for `class`, if registered.
    pub fn reader(&self, class: &str) -> Option<ReadExternal> {
        self.readers.get(class).copied()
    }

    /// A shared empty registry.
    pub fn empty() -> &'static Registry {
        static EMPTY: std::sync::OnceLock<Registry> = std::sync::OnceLock::new();
        EMPTY.get_or_init(Registry::new)
    }
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<&str> = self.readers.keys().map(|k| &**k).collect();
        names.sort_unstable();
        f.debug_struct("Registry").field("classes", &names).finish()
    }
}
