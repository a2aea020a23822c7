//! The request both the codec bench and the `encode_compare` example
//! time: a RemotingMessage whose body holds 100 typed `com.example.Person`
//! objects, in an ArrayCollection or a plain array.

use flexgate_amf::{
    eq_external, DecodeError, EncodeError, ExternalInput, ExternalOutput, Externalizable, Object,
    Traits, Value,
};
use std::sync::Arc;

#[path = "persons.rs"]
mod persons;
use persons::persons;

/// The ArrayCollection alias.
pub(crate) const COLLECTION: &str = "flex.messaging.io.ArrayCollection";

#[derive(Debug, PartialEq)]
/// An ArrayCollection: its source array.
pub(crate) struct Collection(pub(crate) Value);

impl Externalizable for Collection {
    fn class_name(&self) -> &str {
        COLLECTION
    }
    fn write_external(&self, out: &mut dyn ExternalOutput) -> Result<(), EncodeError> {
        out.write_amf3(&self.0)
    }
    fn eq_external(&self, other: &dyn Externalizable) -> bool {
        eq_external(self, other)
    }
}

/// Reads an ArrayCollection.
#[allow(dead_code)] // the example only encodes
pub(crate) fn read_collection(d: &mut dyn ExternalInput) -> Result<Value, DecodeError> {
    Ok(Value::External(Arc::new(Collection(d.read_amf3()?))))
}

/// 100 typed Person objects in a plain array.
pub(crate) fn people() -> Value {
    Value::array(persons())
}

/// A RemotingMessage whose body is `[arg]`.
pub(crate) fn remoting_message(arg: Value) -> Value {
    let traits = Traits::sealed(
        "flex.messaging.messages.RemotingMessage",
        &[
            "body",
            "clientId",
            "destination",
            "headers",
            "messageId",
            "operation",
            "source",
            "timestamp",
            "timeToLive",
        ],
    );
    let headers = Object::anonymous([
        (
            "DSId",
            Value::string("7B0ACE2B-1F4E-4C8D-A3E1-0D5F6A7B8C9D"),
        ),
        ("DSEndpoint", Value::string("my-amf")),
    ]);
    Value::object(Object::typed(
        traits,
        vec![
            Value::array(vec![arg]),
            Value::Null,
            Value::string("PersonService"),
            Value::object(headers),
            Value::string("A0000000-0000-4000-8000-000000000001"),
            Value::string("save"),
            Value::Null,
            Value::Integer(0),
            Value::Integer(0),
        ],
    ))
}
