//! Length bounds on what a Flex message names, checked once when it enters
//! (before its client is looked up or created): ids, destination,
//! subtopics and string headers (`[limits] max_id_bytes`,
//! `max_destination_bytes`, `max_subtopic_bytes`, `max_header_value_bytes`).
//! Past a bound the message gets `Client.Message` naming the field and its
//! length, with at most a short prefix of the value.

use crate::config::Limits;
use flexgate_amf::Value;
use flexgate_messages::convert::list_items;
use flexgate_messages::headers as h;
use flexgate_messages::{Fault, FaultCode, Message};

/// Characters of an oversized value quoted in the fault.
const QUOTED_CHARS: usize = 16;

/// `Err` with a `Client.Message` fault for the first field past its bound.
pub(crate) fn check(limits: &Limits, m: &Message) -> Result<(), Fault> {
    let base = m.base();
    let ids = limits.max_id_bytes;
    bound("DSId", base.headers.get_str(h::DS_ID), ids)?;
    bound("clientId", base.client_id.as_deref(), ids)?;
    bound("messageId", base.message_id.as_deref(), ids)?;
    bound(
        "destination",
        base.destination.as_deref(),
        limits.max_destination_bytes,
    )?;
    let subtopics = limits.max_subtopic_bytes;
    bound(
        "DSSubtopic",
        base.headers.get_str(h::DS_SUBTOPIC),
        subtopics,
    )?;
    // A MultiTopicProducer's list: each entry is a subtopic.
    if let Some(entries) = base.headers.get(h::DS_SUBTOPIC).and_then(list_items) {
        for entry in entries.iter().filter_map(Value::as_str) {
            bound(h::DS_SUBTOPIC, Some(entry), subtopics)?;
        }
    }
    for name in [h::DS_ADD_SUB, h::DS_REM_SUB] {
        if let Some(entries) = base.headers.get(name).and_then(list_items) {
            for entry in entries.iter().filter_map(Value::as_str) {
                let subtopic = entry.split(h::SUBTOPIC_SEPARATOR).next();
                bound(name, subtopic, subtopics)?;
            }
        }
    }
    let headers = limits.max_header_value_bytes;
    for (name, value) in base.headers.iter() {
        bound("header name", Some(name), headers)?;
        bound(name, value.as_str(), headers)?;
    }
    Ok(())
}

/// A copy of `m` fit to be echoed in an error reply: the ids and
/// destination past their bounds are left out.
pub(crate) fn echoable(limits: &Limits, m: &Message) -> Message {
    let mut m = m.clone();
    let base = m.base_mut();
    let over = |v: &Option<String>, max: usize| v.as_ref().is_some_and(|s| s.len() > max);
    if over(&base.client_id, limits.max_id_bytes) {
        base.client_id = None;
    }
    if over(&base.message_id, limits.max_id_bytes) {
        base.message_id = None;
    }
    if over(&base.destination, limits.max_destination_bytes) {
        base.destination = None;
    }
    m
}

fn bound(field: &str, value: Option<&str>, max: usize) -> Result<(), Fault> {
    let Some(v) = value.filter(|v| v.len() > max) else {
        return Ok(());
    };
    let field: String = field.chars().take(QUOTED_CHARS * 4).collect();
    let start: String = v.chars().take(QUOTED_CHARS).collect();
    Err(Fault::new(
        FaultCode::ClientMessage,
        format!(
            "{field} is {} bytes long, more than the limit of {max} (starts with '{start}…').",
            v.len()
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use flexgate_messages::AsyncMessage;

    #[test]
    fn each_subtopic_of_a_list_is_bounded() {
        let limits = Limits::default();
        let long = "s".repeat(limits.max_subtopic_bytes + 1);
        let mut m = AsyncMessage::default();
        let list = flexgate_messages::ArrayCollection::from_items(vec!["a".into(), long.into()]);
        m.base.headers.set(h::DS_SUBTOPIC, list.into_value());
        let fault = check(&limits, &Message::Async(m)).expect_err("too long");
        assert!(
            fault.string.starts_with("DSSubtopic is"),
            "{}",
            fault.string
        );
    }

    #[test]
    fn oversized_fields_are_named_and_cut() {
        let limits = Limits::default();
        let mut m = AsyncMessage::default();
        m.base.headers.set(h::DS_ID, "x".repeat(60_000));
        let fault = check(&limits, &Message::Async(m.clone())).expect_err("too long");
        assert_eq!(fault.code, FaultCode::ClientMessage);
        assert!(
            fault.string.starts_with("DSId is 60000 bytes"),
            "{}",
            fault.string
        );
        assert!(fault.string.len() < 200, "{}", fault.string);
        m.base.headers.set(h::DS_ID, "x".repeat(128));
        assert!(check(&limits, &Message::Async(m.clone())).is_ok());
        m.base.destination = Some("d".repeat(257));
        assert!(check(&limits, &Message::Async(m.clone()))
            .expect_err("long destination")
            .string
            .starts_with("destination"));
        let echo = echoable(&limits, &Message::Async(m));
        assert_eq!(echo.base().destination, None);
    }
}
