//! A Flex Producer's message, once stored, published out to the link's
//! subject.

use super::health::Count;
use super::mapping::{crosses, header_text, subject_for};
use super::Link;
use crate::json_values::to_json;
use flexgate_amf::Value;
use flexgate_messages::Headers;

impl Link {
    /// Publishes `body` with `headers` on the subject for `subtopic`.
    /// Failures are counted and logged: the message is already stored
    /// for this destination's Flex Consumers.
    pub(crate) async fn publish_out(
        &self,
        subtopic: Option<&str>,
        body: &Value,
        headers: &Headers,
    ) {
        if let Err(why) = self.try_publish_out(subtopic, body, headers).await {
            tracing::warn!(destination = %self.destination, error = %why, "not published to nats");
            self.health.set_error(&why);
            self.health.count(Count::Failed);
        } else {
            self.health.count(Count::Sent);
        }
    }

    async fn try_publish_out(
        &self,
        subtopic: Option<&str>,
        body: &Value,
        headers: &Headers,
    ) -> Result<(), String> {
        let client = self.client.get().ok_or("the link is not started yet")?;
        let subject = subject_for(&self.config, subtopic, &self.separator)
            .ok_or_else(|| format!("subtopic {subtopic:?} has no NATS subject"))?;
        let json = to_json(body, self.max_depth).map_err(|e| e.to_string())?;
        let payload = serde_json::to_vec(&json).map_err(|e| e.to_string())?;
        let mut out = async_nats::HeaderMap::new();
        out.insert(super::ORIGIN_HEADER, self.origin.as_str());
        for (name, value) in headers.iter() {
            if let Some(text) = header_text(value)
                .filter(|_| crosses(name, self.max_header_bytes) && name != super::ORIGIN_HEADER)
            {
                out.insert(name, text.as_str());
            }
        }
        client
            .publish_with_headers(subject, out, payload.into())
            .await
            .map_err(|e| e.to_string())
    }
}
