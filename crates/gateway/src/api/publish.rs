//! `POST /api/publish`'s body, `{"destination", "subtopic", "headers",
//! "body", "ttl_ms"}`, as a message for the broker; the body and header
//! values through the same JSON mapping as the HTTP backends.

use super::error::ApiError;
use crate::config::{DestinationKind, Limits};
use crate::json_values::{from_json, FromJsonOptions};
use crate::state::State;
use flexgate_broker::{BrokerError, Message, Payload};
use serde::Deserialize;
use serde_json::{Map, Value as Json};

/// The request body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PublishRequest {
    destination: String,
    #[serde(default)]
    subtopic: Option<String>,
    #[serde(default)]
    headers: Map<String, Json>,
    #[serde(default)]
    body: Json,
    /// 0 or absent: the destination's default.
    #[serde(default)]
    ttl_ms: u64,
}

/// Header names Flex keeps for itself (`DSId`, `DSSubtopic`, …): a
/// publisher may not set them.
const RESERVED_HEADER_PREFIX: &str = "DS";

impl PublishRequest {
    /// Reads the JSON body.
    pub(super) fn parse(body: &[u8]) -> Result<Self, ApiError> {
        serde_json::from_slice(body)
            .map_err(|e| ApiError::BadRequest(format!("the body is not a publish request: {e}")))
    }

    /// The broker message, once the destination and the bounds are checked.
    fn into_message(self, state: &State) -> Result<Message, ApiError> {
        let limits: &Limits = &state.config.limits;
        let too_long = |what: &str, max: usize| {
            ApiError::BadRequest(format!("{what} is longer than {max} bytes"))
        };
        if self.destination.len() > limits.max_destination_bytes {
            return Err(too_long("destination", limits.max_destination_bytes));
        }
        let is_messaging = state
            .config
            .destinations
            .get(&self.destination)
            .is_some_and(|d| d.kind == DestinationKind::Messaging);
        if !is_messaging {
            return Err(ApiError::NotFound(format!(
                "no messaging destination '{}'",
                self.destination
            )));
        }
        if self
            .subtopic
            .as_ref()
            .is_some_and(|s| s.len() > limits.max_subtopic_bytes)
        {
            return Err(too_long("subtopic", limits.max_subtopic_bytes));
        }
        let options = FromJsonOptions {
            max_depth: limits.max_depth,
        };
        let body = amf(&self.body, options)?;
        let mut message = Message::new(self.destination, Payload::Body(body));
        for (name, value) in &self.headers {
            if name.starts_with(RESERVED_HEADER_PREFIX)
                || name.len() > limits.max_header_value_bytes
            {
                return Err(ApiError::BadRequest(format!(
                    "header '{name}' may not be set (names starting with DS are Flex's own; \
                     names are at most {} bytes)",
                    limits.max_header_value_bytes
                )));
            }
            let v = amf(value, options)?;
            if v.as_str()
                .is_some_and(|s| s.len() > limits.max_header_value_bytes)
            {
                return Err(too_long(
                    &format!("header '{name}'"),
                    limits.max_header_value_bytes,
                ));
            }
            message.headers.insert(name.clone(), v);
        }
        message.subtopics = self.subtopic.into_iter().collect();
        message.ttl_ms = self.ttl_ms;
        Ok(message)
    }
}

/// JSON → AMF with the mapping's error as a 400.
fn amf(json: &Json, options: FromJsonOptions) -> Result<flexgate_amf::Value, ApiError> {
    from_json(json, options)
        .map_err(|e| ApiError::BadRequest(format!("a value has no AMF form: {e}")))
}

/// Publishes: the new message's id.
pub(super) async fn publish(state: &State, request: PublishRequest) -> Result<String, ApiError> {
    let message = request.into_message(state)?;
    let published = state
        .broker
        .publish_message(message)
        .await
        .map_err(|e| match e {
            BrokerError::UnknownDestination(_) => ApiError::NotFound(e.to_string()),
            BrokerError::MessageTooLarge { .. } => ApiError::TooLarge(e.to_string()),
            BrokerError::Store(_) => ApiError::Unavailable(e.to_string()),
            _ => ApiError::BadRequest(e.to_string()),
        })?;
    Ok(published.message.id.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_request_is_read() {
        let r = PublishRequest::parse(crate::doc_check::block("publish").as_bytes())
            .expect("the example parses");
        assert_eq!(r.destination, "chat");
        assert_eq!(r.subtopic.as_deref(), Some("room.1"));
        assert_eq!(r.headers.get("priority"), Some(&Json::from(5)));
        assert_eq!(r.ttl_ms, 30_000);
        assert_eq!(r.body["$class"], "com.example.Note");
    }
}
