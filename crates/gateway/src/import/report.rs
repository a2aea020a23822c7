//! What the import tells the operator: elements it could not map, and
//! notes on choices it made.

use std::fmt;

/// Whether a finding lost a setting or only explains one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindingKind {
    /// The element has no flexgate counterpart and was left out.
    Unmapped,
    /// Mapped, with something to know (a replaced token, a left-out
    /// channel reference).
    Note,
}

/// One finding, about one element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Unmapped or a note.
    pub kind: FindingKind,
    /// The file the element is in.
    pub file: String,
    /// The element's line.
    pub line: usize,
    /// The element path, `@name` for an attribute.
    pub element: String,
    /// Why, and what to do instead.
    pub reason: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            FindingKind::Unmapped => "unmapped",
            FindingKind::Note => "note",
        };
        write!(
            f,
            "{kind}: {}:{}: {}: {}",
            self.file, self.line, self.element, self.reason
        )
    }
}
