//! The full form: typed objects with the `flex.messaging.messages.*` aliases.
//!
//! Readers look members up by name, so any member order, sealed or dynamic
//! traits (py3amf writes dynamic ones) and missing members (defaults) are
//! accepted. The writer emits sealed traits with members in alphabetical
//! order, the order BlazeDS's bean introspection yields.

use crate::alias;
use crate::convert::{field, FromAmf};
use crate::error::MessageError;
use crate::headers::Headers;
use crate::message::*;
use crate::operation::CommandOperation;
use flexgate_amf::{Object, Traits, Value};
use std::sync::{Arc, OnceLock};

/// Reads a full-form message object.
pub(crate) fn decode(o: &Object) -> Result<Message, MessageError> {
    let class = match o.class() {
        alias::ASYNC_MESSAGE => alias::ASYNC_MESSAGE,
        alias::COMMAND_MESSAGE => alias::COMMAND_MESSAGE,
        alias::ACKNOWLEDGE_MESSAGE => alias::ACKNOWLEDGE_MESSAGE,
        alias::ERROR_MESSAGE => alias::ERROR_MESSAGE,
        alias::REMOTING_MESSAGE => alias::REMOTING_MESSAGE,
        other => return Err(MessageError::UnknownClass(other.to_owned())),
    };
    decode_as(o, class)
}

/// Reads `o` as a message of `class` (one of the full-form aliases),
/// whatever alias it carries.
pub(crate) fn decode_as(o: &Object, class: &'static str) -> Result<Message, MessageError> {
    let base = read_base(o, class)?;
    let correlation = || field::<Option<String>>(o, class, "correlationId");
    Ok(match class {
        alias::ASYNC_MESSAGE => Message::Async(AsyncMessage {
            base,
            correlation_id: correlation()?,
        }),
        alias::COMMAND_MESSAGE => Message::Command(CommandMessage {
            base,
            correlation_id: correlation()?,
            operation: operation_from(member(o, "operation"))
                .map_err(|e| e.in_field(class, "operation"))?,
        }),
        alias::ACKNOWLEDGE_MESSAGE => Message::Acknowledge(AcknowledgeMessage {
            base,
            correlation_id: correlation()?,
        }),
        alias::ERROR_MESSAGE => Message::Error(ErrorMessage {
            base,
            correlation_id: correlation()?,
            fault_code: field(o, class, "faultCode")?,
            fault_string: field(o, class, "faultString")?,
            fault_detail: field(o, class, "faultDetail")?,
            root_cause: member(o, "rootCause").clone(),
            extended_data: member(o, "extendedData").clone(),
        }),
        _ => Message::Remoting(RemotingMessage {
            base,
            operation: field::<Option<String>>(o, class, "operation")?.unwrap_or_default(),
            source: field(o, class, "source")?,
        }),
    })
}

fn member<'o>(o: &'o Object, name: &str) -> &'o Value {
    o.get(name).unwrap_or(&Value::Null)
}

fn read_base(o: &Object, class: &'static str) -> Result<AbstractMessage, MessageError> {
    let millis = |name| millis_from(member(o, name)).map_err(|e| e.in_field(class, name));
    Ok(AbstractMessage {
        body: member(o, "body").clone(),
        client_id: field(o, class, "clientId")?,
        destination: field(o, class, "destination")?,
        headers: headers_from(member(o, "headers")).map_err(|e| e.in_field(class, "headers"))?,
        message_id: field(o, class, "messageId")?,
        timestamp: millis("timestamp")?,
        time_to_live: millis("timeToLive")?,
    })
}

/// Headers from a value; see [`Headers::from_value`].
pub(crate) fn headers_from(v: &Value) -> Result<Headers, MessageError> {
    Headers::from_value(v).ok_or_else(|| MessageError::type_mismatch("object", v))
}

/// A Java `long` from an AMF number: integers as is, doubles truncated
/// (`Number.longValue()`; NaN gives 0, out-of-range values saturate).
/// `null`/`undefined` give 0.
pub(crate) fn millis_from(v: &Value) -> Result<i64, MessageError> {
    match v {
        Value::Null | Value::Undefined => Ok(0),
        Value::Integer(i) => Ok(i64::from(*i)),
        Value::Number(n) => Ok(*n as i64),
        _ => Err(MessageError::type_mismatch("number", v)),
    }
}

/// An operation code from an AMF number (`Number.intValue()` semantics);
/// `null`/`undefined` give [`CommandOperation::Unknown`].
pub(crate) fn operation_from(v: &Value) -> Result<CommandOperation, MessageError> {
    match v {
        Value::Null | Value::Undefined => Ok(CommandOperation::Unknown),
        Value::Integer(i) => Ok(CommandOperation::from_code(*i)),
        Value::Number(n) => Ok(CommandOperation::from_code(*n as i32)),
        _ => Err(MessageError::type_mismatch("number", v)),
    }
}

/// An optional string member from a value (used by the small-form reader).
pub(crate) fn opt_string(v: &Value) -> Result<Option<String>, MessageError> {
    Option::<String>::from_amf(v)
}

fn s(v: &Option<String>) -> Value {
    v.as_deref().map_or(Value::Null, Value::from)
}

/// Writes the full form: a sealed typed object, members sorted by name.
pub(crate) fn encode(m: &Message) -> Value {
    let b = m.base();
    let mut members: Vec<(&'static str, Value)> = vec![
        ("body", b.body.clone()),
        ("clientId", s(&b.client_id)),
        ("destination", s(&b.destination)),
        ("headers", b.headers.to_value()),
        ("messageId", s(&b.message_id)),
        ("timestamp", Value::Number(b.timestamp as f64)),
        ("timeToLive", Value::Number(b.time_to_live as f64)),
    ];
    match m {
        Message::Async(a) => members.push(("correlationId", s(&a.correlation_id))),
        Message::Acknowledge(a) => members.push(("correlationId", s(&a.correlation_id))),
        Message::Command(c) => {
            members.push(("correlationId", s(&c.correlation_id)));
            members.push(("operation", Value::Integer(c.operation.code())));
        }
        Message::Error(e) => members.extend([
            ("correlationId", s(&e.correlation_id)),
            ("faultCode", s(&e.fault_code)),
            ("faultString", s(&e.fault_string)),
            ("faultDetail", s(&e.fault_detail)),
            ("rootCause", e.root_cause.clone()),
            ("extendedData", e.extended_data.clone()),
        ]),
        Message::Remoting(r) => members.extend([
            ("operation", Value::from(r.operation.as_str())),
            ("source", s(&r.source)),
        ]),
    }
    members.sort_by(|a, b| a.0.cmp(b.0));
    Value::object(Object::typed(
        traits_of(m, &members),
        members.into_iter().map(|(_, v)| v).collect(),
    ))
}

/// The traits of `m`'s class, built once per class: its member names are
/// always the same (`members`, sorted), so every message of a class shares
/// one `Arc` instead of copying ten names into a new one.
fn traits_of(m: &Message, members: &[(&'static str, Value)]) -> Arc<Traits> {
    static CACHE: [OnceLock<Arc<Traits>>; 5] = [const { OnceLock::new() }; 5];
    let slot = match m {
        Message::Async(_) => 0,
        Message::Acknowledge(_) => 1,
        Message::Command(_) => 2,
        Message::Error(_) => 3,
        Message::Remoting(_) => 4,
    };
    CACHE[slot]
        .get_or_init(|| {
            let names: Vec<&'static str> = members.iter().map(|(n, _)| *n).collect();
            Traits::sealed_static(m.class_alias(), &names)
        })
        .clone()
}
