//! Test support: the checked examples of docs/backends.md, each after a
//! `<!-- checked: NAME -->` line (a fenced block or a table).

/// The page, as the tests read it.
pub(crate) const BACKENDS_DOC: &str = include_str!("../../../docs/backends.md");

/// The fenced code block after the `NAME` marker.
pub(crate) fn block(name: &str) -> &'static str {
    let rest = after_marker(name);
    let start = rest.find("```").expect("a fenced block after the marker");
    let body = &rest[start + 3..];
    let body = &body[body.find('\n').expect("fence line") + 1..];
    &body[..body.find("```").expect("a closing fence")]
}

/// The rows of the table after the `NAME` marker (header and rule left
/// out), each as its cells: code spans unwrapped, other text trimmed.
pub(crate) fn table(name: &str) -> Vec<Vec<&'static str>> {
    after_marker(name)
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .map(|l| {
            let inner = l.trim().trim_start_matches('|').trim_end_matches('|');
            inner.split('|').map(cell).collect()
        })
        .collect()
}

fn after_marker(name: &str) -> &'static str {
    let marker = format!("<!-- checked: {name} -->");
    let at = BACKENDS_DOC
        .find(&marker)
        .unwrap_or_else(|| panic!("docs/backends.md has no {marker}"));
    &BACKENDS_DOC[at + marker.len()..]
}

/// A cell's code, or its text when it has no code span.
fn cell(text: &'static str) -> &'static str {
    let t = text.trim();
    match (t.find('`'), t.rfind('`')) {
        (Some(a), Some(b)) if a < b && t.starts_with('`') && t.ends_with('`') => &t[a + 1..b],
        _ => t,
    }
}
