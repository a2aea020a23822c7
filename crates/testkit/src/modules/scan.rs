//! Reading a source file's paths without a parser: strip comments and
//! literals, split into a few token kinds, expand `use` trees.

use std::collections::BTreeSet;

/// The source without comments, string/char literals and the test module.
pub(crate) fn code_of(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => text,
    };
    let b = text.as_bytes();
    let mut out = String::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            i += 2;
            while i + 1 < b.len() && !b[i..].starts_with(b"*/") {
                i += 1;
            }
            i += 2;
        } else if b[i] == b'r' && matches!(b.get(i + 1), Some(b'"' | b'#')) {
            // A raw string: r"..." or r#"..."#.
            let hashes = b[i + 1..].iter().take_while(|&&c| c == b'#').count();
            let close: Vec<u8> = std::iter::once(b'"')
                .chain(std::iter::repeat_n(b'#', hashes))
                .collect();
            i += 2 + hashes;
            while i < b.len() && !b[i..].starts_with(&close) {
                i += 1;
            }
            i += close.len();
            out.push_str("\"\"");
        } else if b[i] == b'\'' && (b.get(i + 1) == Some(&b'\\') || b.get(i + 2) == Some(&b'\'')) {
            // A char literal ('"', '\n'), not a lifetime.
            i += 2;
            while i < b.len() && b[i] != b'\'' {
                i += 1;
            }
            i += 1;
            out.push_str("' '");
        } else if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else {
            out.push(char::from(b[i]));
            i += 1;
        }
    }
    out
}

/// The few tokens path-reading needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tok {
    Ident(String),
    /// `::`
    Path,
    Open,
    Close,
    Comma,
    Semi,
    Other,
}

/// Splits comment- and literal-free code ([`code_of`]) into tokens.
pub(crate) fn tokens(code: &str) -> Vec<Tok> {
    let b = code.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            out.push(Tok::Ident(code[start..i].to_owned()));
            continue;
        }
        if c == b'$' {
            // `$crate::…` in a macro body names the caller's expansion,
            // not an import of this module: drop the metavariable.
            i += 1;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            out.push(Tok::Other);
            continue;
        }
        let tok = match c {
            b':' if b.get(i + 1) == Some(&b':') => {
                i += 1;
                Tok::Path
            }
            b'{' => Tok::Open,
            b'}' => Tok::Close,
            b',' => Tok::Comma,
            b';' => Tok::Semi,
            c if c.is_ascii_whitespace() => {
                i += 1;
                continue;
            }
            _ => Tok::Other,
        };
        out.push(tok);
        i += 1;
    }
    out
}

/// Expands the use tree starting at `toks[*i]` into full paths. Recurses
/// once per brace level of one `use` item in the crate's own source.
fn use_tree(toks: &[Tok], i: &mut usize, prefix: &[String], out: &mut Vec<Vec<String>>) {
    let mut path = prefix.to_vec();
    while *i < toks.len() {
        match &toks[*i] {
            Tok::Ident(s) if s != "as" => {
                path.push(s.clone());
                *i += 1;
            }
            Tok::Ident(_) => {
                // `as alias`: the alias is not a path.
                *i += 2;
            }
            Tok::Path | Tok::Other => *i += 1,
            Tok::Open => {
                *i += 1;
                // A group: each member continues this path.
                while *i < toks.len() && toks[*i] != Tok::Close {
                    use_tree(toks, i, &path, out);
                    if *i < toks.len() && toks[*i] == Tok::Comma {
                        *i += 1;
                    }
                }
                *i += 1;
                return;
            }
            Tok::Close | Tok::Comma | Tok::Semi => break,
        }
    }
    out.push(path);
}

/// Every path the code names that starts with an identifier, and the
/// child modules it declares (`mod x;`).
pub(crate) fn paths(toks: &[Tok]) -> (Vec<Vec<String>>, BTreeSet<String>) {
    let mut out = Vec::new();
    let mut children = BTreeSet::new();
    let mut i = 0;
    while i < toks.len() {
        match &toks[i] {
            Tok::Ident(s) if s == "use" => {
                i += 1;
                use_tree(toks, &mut i, &[], &mut out);
            }
            Tok::Ident(s)
                if s == "mod"
                    && matches!(toks.get(i + 1), Some(Tok::Ident(_)))
                    && toks.get(i + 2) == Some(&Tok::Semi) =>
            {
                if let Some(Tok::Ident(name)) = toks.get(i + 1) {
                    children.insert(name.clone());
                }
                i += 3;
            }
            Tok::Ident(first) if i == 0 || toks[i - 1] != Tok::Path => {
                let mut path = vec![first.clone()];
                i += 1;
                while toks.get(i) == Some(&Tok::Path) {
                    match toks.get(i + 1) {
                        Some(Tok::Ident(next)) => path.push(next.clone()),
                        _ => break,
                    }
                    i += 2;
                }
                if path.len() > 1 {
                    out.push(path);
                }
            }
            _ => i += 1,
        }
    }
    (out, children)
}
