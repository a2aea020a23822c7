//! What a consumer receives: a stored message as the AsyncMessage BlazeDS
//! delivers, and the CLIENT_SYNC a poll answers with.

use flexgate_amf::{Object, Value};
use flexgate_broker::{Delivery, Payload};
use flexgate_messages::headers as h;
use flexgate_messages::{
    uid, AbstractMessage, AsyncMessage, CommandMessage, CommandOperation, Form, Message,
};
use std::sync::Arc;

/// The member of the full form that differs per consumer.
const CLIENT_ID: &str = "clientId";
/// The member of the full form each delivery gets its own copy of.
const HEADERS: &str = "headers";

/// What every consumer of one stored message shares (kept in the message's
/// [`DeliveryCache`](flexgate_broker::DeliveryCache)): the delivered
/// message without its `clientId`, and its full form with an empty
/// `clientId`. Only `clientId` differs per consumer, so a fan-out decodes
/// and converts the stored payload once, not once per consumer.
struct Prepared {
    message: AsyncMessage,
    full: Option<FullForm>,
}

/// The full form and where its per-delivery members are.
struct FullForm {
    object: Arc<Object>,
    client_id: usize,
    headers: usize,
}

fn prepare(m: &flexgate_broker::Message) -> Prepared {
    let message = delivered_async(m);
    let mut placeholder = message.clone();
    placeholder.base.client_id = Some(String::new());
    let full = match Message::Async(placeholder).to_value(Form::Full) {
        Value::Object(object) => {
            let at = |name: &str| object.traits.sealed.iter().position(|n| n.as_str() == name);
            match (at(CLIENT_ID), at(HEADERS)) {
                (Some(client_id), Some(headers)) => Some(FullForm {
                    client_id,
                    headers,
                    object,
                }),
                _ => None,
            }
        }
        _ => None,
    };
    Prepared { message, full }
}

/// The delivered message of `d` (see [`delivered_message`]) as a value of
/// `form`, built from what the first consumer of the stored message
/// prepared. Byte for byte what `delivered_message(d).to_value(form)`
/// encodes to, also when one reply carries the message twice (two
/// consumers of one client): the AMF3 encoder writes a shared `Arc` the
/// second time as a reference, so what that path made afresh per delivery
/// (the headers object; a server-side message's subtopic array) is not
/// shared here either.
pub(crate) fn delivered_value(d: &Delivery, form: Form) -> Value {
    let m = &d.message;
    if matches!(m.payload, Payload::Body(_)) && m.subtopics.len() > 1 {
        return delivered_message(d).to_value(form);
    }
    let Some(p) = m.delivery_cache.get_or_init(|| prepare(m)) else {
        return delivered_message(d).to_value(form);
    };
    if let (Form::Full, Some(full)) = (form, &p.full) {
        let mut o = Object::clone(&full.object);
        if let Some(slot) = o.sealed.get_mut(full.client_id) {
            *slot = Value::from(d.client_id.as_str());
        }
        if let Some(slot) = o.sealed.get_mut(full.headers) {
            if let Value::Object(headers) = slot {
                *slot = Value::object(Object::clone(headers));
            }
        }
        return Value::object(o);
    }
    let mut delivered = p.message.clone();
    delivered.base.client_id = Some(d.client_id.clone());
    Message::Async(delivered).to_value(form)
}

/// The message a consumer receives: the published AsyncMessage with its
/// clientId set to the consumer's id and the sender's routing headers
/// removed, as BlazeDS delivers it. The caller picks the form.
pub(crate) fn delivered_message(d: &Delivery) -> Message {
    let mut delivered = delivered_async(&d.message);
    delivered.base.client_id = Some(d.client_id.clone());
    Message::Async(delivered)
}

/// [`delivered_message`] without the consumer's clientId: the same for
/// every consumer of `m`.
fn delivered_async(m: &flexgate_broker::Message) -> AsyncMessage {
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
    delivered
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

#[cfg(test)]
mod tests {
    use super::*;
    use flexgate_amf::to_amf3;
    use flexgate_broker::Message as Stored;

    fn producer_message() -> Stored {
        let mut a = AsyncMessage::default();
        a.base.destination = Some("chat".into());
        a.base.client_id = Some("PRODUCER".into());
        a.base.message_id = Some("M-1".into());
        a.base.body = Value::object(Object::anonymous([
            ("text", Value::from("hello")),
            (
                "tags",
                Value::array(vec![Value::from("a"), Value::Integer(2)]),
            ),
        ]));
        a.base.headers.set(h::DS_ID, "PRODUCER-DSID");
        a.base.headers.set(h::DS_ENDPOINT, "my-amf");
        a.base.headers.set("room", "lobby");
        a.base
            .headers
            .set("meta", Value::array(vec![Value::Integer(1)]));
        let mut m = Stored::new(
            "chat",
            Payload::Message(Message::Async(a).to_value(Form::Full)),
        );
        m.timestamp_ms = 1_700_000_000_000;
        m.ttl_ms = 5_000;
        m
    }

    fn body_message(subtopics: &[&str]) -> Stored {
        let mut m = Stored::new("chat", Payload::Body(Value::from(42.0)))
            .with_subtopics(subtopics.iter().copied());
        m.headers.insert("room".into(), Value::from("lobby"));
        m
    }

    /// A reply that carries the message to three consumers, the first
    /// twice, encoded both ways.
    fn both_ways(stored: Stored, form: Form) -> (Vec<u8>, Vec<u8>) {
        let stored = Arc::new(stored);
        let deliveries: Vec<Delivery> = ["CONSUMER-A", "CONSUMER-B", "CONSUMER-A"]
            .iter()
            .map(|id| Delivery {
                client_id: (*id).to_owned(),
                seq: 1,
                message: stored.clone(),
            })
            .collect();
        let old: Vec<Value> = deliveries
            .iter()
            .map(|d| delivered_message(d).to_value(form))
            .collect();
        let new: Vec<Value> = deliveries
            .iter()
            .map(|d| delivered_value(d, form))
            .collect();
        let bytes = |v: Vec<Value>| to_amf3(&Value::array(v)).expect("encodes");
        (bytes(old), bytes(new))
    }

    #[test]
    fn shared_preparation_encodes_as_a_fresh_conversion() {
        for form in [Form::Full, Form::Small] {
            let (old, new) = both_ways(producer_message(), form);
            assert_eq!(old, new, "producer message, {form:?}");
            for subtopics in [&[][..], &["one"][..], &["one", "two", "three"][..]] {
                let (old, new) = both_ways(body_message(subtopics), form);
                assert_eq!(old, new, "server-side message {subtopics:?}, {form:?}");
            }
        }
    }

    #[test]
    fn each_consumer_gets_its_own_client_id() {
        let stored = Arc::new(producer_message());
        for id in ["CONSUMER-A", "CONSUMER-B"] {
            let d = Delivery {
                client_id: id.to_owned(),
                seq: 1,
                message: stored.clone(),
            };
            let m = Message::from_value(&delivered_value(&d, Form::Full)).expect("a message");
            assert_eq!(m.base().client_id.as_deref(), Some(id));
            assert_eq!(m.base().headers.get(h::DS_ID), None);
            assert_eq!(m.base().headers.get_str("room"), Some("lobby"));
        }
    }
}
