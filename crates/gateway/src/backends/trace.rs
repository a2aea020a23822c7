//! The W3C `traceparent` header sent with each backend call, so that the
//! backend's logs and the gateway's (span field `trace_id`) name the same
//! trace. A Flex client's HTTP request that carries a valid `traceparent`
//! (added by a proxy or an instrumented page) is continued: its calls to
//! backends keep its trace id under a new parent id of the gateway's own.

use hyper::header::{HeaderMap, HeaderName};

/// The header (W3C Trace Context).
pub(super) static TRACEPARENT: HeaderName = HeaderName::from_static("traceparent");

/// The only version this gateway reads (W3C Trace Context level 1).
const VERSION: &str = "00";
/// Hex digits of a trace id and of a parent id.
const TRACE_ID_LEN: usize = 32;
const PARENT_ID_LEN: usize = 16;
/// Hex digits of the flags.
const FLAGS_LEN: usize = 2;
/// The flags of a trace the gateway starts: sampled.
const SAMPLED: &str = "01";

/// A valid incoming `traceparent`: the trace a request belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TraceParent {
    /// 32 lowercase hex digits, not all zero.
    pub(crate) trace_id: String,
    /// The caller's flags (2 lowercase hex digits), passed on unchanged:
    /// whether to sample is the caller's decision.
    flags: String,
}

impl TraceParent {
    /// The request's trace: its one `traceparent` header, when valid.
    /// Several of them, or an invalid one, are ignored (a new trace
    /// starts), as the W3C recommendation says of a header it cannot read.
    pub(crate) fn from_headers(headers: &HeaderMap) -> Option<Self> {
        let mut values = headers.get_all(&TRACEPARENT).iter();
        let (Some(only), None) = (values.next(), values.next()) else {
            return None;
        };
        Self::parse(only.to_str().ok()?)
    }

    /// Reads `00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>`
    /// strictly: version 00 only, exactly that length, lowercase hex, and
    /// neither id all zeros.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        let mut parts = text.split('-');
        let (Some(version), Some(trace_id), Some(parent_id), Some(flags), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return None;
        };
        let valid = version == VERSION
            && is_id(trace_id, TRACE_ID_LEN)
            && is_id(parent_id, PARENT_ID_LEN)
            && flags.len() == FLAGS_LEN
            && is_lower_hex(flags);
        valid.then(|| TraceParent {
            trace_id: trace_id.to_owned(),
            flags: flags.to_owned(),
        })
    }
}

/// `len` lowercase hex digits, not all `0` (the all-zero id is invalid).
fn is_id(s: &str, len: usize) -> bool {
    s.len() == len && is_lower_hex(s) && s.bytes().any(|b| b != b'0')
}

fn is_lower_hex(s: &str) -> bool {
    s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// One call's trace: its trace id (the request's, or a new one) and the
/// gateway's own new parent (span) id.
pub(super) struct Trace {
    /// 32 lowercase hex digits.
    pub(super) trace_id: String,
    span_id: String,
    flags: String,
}

impl Trace {
    /// Continues `parent`'s trace, or starts a fresh random one.
    pub(super) fn new(parent: Option<&TraceParent>) -> Self {
        let (trace_id, flags) = match parent {
            Some(p) => (p.trace_id.clone(), p.flags.clone()),
            None => (
                uuid::Uuid::new_v4().simple().to_string(),
                SAMPLED.to_owned(),
            ),
        };
        let mut span_id = uuid::Uuid::new_v4().simple().to_string();
        span_id.truncate(PARENT_ID_LEN);
        Trace {
            trace_id,
            span_id,
            flags,
        }
    }

    /// `00-<trace id>-<parent id>-<flags>`.
    pub(super) fn header(&self) -> String {
        format!(
            "{VERSION}-{}-{}-{}",
            self.trace_id, self.span_id, self.flags
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::header::HeaderValue;

    const VALID: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    #[test]
    fn the_header_has_the_w3c_shape() {
        let t = Trace::new(None);
        let h = t.header();
        let parts: Vec<&str> = h.split('-').collect();
        assert_eq!(parts.len(), 4);
        assert_eq!((parts[0], parts[3]), ("00", "01"));
        assert_eq!((parts[1].len(), parts[2].len()), (32, 16));
        assert_eq!(parts[1], t.trace_id);
        assert!(h.bytes().all(|b| b == b'-' || b.is_ascii_hexdigit()));
        assert_eq!(TraceParent::parse(&h).map(|p| p.trace_id), Some(t.trace_id));
    }

    #[test]
    fn a_valid_parent_is_continued_with_a_new_parent_id() {
        let parent = TraceParent::parse(VALID).expect("valid");
        assert_eq!(parent.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
        let h = Trace::new(Some(&parent)).header();
        let parts: Vec<&str> = h.split('-').collect();
        assert_eq!(parts[1], "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_ne!(parts[2], "00f067aa0ba902b7", "the gateway's own span");
        assert_eq!(parts[2].len(), 16);
        // Not sampled upstream: not sampled here either.
        let unsampled = TraceParent::parse(&VALID.replace("-01", "-00")).expect("valid");
        assert!(Trace::new(Some(&unsampled)).header().ends_with("-00"));
    }

    #[test]
    fn invalid_parents_are_refused() {
        for bad in [
            "",
            "00",
            "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e47366-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
            "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",
            " 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",
        ] {
            assert_eq!(TraceParent::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn only_one_header_is_read() {
        let mut headers = HeaderMap::new();
        assert_eq!(TraceParent::from_headers(&headers), None);
        headers.append(&TRACEPARENT, HeaderValue::from_static(VALID));
        assert!(TraceParent::from_headers(&headers).is_some());
        headers.append(&TRACEPARENT, HeaderValue::from_static(VALID));
        assert_eq!(TraceParent::from_headers(&headers), None, "two: ambiguous");
    }
}
