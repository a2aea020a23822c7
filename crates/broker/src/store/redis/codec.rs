//! What the Redis store writes: the message envelope as one AMF3 value,
//! and the netstring-framed hash fields that name subscriptions.

use std::collections::HashMap;
use std::sync::Arc;

use bytes::Bytes;
use flexgate_amf::{Object, Registry, Value};

use crate::error::StoreError;
use crate::message::{Message, Payload};
use crate::selector::Selector;
use crate::subscription::SubscriptionFilter;
use crate::subtopic::Subtopic;

/// Envelope member names. Short, because every stored message repeats them.
mod field {
    pub(super) const ID: &str = "i";
    pub(super) const DESTINATION: &str = "d";
    pub(super) const SUBTOPIC: &str = "t";
    pub(super) const HEADERS: &str = "h";
    pub(super) const TIMESTAMP: &str = "ts";
    pub(super) const TTL: &str = "ttl";
    pub(super) const SENDER: &str = "s";
    pub(super) const TARGET: &str = "to";
    pub(super) const KIND: &str = "k";
    pub(super) const PAYLOAD: &str = "p";
}

/// [`Payload`] variants on the wire.
const KIND_MESSAGE: &str = "m";
const KIND_BODY: &str = "b";

fn opt_str(s: Option<&str>) -> Value {
    s.map_or(Value::Null, Value::from)
}

/// Encodes a message as one anonymous AMF3 object. The payload is written
/// as the value it is, externalizable members included, so any node can
/// decode it with the same [`Registry`].
pub(crate) fn encode_message(m: &Message) -> Result<Vec<u8>, StoreError> {
    let headers = Object::anonymous(m.headers.iter().map(|(k, v)| (k.as_str(), v.clone())));
    let (kind, payload) = match &m.payload {
        Payload::Message(v) => (KIND_MESSAGE, v.clone()),
        Payload::Body(v) => (KIND_BODY, v.clone()),
    };
    // Epoch milliseconds and TTLs are below 2^53 in practice, so a double
    // carries them exactly.
    let envelope = Object::anonymous([
        (field::ID, Value::from(m.id.as_str())),
        (field::DESTINATION, Value::from(m.destination.as_str())),
        (field::SUBTOPIC, subtopics_value(&m.subtopics)),
        (field::HEADERS, Value::from(headers)),
        (field::TIMESTAMP, Value::Number(m.timestamp_ms as f64)),
        (field::TTL, Value::Number(m.ttl_ms as f64)),
        (field::SENDER, opt_str(m.sender.as_deref())),
        (field::TARGET, opt_str(m.target_client_id.as_deref())),
        (field::KIND, Value::from(kind)),
        (field::PAYLOAD, payload),
    ]);
    flexgate_amf::to_amf3(&Value::from(envelope))
        .map_err(|e| StoreError::with_source("cannot encode a message for Redis", e))
}

/// One subtopic as a string (what envelopes held before multi-subtopic
/// sends, so older entries still decode), several as an array.
fn subtopics_value(subtopics: &[String]) -> Value {
    match subtopics {
        [] => Value::Null,
        [one] => Value::from(one.as_str()),
        many => Value::array(many.iter().map(|s| Value::from(s.as_str())).collect()),
    }
}

/// Reads what [`subtopics_value`] wrote.
fn get_subtopics(o: &Object) -> Result<Vec<String>, StoreError> {
    match o.get(field::SUBTOPIC) {
        Some(Value::Array(a)) => a
            .dense
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| malformed(field::SUBTOPIC))
            })
            .collect(),
        _ => Ok(get_str(o, field::SUBTOPIC)?.into_iter().collect()),
    }
}

fn malformed(what: &str) -> StoreError {
    StoreError::new(format!("malformed message in Redis: {what}"))
}

fn get_str(o: &Object, name: &str) -> Result<Option<String>, StoreError> {
    match o.get(name) {
        None | Some(Value::Null | Value::Undefined) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str().to_owned())),
        Some(_) => Err(malformed(name)),
    }
}

