//! Flex messages that arrive without their class alias.
//!
//! Ruffle (0.6) writes a Flex client's messages into an AMF0 envelope as
//! anonymous AMF0 objects: the `flex.messaging.messages.*` alias is lost,
//! but the fields still tell the class apart. No conforming client sends
//! an anonymous object as a message, so recognising these shapes cannot
//! misread one; only the top-level message of a request body is
//! recognised (see docs/protocol.md, "Anonymous messages").

use crate::alias;
use flexgate_amf::{Object, Value};

/// The class an anonymous message object stands for, from its fields:
/// a numeric `operation` is a CommandMessage; a string `operation` beside
/// a `source` member (even `null`) is a RemotingMessage; otherwise one
/// with `destination` and `body` members is an AsyncMessage. `None` for
/// any other shape, or a typed object.
pub(crate) fn class_of(o: &Object) -> Option<&'static str> {
    if !o.class().is_empty() {
        return None;
    }
    match o.get("operation") {
        Some(Value::Integer(_) | Value::Number(_)) => Some(alias::COMMAND_MESSAGE),
        Some(Value::String(_)) if o.get("source").is_some() => Some(alias::REMOTING_MESSAGE),
        Some(_) => None,
        None if o.get("destination").is_some() && o.get("body").is_some() => {
            Some(alias::ASYNC_MESSAGE)
        }
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn anonymous(members: Vec<(&str, Value)>) -> Object {
        Object::anonymous(members)
    }

    #[test]
    fn each_shape_is_recognised() {
        let command = anonymous(vec![
            ("operation", Value::Number(5.0)),
            ("body", Value::Null),
        ]);
        assert_eq!(class_of(&command), Some(alias::COMMAND_MESSAGE));
        let remoting = anonymous(vec![
            ("operation", Value::from("echo")),
            ("source", Value::Null),
        ]);
        assert_eq!(class_of(&remoting), Some(alias::REMOTING_MESSAGE));
        let publish = anonymous(vec![
            ("destination", Value::from("chat")),
            ("body", Value::from("hi")),
        ]);
        assert_eq!(class_of(&publish), Some(alias::ASYNC_MESSAGE));
    }

    #[test]
    fn other_shapes_are_not_messages() {
        for members in [
            vec![("operation", Value::from("echo"))],
            vec![("operation", Value::Bool(true))],
            vec![("destination", Value::from("chat"))],
            vec![("body", Value::Null)],
            vec![],
        ] {
            assert_eq!(class_of(&anonymous(members.clone())), None, "{members:?}");
        }
    }
}
