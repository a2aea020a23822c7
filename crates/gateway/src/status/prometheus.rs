//! `/metrics`: a [`Snapshot`] in the Prometheus text exposition format
//! (version 0.0.4): per family a `# HELP` and a `# TYPE` line, then
//! `name{label="value"} number` lines.

use super::snapshot::Snapshot;
use std::fmt::Write;

/// The content type Prometheus expects for this format.
pub(super) const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// How Prometheus should treat a family.
#[derive(Debug, Clone, Copy)]
enum Kind {
    /// Only ever goes up (resets on restart).
    Counter,
    /// Goes up and down.
    Gauge,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Counter => "counter",
            Kind::Gauge => "gauge",
        }
    }
}

/// Builds the exposition text.
struct Exposition(String);

impl Exposition {
    fn family(&mut self, name: &str, kind: Kind, help: &str) {
        // Writing to a String cannot fail.
        let _ = writeln!(self.0, "# HELP {name} {help}");
        let _ = writeln!(self.0, "# TYPE {name} {}", kind.as_str());
    }

    fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: impl std::fmt::Display) {
        self.0.push_str(name);
        if !labels.is_empty() {
            self.0.push('{');
            for (i, (k, v)) in labels.iter().enumerate() {
                if i > 0 {
                    self.0.push(',');
                }
                self.0.push_str(k);
                self.0.push_str("=\"");
                escape_label_value(&mut self.0, v);
                self.0.push('"');
            }
            self.0.push('}');
        }
        let _ = writeln!(self.0, " {value}");
    }

    fn single(&mut self, name: &str, kind: Kind, help: &str, value: impl std::fmt::Display) {
        self.family(name, kind, help);
        self.sample(name, &[], value);
    }
}

/// Label values escape backslash, double quote and line feed.
fn escape_label_value(out: &mut String, v: &str) {
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
}

/// Renders the snapshot. Labels carry only configured names (channels,
/// destinations), never client-chosen ones like subtopics, so the number
/// of series stays bounded.
pub(super) fn render(s: &Snapshot) -> String {
    let mut e = Exposition(String::with_capacity(2048));
    e.family(
        "flexgate_info",
        Kind::Gauge,
        "Always 1; labels name the version and the store kind.",
    );
    e.sample(
        "flexgate_info",
        &[("version", s.version), ("store", s.store.kind)],
        1,
    );
    e.single(
        "flexgate_start_time_seconds",
        Kind::Gauge,
        "When the gateway started, seconds since the Unix epoch.",
        s.started_ms as f64 / 1000.0,
    );
    e.single(
        "flexgate_messages_published_total",
        Kind::Counter,
        "Messages published to the broker on this node.",
        s.totals.published,
    );
    e.single(
        "flexgate_messages_delivered_total",
        Kind::Counter,
        "Messages delivered to consumers on this node (one per message and consumer).",
        s.totals.delivered,
    );
    e.single(
        "flexgate_messages_dropped_total",
        Kind::Counter,
        "Retained messages dropped on this node to keep the retention bounds (docs/limits.md).",
        s.totals.dropped,
    );
    e.single(
        "flexgate_polls_total",
        Kind::Counter,
        "Flex poll requests received.",
        s.totals.polls,
    );
    e.single(
        "flexgate_waiting_polls",
        Kind::Gauge,
        "Long polls waiting for messages now.",
        s.waiting_polls,
    );
    e.single(
        "flexgate_streams",
        Kind::Gauge,
        "Streaming connections open now.",
        s.streams,
    );
    e.single(
        "flexgate_store_up",
        Kind::Gauge,
        "1 when the store answered the last listing, else 0.",
        u8::from(s.store.healthy),
    );
    links(&mut e, s);
    // Without a listing there is nothing true to report per channel or
    // destination; absent series are better than zeros.
    if s.store.healthy {
        e.family(
            "flexgate_clients",
            Kind::Gauge,
            "Connected Flex clients, by channel.",
        );
        for c in &s.channels {
            e.sample("flexgate_clients", &[("channel", &c.id)], c.clients);
        }
        e.family(
            "flexgate_subscriptions",
            Kind::Gauge,
            "Consumer subscriptions, by destination.",
        );
        for d in &s.destinations {
            e.sample(
                "flexgate_subscriptions",
                &[("destination", &d.id)],
                d.subscribers,
            );
        }
    }
    e.0
}

/// Each broker link's connection and message counts.
fn links(e: &mut Exposition, s: &Snapshot) {
    if s.links.is_empty() {
        return;
    }
    e.family(
        "flexgate_link_up",
        Kind::Gauge,
        "1 when the destination's broker link is connected, else 0.",
    );
    for l in &s.links {
        let up = u8::from(l.state == crate::broker_link::LinkState::Connected);
        e.sample(
            "flexgate_link_up",
            &[("destination", &l.destination), ("broker", l.kind)],
            up,
        );
    }
    e.family(
        "flexgate_link_messages_total",
        Kind::Counter,
        "Messages over a broker link: received (stored here), sent (published out), failed.",
    );
    for l in &s.links {
        for (outcome, n) in [
            ("received", l.received),
            ("sent", l.sent),
            ("failed", l.failed),
        ] {
            e.sample(
                "flexgate_link_messages_total",
                &[("destination", &l.destination), ("outcome", outcome)],
                n,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped() {
        let mut e = Exposition(String::new());
        e.sample("m", &[("a", "x\"y\\z\nw"), ("b", "plain")], 3);
        assert_eq!(e.0, "m{a=\"x\\\"y\\\\z\\nw\",b=\"plain\"} 3\n");
    }
}