fn get_u64(o: &Object, name: &str) -> Result<u64, StoreError> {
    let n = o
        .get(name)
        .and_then(Value::as_f64)
        .ok_or_else(|| malformed(name))?;
    if n.is_finite() && n >= 0.0 {
        // Saturating: `as` clamps values above u64::MAX.
        Ok(n as u64)
    } else {
        Err(malformed(name))
    }
}

/// Decodes what [`encode_message`] wrote.
pub(crate) fn decode_message(bytes: Bytes, registry: &Registry) -> Result<Message, StoreError> {
    let value = flexgate_amf::from_amf3(bytes, registry)
        .map_err(|e| StoreError::with_source("cannot decode a message from Redis", e))?;
    let o = value
        .as_object()
        .ok_or_else(|| malformed("not an object"))?;
    let headers: HashMap<String, Value> = match o.get(field::HEADERS) {
        Some(Value::Object(h)) => h
            .members()
            .map(|(k, v)| (k.as_str().to_owned(), v.clone()))
            .collect(),
        _ => return Err(malformed(field::HEADERS)),
    };
    let payload = o.get(field::PAYLOAD).cloned().unwrap_or_default();
    let payload = match o.get(field::KIND).and_then(Value::as_str) {
        Some(KIND_MESSAGE) => Payload::Message(payload),
        Some(KIND_BODY) => Payload::Body(payload),
        _ => return Err(malformed(field::KIND)),
    };
    Ok(Message {
        id: get_str(o, field::ID)?.ok_or_else(|| malformed(field::ID))?,
        destination: get_str(o, field::DESTINATION)?
            .ok_or_else(|| malformed(field::DESTINATION))?,
        subtopics: get_subtopics(o)?,
        headers,
        timestamp_ms: get_u64(o, field::TIMESTAMP)?,
        ttl_ms: get_u64(o, field::TTL)?,
        sender: get_str(o, field::SENDER)?,
        target_client_id: get_str(o, field::TARGET)?,
        payload,
        delivery_cache: Default::default(),
    })
}

// ----- netstrings -----
//
// Hash fields hold several user-supplied strings (destination, client id,
// subtopic, selector) that may contain any character, so each is framed as
// a netstring `<byte length>:<bytes>`. The framing is prefix-free, which
// lets the Lua scripts find all filters of one consumer by the prefix
// `ns(destination) .. ns(client)`.

/// Appends `s` as a netstring.
pub(crate) fn push_ns(out: &mut String, s: &str) {
    out.push_str(&s.len().to_string());
    out.push(':');
    out.push_str(s);
}

/// `s` as a netstring.
#[cfg(test)]
fn ns(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    push_ns(&mut out, s);
    out
}

/// An optional string: `-` for none, else a netstring (which starts with a
/// digit, so the two never collide).
fn push_opt_ns(out: &mut String, s: Option<&str>) {
    match s {
        Some(s) => push_ns(out, s),
        None => out.push('-'),
    }
}

/// Reads one netstring at the start of `s`; returns it and the rest.
fn read_ns(s: &str) -> Option<(&str, &str)> {
    let (len, rest) = s.split_once(':')?;
    let len: usize = len.parse().ok()?;
    Some((rest.get(..len)?, rest.get(len..)?))
}

fn read_opt_ns(s: &str) -> Option<(Option<&str>, &str)> {
    match s.strip_prefix('-') {
        Some(rest) => Some((None, rest)),
        None => read_ns(s).map(|(v, rest)| (Some(v), rest)),
    }
}

/// The filter part of a subscription field: subtopic and selector strings.
pub(crate) fn filter_spec(subtopic: Option<&str>, selector: Option<&str>) -> String {
    let mut out = String::new();
    push_opt_ns(&mut out, subtopic);
    push_opt_ns(&mut out, selector);
    out
}

/// One decoded subscription field: `ns(destination) ns(client) spec`.
pub(crate) struct FilterField<'a> {
    pub destination: &'a str,
    pub client_id: &'a str,
    pub subtopic: Option<&'a str>,
    pub selector: Option<&'a str>,
}

