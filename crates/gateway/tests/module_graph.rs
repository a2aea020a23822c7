//! The gateway's modules form no import cycle, and no source file is over
//! the size where it stops having one job.
//!
//! Read from the source text: every path a file names (`use` trees and
//! paths in code, `crate::`, `super::`, `self::` and its own child modules)
//! is resolved to the longest module it starts with; an edge runs from the
//! file's module to that one. Test modules (`#[cfg(test)] mod tests`) are
//! left out: they may use anything.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Modules leaving the crate (`flexgate inspect`): exempt from both rules.
const LEAVING: &[&str] = &["inspect"];
/// Lines a source file may have.
const MAX_LINES: usize = 450;

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every library source file with its module path (`""` is the crate root).
fn modules() -> BTreeMap<String, PathBuf> {
    let root = src_dir();
    let mut out = BTreeMap::new();
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("src is readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(&root).expect("under src");
            let mut parts: Vec<String> = rel
                .iter()
                .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
                .collect();
            if parts == ["main"] {
                continue; // the binary is its own crate
            }
            if parts.last().is_some_and(|l| l == "mod" || l == "lib") {
                parts.pop();
            }
            let module = parts.join("::");
            let leaving = LEAVING
                .iter()
                .any(|l| module == *l || module.starts_with(&format!("{l}::")));
            if !leaving {
                out.insert(module, path);
            }
        }
    }
    out
}

/// The source without comments, string/char literals and the test module.
fn code_of(text: &str) -> String {
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

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Ident(String),
    Path, // `::`
    Open,
    Close,
    Comma,
    Semi,
    Other,
}

fn tokens(code: &str) -> Vec<Tok> {
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

/// Expands the use tree starting at `toks[*i]` into full paths.
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

/// Every path the code names that starts with an identifier.
fn paths(toks: &[Tok]) -> (Vec<Vec<String>>, BTreeSet<String>) {
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

/// The module a path names, from inside `module`; `None` for paths outside
/// the crate (other crates, local items).
fn resolve(
    module: &str,
    children: &BTreeSet<String>,
    path: &[String],
    known: &BTreeMap<String, PathBuf>,
) -> Option<String> {
    let mut base: Vec<&str> = module.split("::").filter(|s| !s.is_empty()).collect();
    let mut rest = path;
    match rest.first().map(String::as_str) {
        Some("crate") => {
            base.clear();
            rest = &rest[1..];
        }
        Some("self") => rest = &rest[1..],
        Some("super") => {
            while rest.first().is_some_and(|s| s == "super") {
                base.pop()?;
                rest = &rest[1..];
            }
        }
        Some(first) if children.contains(first) => {}
        _ => return None,
    }
    let mut full: Vec<&str> = base;
    let mut best = full.join("::");
    for seg in rest {
        full.push(seg);
        let candidate = full.join("::");
        if known.contains_key(&candidate) {
            best = candidate;
        }
    }
    Some(best)
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let known = modules();
    let mut edges = BTreeMap::new();
    for (module, file) in &known {
        let text = std::fs::read_to_string(file).expect("source is readable");
        let (paths, children) = paths(&tokens(&code_of(&text)));
        let targets: BTreeSet<String> = paths
            .iter()
            .filter_map(|p| resolve(module, &children, p, &known))
            .filter(|t| t != module)
            .collect();
        edges.insert(module.clone(), targets);
    }
    edges
}

/// Strongly connected components with more than one module (Tarjan).
fn cycles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct Walk<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        found: Vec<Vec<String>>,
    }
    impl<'a> Walk<'a> {
        fn visit(&mut self, v: &'a str) {
            let n = self.index.len();
            self.index.insert(v, n);
            self.low.insert(v, n);
            self.stack.push(v);
            self.on_stack.insert(v);
            for w in self.edges.get(v).into_iter().flatten() {
                let w = w.as_str();
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let lw = self.low[w];
                    let lv = self.low.get_mut(v).expect("visited");
                    *lv = (*lv).min(lw);
                } else if self.on_stack.contains(w) {
                    let iw = self.index[w];
                    let lv = self.low.get_mut(v).expect("visited");
                    *lv = (*lv).min(iw);
                }
            }
            if self.low[v] == self.index[v] {
                let mut component = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack.remove(w);
                    component.push(w.to_owned());
                    if w == v {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    self.found.push(component);
                }
            }
        }
    }
    let mut walk = Walk {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for v in edges.keys() {
        if !walk.index.contains_key(v.as_str()) {
            walk.visit(v);
        }
    }
    walk.found
}

fn name(m: &str) -> &str {
    if m.is_empty() {
        "crate"
    } else {
        m
    }
}

#[test]
fn the_checker_finds_a_cycle() {
    let edges = BTreeMap::from([
        ("a".to_owned(), BTreeSet::from(["b".to_owned()])),
        ("b".to_owned(), BTreeSet::from(["c".to_owned()])),
        ("c".to_owned(), BTreeSet::from(["a".to_owned()])),
        ("d".to_owned(), BTreeSet::from(["a".to_owned()])),
    ]);
    assert_eq!(cycles(&edges), [["a", "b", "c"]]);
    let known = BTreeMap::from([
        ("x".to_owned(), PathBuf::new()),
        ("x::y".to_owned(), PathBuf::new()),
        ("z".to_owned(), PathBuf::new()),
    ]);
    let code =
        "use crate::{z::Thing, x::y::{self, F as G}};\nmod y;\nfn f() { y::go(); super::z::h(); }";
    let (found, children) = paths(&tokens(&code_of(code)));
    let mut targets: Vec<_> = found
        .iter()
        .filter_map(|p| resolve("x", &children, p, &known))
        .collect();
    targets.sort();
    targets.dedup();
    assert_eq!(targets, ["x::y", "z"]);
}

#[test]
fn no_import_cycle_between_modules() {
    let edges = graph();
    assert!(edges.contains_key("flex") || edges.contains_key("endpoint"));
    let found = cycles(&edges);
    let report: Vec<String> = found
        .iter()
        .map(|c| {
            let members: BTreeSet<&str> = c.iter().map(String::as_str).collect();
            let back: Vec<String> = c
                .iter()
                .flat_map(|m| {
                    edges[m]
                        .iter()
                        .filter(|t| members.contains(t.as_str()))
                        .map(move |t| format!("{} -> {}", name(m), name(t)))
                })
                .collect();
            format!("{} modules: {}", c.len(), back.join(", "))
        })
        .collect();
    assert!(found.is_empty(), "import cycles:\n{}", report.join("\n"));
}

#[test]
fn no_source_file_is_over_the_limit() {
    let long: Vec<String> = modules()
        .into_iter()
        .filter_map(|(m, file)| {
            let lines = std::fs::read_to_string(&file)
                .expect("readable")
                .lines()
                .count();
            (lines > MAX_LINES).then(|| format!("{} ({lines} lines)", name(&m)))
        })
        .collect();
    assert!(long.is_empty(), "over {MAX_LINES} lines: {long:?}");
}
