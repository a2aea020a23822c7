//! What a consumer receives: a stored message as the AsyncMessage BlazeDS
//! delivers, and the CLIENT_SYNC a poll answers with.

use flexgate_amf::Value;
use flexgate_broker::{Delivery, Payload};
use flexgate_messages::headers as h;
use flexgate_messages::{
    uid, AbstractMessage, AsyncMessage, CommandMessage, CommandOperation, Message,
};

/// The message a consumer receives: the published AsyncMessage with its
/// clientId set to the consumer's id and the sender's routing headers
/// removed, as BlazeDS delivers it. The caller picks the form.
pub(crate) fn delivered_message(d: &Delivery) -> Message {
    let m = &d.message;
    let mut delivered = match &m.payload {
        Payload::Message(v) => match Message::from_value(v) {
            Ok(Message::Async(a)) => a,
            _ => AsyncMessage {
                base: AbstractMessage {
                    body: v.clone(),
                    ..AbstractMessage::default()
                },
                correlation_id: None,
            },
        },
        Payload::Body(body) => {
            let mut a = AsyncMessage::default();
            a.base.body = body.clone();
            for (k, v) in &m.headers {
                a.base.headers.set(k.as_str(), v.clone());
            }
            // As a producer would have sent it: one string, or an array.
            match m.subtopics.as_slice() {
                [] => {}
                [one] => {
                    a.base.headers.set(h::DS_SUBTOPIC, one.as_str());
                }
                many => {
                    let list = many.iter().map(|s| Value::from(s.as_str())).collect();
                    a.base.headers.set(h::DS_SUBTOPIC, Value::array(list));
                }
            }
            a
        }
    };
    let base = &mut delivered.base;
    base.client_id = Some(d.client_id.clone());
    base.destination = Some(m.destination.clone());
    if base.message_id.is_none() {
        base.message_id = Some(m.id.clone());
    }
    base.timestamp = i64::try_from(m.timestamp_ms).unwrap_or(i64::MAX);
    base.time_to_live = i64::try_from(m.ttl_ms).unwrap_or(i64::MAX);
    base.headers.remove(h::DS_ID);
    base.headers.remove(h::DS_ENDPOINT);
    // Stripped at publish too; a message stored before that (Redis) or
    // published server-side must not carry them either.
    base.headers
        .retain(|name, _| !h::is_credentials_header(name));
    Message::Async(delivered)
}

/// BlazeDS answers a poll that found messages with a CLIENT_SYNC command
/// whose body is the array of messages.
pub(crate) fn client_sync(messages: Vec<Value>) -> Message {
    Message::Command(CommandMessage {
        base: AbstractMessage {
            body: Value::array(messages),
            message_id: Some(uid::new_uid()),
            timestamp: chrono::Utc::now().timestamp_millis(),
            ..AbstractMessage::default()
        },
        correlation_id: None,
        operation: CommandOperation::ClientSync,
    })
}
