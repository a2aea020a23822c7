//! Typed user classes: [`AmfClass`] and the [`amf_class!`](crate::amf_class) macro.

use crate::error::MessageError;
use flexgate_amf::Value;

/// A Rust struct that travels as a typed AMF object (an ActionScript class
/// with `[RemoteClass(alias=...)]`, a Java bean on the BlazeDS side).
pub trait AmfClass: Sized {
    /// The class alias written in the traits.
    const ALIAS: &'static str;

    /// The typed, sealed object for this instance.
    fn to_value(&self) -> Value;

    /// Reads an object of class [`Self::ALIAS`]; missing members read as
    /// `null` (so `Option` fields become `None`).
    fn from_value(value: &Value) -> Result<Self, MessageError>;
}

/// Implements [`AmfClass`], [`ToAmf`](crate::ToAmf) and
/// [`FromAmf`](crate::FromAmf) for a struct with named fields.
///
/// Every listed field's type must implement `ToAmf` and `FromAmf` (`String`,
/// `i32`, `i64`, `f64`, `bool`, `Option<T>`, `Vec<T>`, `Value`,
/// `flexgate_amf::Object`, another `amf_class!` type ...). The wire name is
/// the field name unless given with `=> "wireName"`. Members are written as
/// sealed members in the order listed.
///
/// ```
/// use flexgate_messages::{amf_class, AmfClass};
///
/// #[derive(Debug, Clone, PartialEq)]
/// pub struct Person {
///     pub name: String,
///     pub age: i32,
///     pub nick_names: Vec<String>,
///     pub boss: Option<Box<Person>>,
/// }
/// amf_class!(Person = "com.example.Person" {
///     age, name, nick_names => "nickNames", boss,
/// });
///
/// let p = Person { name: "Ann".into(), age: 31, nick_names: vec![], boss: None };
/// assert_eq!(Person::from_value(&p.to_value()).unwrap(), p);
/// ```
#[macro_export]
macro_rules! amf_class {
    ($ty:ident = $alias:literal { $($field:ident $(=> $wire:literal)?),* $(,)? }) => {
        impl $crate::AmfClass for $ty {
            const ALIAS: &'static str = $alias;

            fn to_value(&self) -> $crate::amf::Value {
                let traits = $crate::amf::Traits::sealed(
                    $alias,
                    &[$($crate::amf_class!(@wire $field $($wire)?)),*],
                );
                let values = ::std::vec![$($crate::ToAmf::to_amf(&self.$field)),*];
                $crate::amf::Value::object($crate::amf::Object::typed(traits, values))
            }

            fn from_value(
                value: &$crate::amf::Value,
            ) -> ::std::result::Result<Self, $crate::MessageError> {
                let o = $crate::class::expect_class(value, $alias)?;
                ::std::result::Result::Ok($ty {
                    $($field: $crate::convert::field(
                        o,
                        $alias,
                        $crate::amf_class!(@wire $field $($wire)?),
                    )?,)*
                })
            }
        }

        impl $crate::ToAmf for $ty {
            fn to_amf(&self) -> $crate::amf::Value {
                <$ty as $crate::AmfClass>::to_value(self)
            }
        }

        impl $crate::FromAmf for $ty {
            fn from_amf(
                v: &$crate::amf::Value,
            ) -> ::std::result::Result<Self, $crate::MessageError> {
                <$ty as $crate::AmfClass>::from_value(v)
            }
        }
    };
    (@wire $field:ident $wire:literal) => { $wire };
    (@wire $field:ident) => { ::std::stringify!($field) };
}

impl<T: crate::convert::ToAmf> crate::convert::ToAmf for Box<T> {
    fn to_amf(&self) -> Value {
        (**self).to_amf()
    }
}
impl<T: crate::convert::FromAmf> crate::convert::FromAmf for Box<T> {
    fn from_amf(v: &Value) -> Result<Self, MessageError> {
        T::from_amf(v).map(Box::new)
    }
}

/// The object of `value` when it is of class `alias` (used by [`amf_class!`](crate::amf_class)).
#[doc(hidden)]
pub fn expect_class<'v>(
    value: &'v Value,
    alias: &'static str,
) -> Result<&'v flexgate_amf::Object, MessageError> {
    match value {
        Value::Object(o) if o.class() == alias => Ok(o),
        Value::Object(o) => Err(MessageError::WrongClass {
            expected: alias,
            found: if o.class().is_empty() {
                "an anonymous object".into()
            } else {
                format!("'{}'", o.class())
            },
        }),
        other => Err(MessageError::WrongClass {
            expected: alias,
            found: crate::error::kind(other).into(),
        }),
    }
}
