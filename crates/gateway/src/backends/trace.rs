//! The W3C `traceparent` header sent with each backend call, so that the
//! backend's logs and the gateway's (span field `trace_id`) name the same
//! trace.

use hyper::header::HeaderName;

/// The header (W3C Trace Context).
pub(super) static TRACEPARENT: HeaderName = HeaderName::from_static("traceparent");

/// One call's trace: a new trace id and parent (span) id.
pub(super) struct Trace {
    /// 32 lowercase hex digits.
    pub(super) trace_id: String,
    span_id: String,
}

impl Trace {
    /// A fresh random trace.
    pub(super) fn new() -> Self {
        let trace_id = uuid::Uuid::new_v4().simple().to_string();
        let mut span_id = uuid::Uuid::new_v4().simple().to_string();
        span_id.truncate(16);
        Trace { trace_id, span_id }
    }

    /// `00-<trace id>-<parent id>-01` (version 0, sampled).
    pub(super) fn header(&self) -> String {
        format!("00-{}-{}-01", self.trace_id, self.span_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_has_the_w3c_shape() {
        let t = Trace::new();
        let h = t.header();
        let parts: Vec<&str> = h.split('-').collect();
        assert_eq!(parts.len(), 4);
        assert_eq!((parts[0], parts[3]), ("00", "01"));
        assert_eq!((parts[1].len(), parts[2].len()), (32, 16));
        assert_eq!(parts[1], t.trace_id);
        assert!(h.bytes().all(|b| b == b'-' || b.is_ascii_hexdigit()));
    }
}
