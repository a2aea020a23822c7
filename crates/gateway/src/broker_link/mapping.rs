//! Between NATS subjects and Flex subtopics, and between message headers
//! on either side.

use crate::config::NatsLinkConfig;
use flexgate_amf::Value;

/// Flex keeps header names starting with this for itself (`DSId`, …):
/// none comes in from a broker, none goes out to one.
const RESERVED_HEADER_PREFIX: &str = "DS";

/// The subtopic of a message that arrived on `subject`, with the
/// destination's `separator` between its tokens: `None` for the base
/// subject itself, `Err` for a subject outside the link's.
pub(crate) fn subtopic_of(
    link: &NatsLinkConfig,
    subject: &str,
    separator: &str,
) -> Result<Option<String>, ()> {
    let base = link.base();
    if subject == base {
        return Ok(None);
    }
    let rest = subject
        .strip_prefix(base)
        .and_then(|r| r.strip_prefix('.'))
        .filter(|r| link.takes_subtopics() && !r.is_empty())
        .ok_or(())?;
    Ok(Some(rest.split('.').collect::<Vec<_>>().join(separator)))
}

/// The subject a Producer's message on `subtopic` goes out on; `None`
/// when a subtopic token cannot be a NATS token (empty, a wildcard,
/// whitespace).
pub(crate) fn subject_for(
    link: &NatsLinkConfig,
    subtopic: Option<&str>,
    separator: &str,
) -> Option<String> {
    let base = link.base();
    let Some(subtopic) = subtopic.filter(|s| !s.is_empty()) else {
        return Some(base.to_owned());
    };
    let mut subject = base.to_owned();
    for token in subtopic.split(separator) {
        let bad = token.is_empty()
            || token.contains(['.', '*', '>'])
            || token.chars().any(char::is_whitespace);
        if bad {
            return None;
        }
        subject.push('.');
        subject.push_str(token);
    }
    Some(subject)
}

/// A NATS message's headers as (name, first value).
pub(crate) fn header_pairs(
    headers: Option<&async_nats::HeaderMap>,
) -> impl Iterator<Item = (&str, &str)> {
    headers
        .into_iter()
        .flat_map(|h| h.iter())
        .filter_map(|(n, v)| {
            let name: &str = n.as_ref();
            v.first().map(|v| (name, v.as_str()))
        })
}

/// Whether a header may cross the link (either way).
pub(crate) fn crosses(name: &str, max_bytes: usize) -> bool {
    !name.is_empty() && !name.starts_with(RESERVED_HEADER_PREFIX) && name.len() <= max_bytes
}

/// A Flex header value as a broker header's text; `None` for values
/// that are not scalars.
pub(crate) fn header_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.to_string()),
        Value::Integer(i) => Some(i.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(subject: &str) -> NatsLinkConfig {
        NatsLinkConfig {
            url: "nats://h".into(),
            subject: subject.into(),
            stream: None,
        }
    }

    #[test]
    fn subject_suffixes_are_subtopics() {
        let l = link("prices.>");
        assert_eq!(subtopic_of(&l, "prices", "."), Ok(None));
        assert_eq!(
            subtopic_of(&l, "prices.eu.fx", "."),
            Ok(Some("eu.fx".into()))
        );
        assert_eq!(
            subtopic_of(&l, "prices.eu.fx", "/"),
            Ok(Some("eu/fx".into()))
        );
        assert_eq!(subtopic_of(&l, "pricesx.eu", "."), Err(()));
        assert_eq!(subtopic_of(&link("prices"), "prices.eu", "."), Err(()));
    }

    #[test]
    fn subtopics_go_out_under_the_base() {
        let l = link("prices.>");
        assert_eq!(subject_for(&l, None, "."), Some("prices".into()));
        assert_eq!(
            subject_for(&l, Some("eu.fx"), "."),
            Some("prices.eu.fx".into())
        );
        assert_eq!(
            subject_for(&l, Some("eu/fx"), "/"),
            Some("prices.eu.fx".into())
        );
        for bad in ["eu.*", "eu..fx", "e u", "a.>"] {
            assert_eq!(subject_for(&l, Some(bad), "."), None, "{bad}");
        }
        assert_eq!(subject_for(&l, Some("a.b"), "/"), None);
    }

    #[test]
    fn flex_headers_stay_home() {
        assert!(!crosses("DSId", 100));
        assert!(crosses("priority", 100));
        assert!(!crosses("priority", 3));
        assert_eq!(header_text(&Value::from(5)), Some("5".into()));
        assert_eq!(header_text(&Value::Null), None);
    }
}
