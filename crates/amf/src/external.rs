//! Externalizable classes: a registry of readers by class alias, and the
//! input and output traits their bodies are read from and written to.

use crate::error::{DecodeError, DecodeErrorKind, EncodeError};
use crate::text::Str;
use crate::value::Value;
use bytes::Bytes;
use std::any::Any;
use std::collections::HashMap;
use std::fmt;

/// An instance of a class that writes its own body (`IExternalizable`).
pub trait Externalizable: Any + Send + Sync + fmt::Debug {
    /// The class alias written in the traits.
    fn class_name(&self) -> &str;

    /// Writes the body that follows the traits, using the encoder's AMF3
    /// reference tables.
    fn write_external(&self, out: &mut dyn ExternalOutput) -> Result<(), EncodeError>;

    /// Value equality with another externalizable; see [`eq_external`].
    fn eq_external(&self, other: &dyn Externalizable) -> bool;
}

/// Implements [`Externalizable::eq_external`] for a `PartialEq` type.
pub fn eq_external<T: Externalizable + PartialEq>(this: &T, other: &dyn Externalizable) -> bool {
    let other: &dyn Any = other;
    other.downcast_ref::<T>().is_some_and(|o| o == this)
}

/// What the reader of an externalizable body reads from
/// (`IDataInput`): the decoder, whatever it traces.
pub trait ExternalInput {
    /// Reads one unsigned byte (`readUnsignedByte`).
    fn read_u8(&mut self) -> Result<u8, DecodeError>;
    /// Reads a big-endian `u32` (`readUnsignedInt`).
    fn read_u32(&mut self) -> Result<u32, DecodeError>;
    /// Reads `n` raw bytes, shared with the input buffer.
    fn read_bytes(&mut self, n: usize) -> Result<Bytes, DecodeError>;
    /// Reads a `u16`-prefixed string (`readUTF`).
    fn read_utf(&mut self) -> Result<Str, DecodeError>;
    /// Reads one AMF3 value (`readObject`), sharing the reference tables.
    fn read_amf3(&mut self) -> Result<Value, DecodeError>;
    /// An error at the current offset.
    fn error(&self, kind: DecodeErrorKind) -> DecodeError;
    /// Tells a tracing decoder that the flag bytes just read belong to the
    /// class level `level` (a no-op otherwise).
    fn note_flags(&mut self, level: &str, flags: &[u8]);
    /// Tells a tracing decoder what the next value is (a no-op otherwise).
    fn note_field(&mut self, field: fmt::Arguments<'_>);
}

/// What an externalizable body is written to (`IDataOutput`): the
/// encoder. A trait rather than the encoder itself so that this module and
/// the encoder do not import each other.
pub trait ExternalOutput {
    /// Writes one byte (`writeByte`), e.g. a small message's flags.
    fn write_u8(&mut self, b: u8);
    /// Writes one AMF3 value (`writeObject`), sharing the reference tables.
    fn write_amf3(&mut self, v: &Value) -> Result<(), EncodeError>;
}

/// Reads the body of one externalizable class, after its traits.
pub type ReadExternal = fn(&mut dyn ExternalInput) -> Result<Value, DecodeError>;

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
