//! How an event's and a span's fields are written: `name=value`, as
//! tracing-subscriber's default, but a string made only of "plain"
//! characters (an id, a channel, a path) is written as it is, without
//! `Debug`'s quoting. The default quotes and escapes every string
//! character by character, and the request span's fields made that the
//! largest single cost of a ping (docs/benchmarks.md, issue #18 target 2).
//! Anything else a peer could send (spaces, `=`, quotes, control
//! characters, non-ASCII) is still written quoted and escaped, so a value
//! cannot pass for another field.

use std::fmt;
use tracing::field::{Field, Visit};
use tracing_subscriber::field::{MakeVisitor, VisitFmt, VisitOutput};
use tracing_subscriber::fmt::format::Writer;

/// The gateway's field format (see the module docs); give it to
/// `fmt_fields` where the gateway's logs are set up.
#[derive(Debug, Clone, Copy, Default)]
pub struct LogFields;

impl<'a> MakeVisitor<Writer<'a>> for LogFields {
    type Visitor = FieldWriter<'a>;

    fn make_visitor(&self, target: Writer<'a>) -> FieldWriter<'a> {
        FieldWriter {
            writer: target,
            first: true,
            result: Ok(()),
        }
    }
}

/// Writes one set of fields for [`LogFields`].
#[derive(Debug)]
pub struct FieldWriter<'a> {
    writer: Writer<'a>,
    first: bool,
    result: fmt::Result,
}

/// The field tracing's macros give an event's message.
const MESSAGE: &str = "message";

/// Whether `value` can be written unquoted: non-empty, and only ASCII
/// letters, digits and `-_.:/@+[]` (ids, names, paths, addresses).
fn is_plain(value: &str) -> bool {
    !value.is_empty()
        && value.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'-' | b'_' | b'.' | b':' | b'/' | b'@' | b'+' | b'[' | b']'
                )
        })
}

impl FieldWriter<'_> {
    /// `name=` after the separator; `false` when the field is not written.
    fn start(&mut self, field: &Field) -> bool {
        let name = field.name();
        // Metadata of a `log` record, already in the event's header.
        if self.result.is_err() || name.starts_with("log.") {
            return false;
        }
        if !self.first {
            self.result = self.writer.write_char(' ');
        }
        self.first = false;
        if name != MESSAGE {
            let name = name.strip_prefix("r#").unwrap_or(name);
            self.result = self
                .result
                .and_then(|()| self.writer.write_str(name))
                .and_then(|()| self.writer.write_char('='));
        }
        self.result.is_ok()
    }
}

impl Visit for FieldWriter<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        if !self.start(field) {
            return;
        }
        self.result = if field.name() == MESSAGE || is_plain(value) {
            // A message is text; the writer escapes its control characters.
            self.writer.write_str(value)
        } else {
            write!(self.writer, "{value:?}")
        };
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if self.start(field) {
            self.result = write!(self.writer, "{value:?}");
        }
    }
}

impl VisitOutput<fmt::Result> for FieldWriter<'_> {
    fn finish(self) -> fmt::Result {
        self.result
    }
}

impl VisitFmt for FieldWriter<'_> {
    fn writer(&mut self) -> &mut dyn fmt::Write {
        &mut self.writer
    }
}

#[cfg(test)]
mod tests {
    use super::LogFields;
    use std::io;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Capture(Arc<Mutex<Vec<u8>>>);

    impl io::Write for Capture {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().expect("capture").extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// What `f` logs through [`LogFields`], without time and level.
    fn logged(f: impl FnOnce()) -> String {
        let capture = Capture::default();
        let sink = capture.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .without_time()
            .with_level(false)
            .with_target(false)
            .fmt_fields(LogFields)
            .with_writer(move || sink.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, f);
        let bytes = capture.0.lock().expect("capture").clone();
        String::from_utf8(bytes).expect("UTF-8")
    }

    #[test]
    fn plain_strings_bare_everything_else_quoted() {
        let cases: &[(&str, &str)] = &[
            ("my-amf", "v=my-amf"),
            ("/messagebroker/amf", "v=/messagebroker/amf"),
            ("127.0.0.1:8400", "v=127.0.0.1:8400"),
            ("[::1]:8400", "v=[::1]:8400"),
            (
                "5D3E9C1A-0B1C-4E1F-9A2B-3C4D5E6F7A8B",
                "v=5D3E9C1A-0B1C-4E1F-9A2B-3C4D5E6F7A8B",
            ),
            ("", r#"v="""#),
            ("a b", r#"v="a b""#),
            ("chat client_id=forged", r#"v="chat client_id=forged""#),
            ("q\"", r#"v="q\"""#),
            ("line\nnext", r#"v="line\nnext""#),
            ("\u{1b}[2K", r#"v="\u{1b}[2K""#),
            ("é", r#"v="é""#),
        ];
        for (value, written) in cases {
            let line = logged(|| tracing::info!(v = *value, "m"));
            assert_eq!(line, format!("m {written}\n"), "{value:?}");
        }
    }

    #[test]
    fn span_fields_recorded_later_and_debug_values() {
        #[derive(Debug)]
        enum Op {
            ClientPing,
        }
        let line = logged(|| {
            let span = tracing::info_span!(
                "request",
                peer = "127.0.0.1:1",
                channel = tracing::field::Empty,
                operation = tracing::field::Empty
            );
            let _in = span.enter();
            span.record("channel", "my amf");
            span.record("operation", tracing::field::debug(Op::ClientPing));
            tracing::info!(n = 3, "done");
        });
        assert_eq!(
            line,
            "request{peer=127.0.0.1:1 channel=\"my amf\" operation=ClientPing}: done n=3\n"
        );
    }
}
