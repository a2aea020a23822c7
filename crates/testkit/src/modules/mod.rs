//! Structure checks on a crate's source: its modules form no import
//! cycle, and no source file is over the size where it stops having one
//! job.
//!
//! Read from the source text: every path a file names (`use` trees and
//! paths in code, `crate::`, `super::`, `self::` and its own child modules)
//! is resolved to the longest module it starts with; an edge runs from the
//! file's module to that one. Test modules (`#[cfg(test)] mod tests`) are
//! left out: they may use anything.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

mod scan;

use scan::{code_of, paths, tokens};

/// Lines a source file may have.
pub const MAX_LINES: usize = 450;

/// Module path (`""` is the crate root) to the modules it imports from.
pub type Graph = BTreeMap<String, BTreeSet<String>>;

/// One crate's source tree and what its checks let pass.
#[derive(Debug, Clone)]
pub struct Crate {
    src: PathBuf,
    exempt: Vec<String>,
    allowed_cycles: Vec<BTreeSet<String>>,
}

impl Crate {
    /// The crate whose `src/` is `src`. Its root is `lib.rs`, else
    /// `main.rs` (a `main.rs` beside a `lib.rs` is a crate of its own).
    pub fn new(src: impl Into<PathBuf>) -> Crate {
        Crate {
            src: src.into(),
            exempt: Vec::new(),
            allowed_cycles: Vec::new(),
        }
    }

    /// Leaves `module` and its children out of both checks (a module on
    /// its way out of the crate).
    pub fn exempt(mut self, module: &str) -> Crate {
        self.exempt.push(module.to_owned());
        self
    }

    /// Allows the import cycle made of exactly these modules.
    pub fn allow_cycle(mut self, modules: &[&str]) -> Crate {
        self.allowed_cycles
            .push(modules.iter().map(|m| (*m).to_owned()).collect());
        self
    }

    /// Every source file of the crate with its module path.
    pub fn modules(&self) -> std::io::Result<BTreeMap<String, PathBuf>> {
        let has_lib = self.src.join("lib.rs").is_file();
        let mut out = BTreeMap::new();
        let mut dirs = vec![self.src.clone()];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir)? {
                let path = entry?.path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                if path.extension().is_none_or(|e| e != "rs") {
                    continue;
                }
                let Ok(rel) = path.strip_prefix(&self.src) else {
                    continue;
                };
                let mut parts: Vec<String> = rel
                    .iter()
                    .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
                    .collect();
                if has_lib && parts == ["main"] {
                    continue;
                }
                if parts.last().is_some_and(|l| l == "mod" || l == "lib") || parts == ["main"] {
                    parts.pop();
                }
                let module = parts.join("::");
                if !self.is_exempt(&module) {
                    out.insert(module, path);
                }
            }
        }
        Ok(out)
    }

    fn is_exempt(&self, module: &str) -> bool {
        self.exempt
            .iter()
            .any(|e| module == e || module.starts_with(&format!("{e}::")))
    }

    /// The import graph between the crate's modules.
    pub fn graph(&self) -> std::io::Result<Graph> {
        let known = self.modules()?;
        let mut edges = BTreeMap::new();
        for (module, file) in &known {
            let text = std::fs::read_to_string(file)?;
            let (paths, children) = paths(&tokens(&code_of(&text)));
            let targets: BTreeSet<String> = paths
                .iter()
                .filter_map(|p| resolve(module, &children, p, &known))
                .filter(|t| t != module)
                .collect();
            edges.insert(module.clone(), targets);
        }
        Ok(edges)
    }

    /// The import cycles not allowed, each described by its back edges
    /// (`a -> b, b -> a`). Empty when the crate is clean.
    pub fn cycle_report(&self) -> std::io::Result<Vec<String>> {
        let edges = self.graph()?;
        Ok(cycles(&edges)
            .into_iter()
            .filter(|c| {
                let set: BTreeSet<String> = c.iter().cloned().collect();
                !self.allowed_cycles.contains(&set)
            })
            .map(|c| describe(&edges, &c))
            .collect())
    }

    /// The source files over `max` lines, as `module (n lines)`.
    pub fn long_files(&self, max: usize) -> std::io::Result<Vec<String>> {
        let mut long = Vec::new();
        for (module, file) in self.modules()? {
            let lines = std::fs::read_to_string(&file)?.lines().count();
            if lines > max {
                long.push(format!("{} ({lines} lines)", name(&module)));
            }
        }
        Ok(long)
    }
}

