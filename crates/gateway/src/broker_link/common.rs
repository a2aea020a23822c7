//! What every link does the same way: a broker message stored in the
//! destination, a Producer's message made into a broker payload.

use super::health::Count;
use super::link::{Link, ORIGIN_HEADER};
use super::mapping::{crosses, header_text};
use crate::json_values::{from_json, to_json, FromJsonOptions};
use flexgate_amf::Value;
use flexgate_broker::{AnyStore, Broker, BrokerError, Message, Payload};
use flexgate_messages::Headers;

/// Headers as a broker carries them: (name, text), in order.
pub(super) type BrokerHeaders = Vec<(String, String)>;

/// Stores one broker message with `subtopic` and `headers` (name, first
/// value). Counts it; the caller acknowledges it to the broker on `Ok`.
pub(super) async fn store<'h>(
    link: &Link,
    broker: &Broker<AnyStore>,
    subtopic: Option<String>,
    headers: impl Iterator<Item = (&'h str, &'h str)>,
    payload: &[u8],
) -> Result<(), BrokerError> {
    let mut message = Message::new(link.destination.clone(), Payload::Body(body(link, payload)));
    message.subtopics = subtopic.into_iter().collect();
    for (name, value) in headers {
        let fits = crosses(name, link.max_header_bytes) && value.len() <= link.max_header_bytes;
        if fits && name != ORIGIN_HEADER {
            message.headers.insert(name.to_owned(), Value::from(value));
        }
    }
    match broker.publish_message(message).await {
        Ok(_) => {
            link.health.count(Count::Received);
            Ok(())
        }
        Err(e) => {
            tracing::warn!(destination = %link.destination, error = %e, "broker message not stored");
            link.health.set_error(&e.to_string());
            link.health.count(Count::Failed);
            Err(e)
        }
    }
}

/// Whether a broker message carries this gateway's own origin mark (a
/// Producer message of ours coming back: stored when it was sent).
pub(super) fn is_ours(link: &Link, origin: Option<&str>) -> bool {
    origin == Some(link.origin.as_str())
}

/// The payload as a Flex body: JSON through the natural mapping, other
/// UTF-8 text as a string, anything else as a ByteArray.
fn body(link: &Link, payload: &[u8]) -> Value {
    let options = FromJsonOptions {
        max_depth: link.max_depth,
    };
    if let Ok(json) = serde_json::from_slice::<serde_json::Value>(payload) {
        if let Ok(v) = from_json(&json, options) {
            return v;
        }
    }
    match std::str::from_utf8(payload) {
        Ok(text) => Value::from(text),
        Err(_) => Value::ByteArray(bytes::Bytes::copy_from_slice(payload)),
    }
}

/// A Producer's message for the broker: the JSON payload, and the headers
/// that cross (the origin mark first).
pub(super) fn outgoing(
    link: &Link,
    body: &Value,
    headers: &Headers,
) -> Result<(Vec<u8>, BrokerHeaders), String> {
    let json = to_json(body, link.max_depth).map_err(|e| e.to_string())?;
    let payload = serde_json::to_vec(&json).map_err(|e| e.to_string())?;
    let mut out = vec![(ORIGIN_HEADER.to_owned(), link.origin.clone())];
    for (name, value) in headers.iter() {
        if name == ORIGIN_HEADER || !crosses(name, link.max_header_bytes) {
            continue;
        }
        if let Some(text) = header_text(value) {
            out.push((name.to_owned(), text));
        }
    }
    Ok((payload, out))
}
