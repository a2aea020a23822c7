//! The AMF packets the benchmark clients send and the replies they read.

use bytes::Bytes;
use flexgate_amf::{Body, Object, Packet, Str, Value, Version};
use flexgate_messages::headers as h;
use flexgate_messages::{
    registry, uid, AbstractMessage, AcknowledgeMessage, ArrayCollection, CommandMessage,
    CommandOperation, Form, Message, RemotingMessage,
};
use std::sync::Arc;

#[path = "../../amf/benches/common/persons.rs"]
mod persons;
use persons::persons;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A request packet carrying `m` from FlexClient `ds_id`.
pub(crate) fn packet(ds_id: &str, mut m: Message) -> Result<Vec<u8>, BoxError> {
    m.base_mut().headers.set(h::DS_ID, ds_id);
    m.base_mut().message_id = Some(uid::new_uid());
    let p = Packet {
        version: Version::Amf3,
        headers: Vec::new(),
        bodies: vec![Body {
            target: Str::from_static("null"),
            response: Str::from_static("/1"),
            value: Value::array(vec![m.to_value(Form::Full)]),
        }],
    };
    Ok(p.encode_request()?)
}

/// A CommandMessage with an empty body.
pub(crate) fn command(
    op: CommandOperation,
    destination: &str,
    client_id: Option<String>,
) -> Message {
    Message::Command(CommandMessage {
        base: AbstractMessage {
            destination: Some(destination.into()),
            client_id,
            body: Value::object(Object::anonymous(Vec::<(&str, Value)>::new())),
            ..AbstractMessage::default()
        },
        correlation_id: None,
        operation: op,
    })
}

/// A CLIENT_PING packet for FlexClient `ds_id`.
pub(crate) fn ping_packet(ds_id: &str) -> Result<Vec<u8>, BoxError> {
    packet(ds_id, command(CommandOperation::ClientPing, "", None))
}

/// What a `load` connection sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Call {
    /// A CLIENT_PING: the least a request can cost.
    Ping,
    /// RemoteObject `EchoService.echo` of an ArrayCollection of 100 typed
    /// `com.example.Person` objects (issue #18, target 1's second half).
    Echo,
}

impl std::str::FromStr for Call {
    type Err = String;

    fn from_str(s: &str) -> Result<Call, String> {
        match s {
            "ping" => Ok(Call::Ping),
            "echo" => Ok(Call::Echo),
            other => Err(format!("unknown request {other}: ping or echo")),
        }
    }
}

impl Call {
    /// The request packet from FlexClient `ds_id`.
    pub(crate) fn packet(self, ds_id: &str) -> Result<Vec<u8>, BoxError> {
        match self {
            Call::Ping => ping_packet(ds_id),
            Call::Echo => packet(ds_id, echo_call()),
        }
    }
}

/// 100 typed Person objects in an ArrayCollection, as a Flex client sends a
/// list (the same structure as the codec bench and `request_cost echo`).
fn people() -> Value {
    Value::External(Arc::new(ArrayCollection::from_items(persons())))
}

/// `EchoService.echo(people)`.
fn echo_call() -> Message {
    let mut m = RemotingMessage::default();
    m.base.destination = Some("EchoService".into());
    m.base.body = Value::array(vec![people()]);
    m.operation = "echo".into();
    Message::Remoting(m)
}

/// The reply the fixed-body server sends: an acknowledgement shaped like
/// the gateway's reply to a ping.
pub(crate) fn ping_reply_bytes() -> Result<Vec<u8>, BoxError> {
    let mut ack = AcknowledgeMessage::default();
    ack.base.message_id = Some(uid::new_uid());
    ack.base.client_id = Some(uid::new_uid());
    ack.base.timestamp = 1_700_000_000_000;
    ack.correlation_id = Some(uid::new_uid());
    ack.base.headers.set(h::DS_ID, uid::new_uid().as_str());
    ack.base.headers.set(h::DS_MESSAGING_VERSION, 1.0);
    let p = Packet {
        version: Version::Amf3,
        headers: Vec::new(),
        bodies: vec![Body {
            target: Str::from_static("/1/onResult"),
            response: Str::from_static("null"),
            value: Message::Acknowledge(ack).to_value(Form::Full),
        }],
    };
    Ok(p.encode()?)
}

/// The Flex message in a reply packet's first body.
pub(crate) fn first_message(reply: Bytes) -> Result<Message, BoxError> {
    let p = Packet::decode(reply, registry())?;
    let body = p.bodies.first().ok_or("empty reply")?;
    Ok(Message::from_value(&body.value)?)
}

/// Whether a reply packet's first body is an acknowledgement (not a fault).
/// Reads only the envelope up to the first body's target (`/1/onResult`
/// for an acknowledgement, `/1/onStatus` for a fault), so checking a reply
/// costs the load generator the same for every server and reply size.
pub(crate) fn is_ack(reply: &[u8]) -> bool {
    let u16_at = |i: usize| {
        reply
            .get(i..i + 2)
            .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))
    };
    // version, header count (the gateway sends none), body count, target.
    if u16_at(2) != Some(0) || u16_at(4).unwrap_or(0) == 0 {
        return matches!(
            first_message(Bytes::copy_from_slice(reply)),
            Ok(Message::Acknowledge(_))
        );
    }
    let Some(len) = u16_at(6) else { return false };
    reply
        .get(8..8 + len)
        .is_some_and(|target| target.ends_with(b"/onResult"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(target: &'static str, m: Message) -> Vec<u8> {
        Packet {
            version: Version::Amf3,
            headers: Vec::new(),
            bodies: vec![Body {
                target: Str::from_static(target),
                response: Str::from_static("null"),
                value: m.to_value(Form::Full),
            }],
        }
        .encode()
        .unwrap()
    }

    #[test]
    fn an_acknowledgement_is_told_from_a_fault_by_the_envelope() {
        assert!(is_ack(&ping_reply_bytes().unwrap()));
        let fault = reply(
            "/1/onStatus",
            Message::Error(flexgate_messages::ErrorMessage::default()),
        );
        assert!(!is_ack(&fault));
        let ack = reply(
            "/1/onResult",
            Message::Acknowledge(AcknowledgeMessage::default()),
        );
        assert!(is_ack(&ack));
        assert!(!is_ack(&ack[..9]), "a truncated target");
        assert!(!is_ack(&[]));
    }
}
