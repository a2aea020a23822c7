//! The state of one import: options, the loader, the output so far and
//! the findings; and [`Node`], an element with the file and path it is
//! reported under.

use crate::import::error::ImportError;
use crate::import::load::{Doc, Loader};
use crate::import::options::Options;
use crate::import::out::Imported;
use crate::import::report::{Finding, FindingKind};
use crate::import::xml::Element;
use std::collections::{BTreeMap, BTreeSet};

/// Tokens BlazeDS fills in per request (or from the servlet context):
/// never an unresolved-token finding.
const REQUEST_TOKENS: [&str; 4] = ["server.name", "server.port", "context.root", "context-root"];

/// A security constraint: who may use what it guards.
#[derive(Debug, Clone)]
pub(crate) struct Constraint {
    /// `None`: any logged-in user (no `<roles>`).
    pub(crate) roles: Option<Vec<String>>,
}

/// `name[id]` when the element has an id or ref, else `name`.
fn name_with_id(el: &Element) -> String {
    match el.attribute("id").or_else(|| el.attribute("ref")) {
        Some(id) => format!("{}[{id}]", el.name),
        None => el.name.clone(),
    }
}

/// An element in its file, with its path for messages.
#[derive(Clone)]
pub(crate) struct Node<'a> {
    pub(crate) file: &'a str,
    pub(crate) el: &'a Element,
    pub(crate) path: String,
}

impl<'a> Node<'a> {
    /// The root element of `doc`.
    pub(crate) fn root(doc: &'a Doc) -> Node<'a> {
        Node {
            file: &doc.file,
            el: &doc.root,
            path: name_with_id(&doc.root),
        }
    }

    /// A child of this element (`name[id]` when it has an id or ref).
    pub(crate) fn sub(&self, el: &'a Element) -> Node<'a> {
        let path = format!("{}/{}", self.path, name_with_id(el));
        Node {
            file: self.file,
            el,
            path,
        }
    }

    /// The first child element `name`.
    pub(crate) fn child(&self, name: &str) -> Option<Node<'a>> {
        self.el.child(name).map(|c| self.sub(c))
    }

    /// Every child element.
    pub(crate) fn children(&self) -> Vec<Node<'a>> {
        self.el.children.iter().map(|c| self.sub(c)).collect()
    }

    /// The path of attribute `name`.
    pub(crate) fn attribute_path(&self, name: &str) -> String {
        format!("{}/@{name}", self.path)
    }

    /// An [`ImportError::Invalid`] about this element.
    pub(crate) fn invalid(&self, message: impl Into<String>) -> ImportError {
        ImportError::Invalid {
            path: self.file.to_owned(),
            line: self.el.line,
            element: self.path.clone(),
            message: message.into(),
        }
    }

    /// BlazeDS's `getAttributeOrChildElement`, required.
    pub(crate) fn required(&self, name: &str) -> Result<&'a str, ImportError> {
        self.el
            .attribute_or_child(name)
            .ok_or_else(|| self.invalid(format!("needs `{name}`")))
    }
}

/// One import in progress.
pub(crate) struct Ctx<'o> {
    pub(crate) options: &'o Options,
    pub(crate) loader: Loader,
    pub(crate) out: Imported,
    pub(crate) findings: Vec<Finding>,
    /// Channels defined in the XML but not written (unsupported kinds).
    pub(crate) dropped_channels: BTreeSet<String>,
    /// `<security-constraint id>` definitions.
    pub(crate) constraints: BTreeMap<String, Constraint>,
    /// Whether an endpoint URL held `{context.root}`.
    pub(crate) context_root_replaced: bool,
}

