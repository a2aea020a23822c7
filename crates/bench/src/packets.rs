//! The AMF packets the benchmark clients send and the replies they read.

use bytes::Bytes;
use flexgate_amf::{Body, Object, Packet, Str, Value, Version};
use flexgate_messages::headers as h;
use flexgate_messages::{
    registry, uid, AbstractMessage, AcknowledgeMessage, CommandMessage, CommandOperation, Form,
    Message,
};

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
pub(crate) fn is_ack(reply: &Bytes) -> bool {
    matches!(first_message(reply.clone()), Ok(Message::Acknowledge(_)))
}
