//! A small element tree read with quick-xml, bounded for untrusted files:
//! a depth cap, an element cap, no DOCTYPE (so no entity definitions to
//! expand, external or not) and only the five predefined entities and
//! character references.

use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::Reader;

/// How much of a document is read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct XmlLimits {
    /// Deepest element nesting.
    pub(crate) max_depth: usize,
    /// Elements in one document.
    pub(crate) max_elements: usize,
}

/// One element: its name, attributes, child elements and text.
#[derive(Debug, Clone)]
pub(crate) struct Element {
    pub(crate) name: String,
    pub(crate) attributes: Vec<(String, String)>,
    pub(crate) children: Vec<Element>,
    /// Text and CDATA directly inside, concatenated.
    pub(crate) text: String,
    /// 1-based line of the start tag.
    pub(crate) line: usize,
}

impl Element {
    /// The attribute `name`.
    pub(crate) fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first child element `name`.
    pub(crate) fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// What BlazeDS's `getAttributeOrChildElement` reads: the attribute
    /// `name`, else the text of the child element `name`, trimmed.
    pub(crate) fn attribute_or_child(&self, name: &str) -> Option<&str> {
        self.attribute(name)
            .or_else(|| self.child(name).map(|c| c.text.as_str()))
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }
}

/// A document that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum XmlError {
    /// Not well-formed XML.
    #[error("line {line}: {message}")]
    Syntax {
        /// Where.
        line: usize,
        /// What quick-xml said.
        message: String,
    },
    /// A `<!DOCTYPE>`: refused, as its entity definitions could expand.
    #[error("line {line}: a DOCTYPE is not accepted (services-config.xml needs none)")]
    DocType {
        /// Where.
        line: usize,
    },
    /// An entity other than the five XML predefines.
    #[error("line {line}: unknown entity &{name};")]
    Entity {
        /// Where.
        line: usize,
        /// The entity name.
        name: String,
    },
    /// Nesting deeper than the limit.
    #[error("line {line}: elements nested deeper than {max}")]
    TooDeep {
        /// Where.
        line: usize,
        /// The limit.
        max: usize,
    },
    /// More elements than the limit.
    #[error("line {line}: more than {max} elements")]
    TooManyElements {
        /// Where.
        line: usize,
        /// The limit.
        max: usize,
    },
    /// No root element, or text or a second element after it.
    #[error("the document must hold exactly one root element")]
    Root,
}

/// Counts lines up to a byte offset, moving forward only.
struct Lines<'a> {
    text: &'a str,
    offset: usize,
    line: usize,
}

impl Lines<'_> {
    fn at(&mut self, offset: u64) -> usize {
        let offset = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        if offset > self.offset {
            let skipped = self.text.as_bytes().get(self.offset..offset).unwrap_or(&[]);
            self.line += skipped.iter().filter(|b| **b == b'\n').count();
            self.offset = offset;
        }
        self.line
    }
}