impl<'o> Ctx<'o> {
    /// A fresh import.
    pub(crate) fn new(options: &'o Options) -> Ctx<'o> {
        Ctx {
            options,
            loader: Loader::default(),
            out: Imported::default(),
            findings: Vec::new(),
            dropped_channels: BTreeSet::new(),
            constraints: BTreeMap::new(),
            context_root_replaced: false,
        }
    }

    fn finding(&mut self, kind: FindingKind, node: &Node<'_>, element: String, reason: String) {
        self.findings.push(Finding {
            kind,
            file: node.file.to_owned(),
            line: node.el.line,
            element,
            reason,
        });
    }

    /// `node` has no flexgate counterpart.
    pub(crate) fn unmapped(&mut self, node: &Node<'_>, reason: impl Into<String>) {
        self.finding(
            FindingKind::Unmapped,
            node,
            node.path.clone(),
            reason.into(),
        );
    }

    /// Attribute `name` of `node` has no flexgate counterpart.
    pub(crate) fn unmapped_attribute(&mut self, node: &Node<'_>, name: &str, reason: &str) {
        let path = node.attribute_path(name);
        self.finding(FindingKind::Unmapped, node, path, reason.to_owned());
    }

    /// Something the operator should know about a mapped `node`.
    pub(crate) fn note(&mut self, node: &Node<'_>, reason: impl Into<String>) {
        self.finding(FindingKind::Note, node, node.path.clone(), reason.into());
    }

    /// Reports every attribute of `node` not in `known`.
    pub(crate) fn other_attributes(&mut self, node: &Node<'_>, known: &[&str]) {
        for (name, _) in &node.el.attributes {
            if !known.contains(&name.as_str()) {
                self.unmapped_attribute(node, name, "no flexgate setting");
            }
        }
    }

    /// The text of `node` (or `raw`), trimmed, with `{name}` tokens from
    /// `--token` filled in. A token with no value makes the value unusable:
    /// reported, `None`.
    pub(crate) fn value(&mut self, node: &Node<'_>, raw: &str) -> Option<String> {
        let mut out = String::new();
        let mut rest = raw.trim();
        while let Some(open) = rest.find('{') {
            let Some(len) = rest[open..].find('}') else {
                break;
            };
            let name = &rest[open + 1..open + len];
            out.push_str(&rest[..open]);
            match self.options.tokens.get(name) {
                Some(v) => out.push_str(v),
                None if REQUEST_TOKENS.contains(&name) => out.push_str(&rest[open..=open + len]),
                None => {
                    self.unmapped(
                        node,
                        format!(
                            "token {{{name}}} has no value (give it with --token {name}=VALUE)"
                        ),
                    );
                    return None;
                }
            }
            rest = &rest[open + len + 1..];
        }
        out.push_str(rest);
        Some(out)
    }

    /// The text of `node` as a whole number (`None`: an unresolved token).
    pub(crate) fn number(&mut self, node: &Node<'_>) -> Result<Option<i64>, ImportError> {
        let Some(v) = self.value(node, &node.el.text) else {
            return Ok(None);
        };
        v.parse()
            .map(Some)
            .map_err(|_| node.invalid(format!("'{v}' is not a whole number")))
    }

    /// The text of `node` as a boolean, as Java's `Boolean.valueOf` reads
    /// it: `true` in any case, anything else false.
    pub(crate) fn boolean(&mut self, node: &Node<'_>) -> Option<bool> {
        self.value(node, &node.el.text)
            .map(|v| v.eq_ignore_ascii_case("true"))
    }

    /// Reads the files an include element names (`file-path` or
    /// `directory-path`); each root must be `plural` or `singular`.
    pub(crate) fn include(
        &mut self,
        node: &Node<'_>,
        plural: &str,
        singular: &str,
    ) -> Result<Vec<Doc>, ImportError> {
        let by = format!("{}:{}: {}", node.file, node.el.line, node.path);
        let docs = if let Some(file) = node.el.attribute_or_child("file-path") {
            self.loader.include_file(node.file, file, &by)?
        } else if let Some(dir) = node.el.attribute_or_child("directory-path") {
            self.loader.include_directory(node.file, dir, &by)?
        } else {
            return Err(node.invalid("needs `file-path` or `directory-path`"));
        };
        for doc in &docs {
            if doc.root.name != plural && doc.root.name != singular {
                return Err(ImportError::Root {
                    path: doc.file.clone(),
                    found: doc.root.name.clone(),
                    expected: format!("<{plural}> or <{singular}>"),
                });
            }
        }
        Ok(docs)
    }
}

/// The elements an included document holds: the children `singular` of a
/// `plural` root (others are reported), or the root itself.
pub(crate) fn included<'a>(ctx: &mut Ctx<'_>, doc: &'a Doc, singular: &str) -> Vec<Node<'a>> {
    let root = Node::root(doc);
    if doc.root.name == singular {
        return vec![root];
    }
    ctx.other_attributes(&root, &[]);
    let mut found = Vec::new();
    for c in root.children() {
        if c.el.name == singular {
            found.push(c);
        } else {
            ctx.unmapped(&c, "not read in an included file");
        }
    }
    found
}