/// The module a path names, from inside `module`; `None` for paths outside
/// the crate (other crates, local items).
pub(crate) fn resolve(
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

/// Strongly connected components with more than one module (Tarjan; the
/// recursion is as deep as the crate has modules).
pub fn cycles(edges: &Graph) -> Vec<Vec<String>> {
    struct Walk<'a> {
        edges: &'a Graph,
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
                let seen = self.index.get(w).copied();
                let reach = match seen {
                    None => {
                        self.visit(w);
                        self.low.get(w).copied()
                    }
                    Some(iw) if self.on_stack.contains(w) => Some(iw),
                    Some(_) => None,
                };
                if let (Some(r), Some(lv)) = (reach, self.low.get_mut(v)) {
                    *lv = (*lv).min(r);
                }
            }
            if self.low.get(v) == self.index.get(v) {
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

/// A cycle as its edges between members.
fn describe(edges: &Graph, cycle: &[String]) -> String {
    let members: BTreeSet<&str> = cycle.iter().map(String::as_str).collect();
    let back: Vec<String> = cycle
        .iter()
        .flat_map(|m| {
            edges
                .get(m)
                .into_iter()
                .flatten()
                .filter(|t| members.contains(t.as_str()))
                .map(move |t| format!("{} -> {}", name(m), name(t)))
        })
        .collect();
    format!("{} modules: {}", cycle.len(), back.join(", "))
}

fn name(m: &str) -> &str {
    if m.is_empty() {
        "crate"
    } else {
        m
    }
}

impl Crate {
    /// Both checks: every import cycle not allowed and every file over
    /// [`MAX_LINES`], each as one line naming the crate's `src/`. An
    /// unreadable or empty tree is a problem too.
    pub fn problems(&self) -> Vec<String> {
        let at = self.src.display();
        match (
            self.modules(),
            self.cycle_report(),
            self.long_files(MAX_LINES),
        ) {
            (Ok(m), _, _) if m.is_empty() => vec![format!("{at}: no sources")],
            (Ok(_), Ok(cycles), Ok(long)) => cycles
                .into_iter()
                .map(|c| format!("{at}: import cycle of {c}"))
                .chain(
                    long.into_iter()
                        .map(|l| format!("{at}: over {MAX_LINES} lines: {l}")),
                )
                .collect(),
            (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => vec![format!("{at}: {e}")],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checker_finds_a_cycle() {
        let edges = BTreeMap::from([
            ("a".to_owned(), BTreeSet::from(["b".to_owned()])),
            ("b".to_owned(), BTreeSet::from(["c".to_owned()])),
            ("c".to_owned(), BTreeSet::from(["a".to_owned()])),
            ("d".to_owned(), BTreeSet::from(["a".to_owned()])),
        ]);
        assert_eq!(cycles(&edges), [["a", "b", "c"]]);
        assert_eq!(
            describe(&edges, &cycles(&edges)[0]),
            "3 modules: a -> b, b -> c, c -> a"
        );
    }

    #[test]
    fn paths_resolve_to_the_longest_module() {
        let known = BTreeMap::from([
            ("x".to_owned(), PathBuf::new()),
            ("x::y".to_owned(), PathBuf::new()),
            ("z".to_owned(), PathBuf::new()),
        ]);
        let code = "use crate::{z::Thing, x::y::{self, F as G}};\nmod y;\n\
                    fn f() { y::go(); super::z::h(); other::q(); }\n\
                    macro_rules! m { () => { $crate::w::f() } }\n\
                    // crate::w in a comment\nconst S: &str = \"crate::w\";";
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
    fn a_crate_with_a_loop_and_a_long_file_is_reported() {
        let dir = std::env::temp_dir().join(format!("testkit-modules-{}", std::process::id()));
        let src = dir.join("src");
        std::fs::create_dir_all(src.join("b")).expect("scratch dir");
        std::fs::write(src.join("lib.rs"), "mod a;\nmod b;\nmod c;\n").expect("write");
        std::fs::write(src.join("a.rs"), "use crate::b::Thing;\n").expect("write");
        std::fs::write(
            src.join("b/mod.rs"),
            "pub(crate) fn f() { super::a::g() }\n",
        )
        .expect("write");
        std::fs::write(src.join("c.rs"), "\n".repeat(MAX_LINES + 1)).expect("write");
        let krate = Crate::new(&src);
        let cycles = krate.cycle_report().expect("readable");
        let long = krate.long_files(MAX_LINES).expect("readable");
        let problems = krate.problems();
        let allowed = krate.clone().allow_cycle(&["a", "b"]).exempt("c");
        let (allowed_cycles, exempt_long) = (
            allowed.cycle_report().expect("readable"),
            allowed.long_files(MAX_LINES).expect("readable"),
        );
        assert!(allowed.problems().is_empty());
        std::fs::remove_dir_all(&dir).expect("cleanup");
        assert_eq!(cycles, ["2 modules: a -> b, b -> a"]);
        assert_eq!(long, [format!("c ({} lines)", MAX_LINES + 1)]);
        assert!(allowed_cycles.is_empty() && exempt_long.is_empty());
        assert_eq!(problems.len(), 2, "{problems:?}");
    }
}
