//! `flex.messaging.io.ArrayCollection`, `ArrayList` and `ObjectProxy`.
//!
//! All three are externalizable and write exactly one AMF3 value after their
//! traits: the collections their source array (`mx.collections.ArrayList
//! .writeExternal` writes `_source`; BlazeDS `ArrayCollection.writeExternal`
//! writes `getSource()`), the proxy the object it wraps
//! (`mx.utils.ObjectProxy.writeExternal` writes `_item`). The wrapped value is
//! kept as read so that it is written back unchanged (also a `null` source or
//! an array with an associative part).

use crate::alias;
use flexgate_amf::{
    eq_external, DecodeError, EncodeError, ExternalInput, ExternalOutput, Externalizable, Value,
};
use std::sync::Arc;

macro_rules! wrapper {
    ($(#[$doc:meta])* $name:ident, $field:ident, $alias:path) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $name {
            /// The wrapped value, written as the externalizable body.
            pub $field: Value,
        }

        impl $name {
            /// Wraps `value`.
            pub fn new(value: impl Into<Value>) -> Self {
                $name { $field: value.into() }
            }

            /// This instance as a value.
            pub fn into_value(self) -> Value {
                Value::External(Arc::new(self))
            }

            /// Reads the externalizable body (registered in [`crate::registry`]).
            pub fn read(d: &mut dyn ExternalInput) -> Result<Value, DecodeError> {
                d.note_field(format_args!("{}", stringify!($field)));
                let $field = d.read_amf3()?;
                Ok($name { $field }.into_value())
            }
        }

        impl Externalizable for $name {
            fn class_name(&self) -> &str {
                $alias
            }

            fn write_external(&self, out: &mut dyn ExternalOutput) -> Result<(), EncodeError> {
                out.write_amf3(&self.$field)
            }

            fn eq_external(&self, other: &dyn Externalizable) -> bool {
                eq_external(self, other)
            }
        }
    };
}

wrapper!(
    /// `flex.messaging.io.ArrayCollection`: a list whose body is its source array.
    ArrayCollection, source, alias::ARRAY_COLLECTION
);
wrapper!(
    /// `flex.messaging.io.ArrayList`: same layout as [`ArrayCollection`].
    ArrayList, source, alias::ARRAY_LIST
);
wrapper!(
    /// `flex.messaging.io.ObjectProxy`: a proxy whose body is the wrapped (usually anonymous) object.
    ObjectProxy, object, alias::OBJECT_PROXY
);

impl ArrayCollection {
    /// A collection over a dense array of `items`.
    pub fn from_items(items: Vec<Value>) -> Self {
        ArrayCollection::new(Value::array(items))
    }

    /// The dense items of the source array (empty when the source is not an array).
    pub fn items(&self) -> &[Value] {
        self.source.as_array().map_or(&[], |a| &a.dense)
    }
}

impl ArrayList {
    /// A list over a dense array of `items`.
    pub fn from_items(items: Vec<Value>) -> Self {
        ArrayList::new(Value::array(items))
    }

    /// The dense items of the source array (empty when the source is not an array).
    pub fn items(&self) -> &[Value] {
        self.source.as_array().map_or(&[], |a| &a.dense)
    }
}