/// Splits a subscription field.
pub(crate) fn read_filter_field(field: &str) -> Option<FilterField<'_>> {
    let (destination, rest) = read_ns(field)?;
    let (client_id, rest) = read_ns(rest)?;
    let (subtopic, rest) = read_opt_ns(rest)?;
    let (selector, rest) = read_opt_ns(rest)?;
    rest.is_empty().then_some(FilterField {
        destination,
        client_id,
        subtopic,
        selector,
    })
}

/// Splits a subscription's endpoint field `ns(destination) ns(client)`.
pub(crate) fn read_subscription_field(field: &str) -> Option<(&str, &str)> {
    let (destination, rest) = read_ns(field)?;
    let (client_id, rest) = read_ns(rest)?;
    rest.is_empty().then_some((destination, client_id))
}

/// Rebuilds a filter from its field and its value `<since_seq>:<subtopic
/// separator>` (written by the subscribe script), parsing subtopic and
/// selector again. They were valid for the node that stored them, but
/// another node may have other bounds (or none, if older) and Redis
/// content can be corrupted, so a failure here is expected input: the
/// selector's structural bounds apply, its length bound does not (a node
/// configured lower must still read what others accepted).
pub(crate) fn parse_filter(
    f: &FilterField<'_>,
    value: &str,
) -> Result<SubscriptionFilter, StoreError> {
    let bad = || StoreError::new(format!("malformed subscription in Redis: {value:?}"));
    let (since, separator) = value.split_once(':').ok_or_else(bad)?;
    let since_seq: u64 = since.parse().map_err(|_| bad())?;
    let subtopic = f
        .subtopic
        .map(|s| Subtopic::parse(s, separator))
        .transpose()
        .map_err(|e| StoreError::with_source("stored subtopic does not parse", e))?;
    let selector = f
        .selector
        .map(Selector::parse)
        .transpose()
        .map_err(|e| StoreError::with_source("stored selector does not parse", e))?;
    Ok(SubscriptionFilter {
        subtopic,
        selector,
        since_seq,
    })
}

/// Shares decoded messages within one drain, so that every consumer of a
/// message gets the same `Arc` (as with the memory store).
pub(crate) type Decoded = HashMap<(String, u64), Arc<Message>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_round_trips() {
        let m = Message::new("chat", Payload::Body(Value::from("hi")))
            .with_subtopic("a.b")
            .with_header("price", 5)
            .with_ttl_ms(1234)
            .with_sender("c1")
            .with_target("c2");
        let bytes = encode_message(&m).unwrap();
        let back = decode_message(Bytes::from(bytes), Registry::empty()).unwrap();
        assert_eq!(back, m);
    }

    #[test]
    fn several_subtopics_round_trip() {
        for subtopics in [vec![], vec!["a"], vec!["a", "b.c"]] {
            let m = Message::new("chat", Payload::Body(Value::Null)).with_subtopics(subtopics);
            let bytes = encode_message(&m).unwrap();
            let back = decode_message(Bytes::from(bytes), Registry::empty()).unwrap();
            assert_eq!(back.subtopics, m.subtopics);
        }
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(decode_message(Bytes::from_static(b"\x06\x03a"), Registry::empty()).is_err());
        assert!(decode_message(Bytes::from_static(b"\xff"), Registry::empty()).is_err());
    }

    #[test]
    fn fields_round_trip_any_string() {
        let mut field = ns("de:st");
        field.push_str(&ns("1:x"));
        field.push_str(&filter_spec(Some("a-b"), None));
        let f = read_filter_field(&field).unwrap();
        assert_eq!(
            (f.destination, f.client_id, f.subtopic, f.selector),
            ("de:st", "1:x", Some("a-b"), None)
        );
        assert!(read_filter_field("3:ab").is_none());
        assert!(read_filter_field("1:a1:b--x").is_none());
    }
}
