//! The packet envelope: version, headers and bodies around the values.

use super::packet::Envelope;
use super::recorder::Recorder;
use crate::keys as k;
use flexgate_amf::trace::{Event, Span};
use serde_json::{Map, Value as Json};

impl Recorder {
    /// Reference tables start afresh for each header and body value.
    fn reset_tables(&mut self) {
        self.objects.clear();
        self.amf0_objects.clear();
        self.first_traits.clear();
    }

    pub(super) fn envelope_event(&mut self, span: Span, event: Event<'_>) {
        match event {
            Event::Version(version) => {
                self.line(span, || format!("packet version {version}"));
                self.envelope = Some(Envelope {
                    version,
                    headers: Vec::new(),
                    bodies: Vec::new(),
                    current: None,
                });
            }
            Event::HeaderCount(n) => self.line(span, || format!("{n} headers")),
            Event::BodyCount(n) => self.line(span, || format!("{n} bodies")),
            Event::Header {
                name,
                must_understand,
                length,
            } => {
                let i = self.envelope.as_ref().map_or(0, |e| e.headers.len()) + 1;
                self.line(span, || {
                    format!(
                        "header {i}: {name:?}, must understand {must_understand}, length {length}"
                    )
                });
                let mut h = Map::new();
                h.insert(k::NAME.into(), name.into());
                h.insert(k::MUST_UNDERSTAND.into(), (must_understand != 0).into());
                self.start_value(h, length, true);
            }
            Event::Body {
                target,
                response,
                length,
            } => {
                let i = self.envelope.as_ref().map_or(0, |e| e.bodies.len()) + 1;
                self.line(span, || {
                    format!("body {i}: target {target:?}, response {response:?}, length {length}")
                });
                let mut b = Map::new();
                b.insert(k::TARGET.into(), target.into());
                b.insert(k::RESPONSE.into(), response.into());
                self.start_value(b, length, false);
            }
            Event::ValueEnd => {
                let value = self.done.take().unwrap_or(Json::Null);
                let Some(envelope) = &mut self.envelope else {
                    return;
                };
                let Some((mut node, declared, header)) = envelope.current.take() else {
                    return;
                };
                // The declared length is kept when it is not the true one
                // (py3amf's `strict=False` writes 0).
                if declared as usize != span.end - span.start {
                    node.insert(k::LENGTH.into(), declared.into());
                }
                node.insert(k::VALUE.into(), value);
                match header {
                    true => envelope.headers.push(Json::Object(node)),
                    false => envelope.bodies.push(Json::Object(node)),
                }
            }
            _ => {}
        }
    }

    fn start_value(&mut self, node: Map<String, Json>, declared: u32, header: bool) {
        self.reset_tables();
        if let Some(e) = &mut self.envelope {
            e.current = Some((node, declared, header));
        }
    }
}
