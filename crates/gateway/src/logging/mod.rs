//! Log output that a peer cannot forge lines into.
//!
//! Many logged fields come from the peer: destination names, `DSId`s, fault
//! reasons quoting them, decode errors. Escaping each at its call site
//! would miss the next one, so escaping happens once, where a formatted
//! event is written: every control character (C0, DEL, C1, and the Unicode
//! line and paragraph separators) except the line's own final newline is
//! written as an escape (`\n`, `\r`, `\t`, `\u{1b}`), so one event is
//! always one line and no terminal control sequence gets through.

mod fields;

pub use fields::{FieldWriter, LogFields};

use std::io::{self, Write};
use tracing_subscriber::fmt::MakeWriter;

/// Wraps a [`MakeWriter`] so that each event it writes is escaped.
#[derive(Debug, Clone)]
pub struct Escaping<M>(pub M);

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for Escaping<M> {
    type Writer = EscapingWriter<M::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        EscapingWriter(self.0.make_writer())
    }

    fn make_writer_for(&'a self, meta: &tracing::Metadata<'_>) -> Self::Writer {
        EscapingWriter(self.0.make_writer_for(meta))
    }
}

/// A writer that escapes control characters (see the module docs).
#[derive(Debug)]
pub struct EscapingWriter<W>(W);

impl<W: Write> Write for EscapingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write_all(escape(buf).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// One formatted event with its control characters escaped; a final
/// newline stays.
pub fn escape(event: &[u8]) -> String {
    let text = String::from_utf8_lossy(event);
    let (body, newline) = match text.strip_suffix('\n') {
        Some(body) => (body, "\n"),
        None => (&*text, ""),
    };
    let mut out = String::with_capacity(text.len() + 8);
    for c in body.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || c == '\u{2028}' || c == '\u{2029}' => {
                out.extend(c.escape_unicode());
            }
            c => out.push(c),
        }
    }
    out.push_str(newline);
    out
}

/// Installs the binary's log output: `RUST_LOG` (default `info`), escaped,
/// on standard output, without colours (escaping would break them).
pub fn init() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_ansi(false)
        .fmt_fields(LogFields)
        .with_writer(Escaping(io::stdout))
        .init();
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn one_event_stays_one_line() {
        let cases: &[(&str, &str)] = &[
            ("plain line\n", "plain line\n"),
            (
                "reason=chat\nWARN forged line\n",
                "reason=chat\\nWARN forged line\n",
            ),
            ("a\r\tb\u{1b}[31mred\n", "a\\r\\tb\\u{1b}[31mred\n"),
            (
                "nel\u{85}ls\u{2028}ps\u{2029}\n",
                "nel\\u{85}ls\\u{2028}ps\\u{2029}\n",
            ),
            ("no newline\u{7f}", "no newline\\u{7f}"),
            ("é and 漢字 stay\n", "é and 漢字 stay\n"),
        ];
        for (raw, escaped) in cases {
            assert_eq!(escape(raw.as_bytes()), *escaped, "{raw:?}");
        }
    }
}