/// Parses `text` into its root element.
pub(crate) fn parse(text: &str, limits: XmlLimits) -> Result<Element, XmlError> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut lines = Lines {
        text,
        offset: 0,
        line: 1,
    };
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut count = 0usize;
    loop {
        let start = reader.buffer_position();
        let event = reader.read_event().map_err(|e| XmlError::Syntax {
            line: lines.at(reader.error_position()),
            message: e.to_string(),
        })?;
        let line = lines.at(start);
        match event {
            Event::Start(_) | Event::Empty(_) if root.is_some() => return Err(XmlError::Root),
            Event::Start(tag) => {
                count += 1;
                if count > limits.max_elements {
                    return Err(XmlError::TooManyElements {
                        line,
                        max: limits.max_elements,
                    });
                }
                if stack.len() >= limits.max_depth {
                    return Err(XmlError::TooDeep {
                        line,
                        max: limits.max_depth,
                    });
                }
                stack.push(element(&tag, line)?);
            }
            Event::Empty(tag) => {
                count += 1;
                if count > limits.max_elements {
                    return Err(XmlError::TooManyElements {
                        line,
                        max: limits.max_elements,
                    });
                }
                let el = element(&tag, line)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::End(_) => {
                // check_end_names guarantees a matching open element.
                let Some(done) = stack.pop() else {
                    return Err(XmlError::Root);
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => root = Some(done),
                }
            }
            Event::Text(t) => push_text(&mut stack, &t.xml10_content(), line)?,
            Event::CData(t) => push_text(&mut stack, &t.xml10_content(), line)?,
            Event::GeneralRef(r) => {
                let resolved = resolve(&r, line)?;
                push_text(&mut stack, &resolved, line)?;
            }
            Event::DocType(_) => return Err(XmlError::DocType { line }),
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(XmlError::Syntax {
            line: lines.at(u64::MAX),
            message: "unclosed element at the end of the file".into(),
        });
    }
    root.ok_or(XmlError::Root)
}

/// Text goes to the open element; outside the root only whitespace may be.
fn push_text(stack: &mut [Element], text: &str, line: usize) -> Result<(), XmlError> {
    match stack.last_mut() {
        Some(el) => {
            el.text.push_str(text);
            Ok(())
        }
        None if text.trim().is_empty() => Ok(()),
        None => Err(XmlError::Syntax {
            line,
            message: "text outside the root element".into(),
        }),
    }
}

/// `&amp;`-style and `&#65;`-style references.
fn resolve(r: &BytesRef<'_>, line: usize) -> Result<String, XmlError> {
    let name = r.xml10_content();
    if r.is_char_ref() {
        return match r.resolve_char_ref() {
            Ok(Some(c)) => Ok(c.to_string()),
            _ => Err(XmlError::Entity {
                line,
                name: name.into_owned(),
            }),
        };
    }
    quick_xml::escape::resolve_predefined_entity(&name)
        .map(str::to_owned)
        .ok_or_else(|| XmlError::Entity {
            line,
            name: name.into_owned(),
        })
}

fn element(tag: &BytesStart<'_>, line: usize) -> Result<Element, XmlError> {
    let mut attributes = Vec::new();
    for attr in tag.attributes() {
        let attr = attr.map_err(|e| XmlError::Syntax {
            line,
            message: e.to_string(),
        })?;
        let value = attr
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| XmlError::Syntax {
                line,
                message: e.to_string(),
            })?;
        attributes.push((attr.key.as_ref().to_owned(), value.into_owned()));
    }
    Ok(Element {
        name: tag.name().as_ref().to_owned(),
        attributes,
        children: Vec::new(),
        text: String::new(),
        line,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: XmlLimits = XmlLimits {
        max_depth: 8,
        max_elements: 50,
    };

    #[test]
    fn reads_attributes_children_text_and_lines() {
        let root = parse(
            "<?xml version=\"1.0\"?>\n<a x=\"1 &amp; 2\">\n  <b>t&lt;&#65;</b><c/>\n</a>\n",
            LIMITS,
        )
        .expect("parses");
        assert_eq!(root.attribute("x"), Some("1 & 2"));
        assert_eq!(root.line, 2);
        let b = root.child("b").expect("b");
        assert_eq!((b.text.as_str(), b.line), ("t<A", 3));
        assert_eq!(root.attribute_or_child("b"), Some("t<A"));
        assert!(root.child("c").is_some());
    }

    #[test]
    fn refuses_doctype_unknown_entities_depth_and_count() {
        let doctype = "<!DOCTYPE a [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><a>&e;</a>";
        assert!(matches!(
            parse(doctype, LIMITS),
            Err(XmlError::DocType { .. })
        ));
        assert!(matches!(
            parse("<a>&e;</a>", LIMITS),
            Err(XmlError::Entity { .. })
        ));
        let deep = format!("{}{}", "<a>".repeat(9), "</a>".repeat(9));
        assert!(matches!(
            parse(&deep, LIMITS),
            Err(XmlError::TooDeep { .. })
        ));
        let many = format!("<a>{}</a>", "<b/>".repeat(60));
        assert!(matches!(
            parse(&many, LIMITS),
            Err(XmlError::TooManyElements { .. })
        ));
        assert!(matches!(
            parse("<a></b>", LIMITS),
            Err(XmlError::Syntax { .. })
        ));
        assert!(matches!(parse("<a/><b/>", LIMITS), Err(XmlError::Root)));
        assert!(matches!(parse("", LIMITS), Err(XmlError::Root)));
    }
}
