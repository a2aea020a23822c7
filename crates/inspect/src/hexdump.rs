//! The annotated hex dump: each piece of the input, in hex, beside what the
//! reader decoded it as, indented by nesting.

use crate::record::{InspectError, Line};
use std::fmt::Write;

/// Bytes per hex row.
const ROW: usize = 16;
/// Rows shown for one piece before the rest is summarised.
const MAX_ROWS: usize = 4;

/// Renders `lines` (in input order) over `input`, then the error, if any.
pub(crate) fn render(input: &[u8], lines: &[Line], error: Option<&InspectError>) -> String {
    let mut out = String::new();
    let mut pos = 0;
    for line in lines {
        // Bytes no line claims (none, unless the reader skipped some).
        if line.start > pos {
            piece(&mut out, input, pos, line.start, "(not decoded)");
        }
        let text = format!("{}{}", "  ".repeat(line.indent), line.text);
        piece(&mut out, input, line.start, line.end, &text);
        pos = pos.max(line.end);
    }
    match error {
        Some(e) => {
            if e.offset > pos {
                piece(&mut out, input, pos, e.offset, "(read before the error)");
            }
            let _ = writeln!(out, "{:08x}  error: {e}", e.offset);
        }
        None if pos < input.len() => piece(&mut out, input, pos, input.len(), "(not decoded)"),
        None => {}
    }
    out
}

fn piece(out: &mut String, input: &[u8], start: usize, end: usize, text: &str) {
    let bytes = input.get(start..end).unwrap_or_default();
    let mut rows = bytes.chunks(ROW);
    let first = rows.next().unwrap_or_default();
    let _ = writeln!(out, "{start:08x}  {:<48}  {text}", hex(first));
    for (i, row) in rows.enumerate() {
        let at = start + ROW * (i + 1);
        if i + 1 == MAX_ROWS {
            let _ = writeln!(out, "{at:08x}  ... {} more bytes", end - at);
            break;
        }
        let _ = writeln!(out, "{at:08x}  {}", hex(row));
    }
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        let _ = write!(s, "{b:02x}");
    }
    s
}
