//! Composite values starting: their frame, slot and hex dump line, and how
//! their traits departed from the reference rule.

use super::frame::Frame;
use super::recorder::Recorder;
use super::traits_key::TraitsKey;
use crate::keys as k;
use flexgate_amf::trace::{Composite, RefKind, Span, TraitsRef};
use flexgate_amf::Table;
use serde_json::{Map, Value as Json};

impl Recorder {
    /// How the traits departed from the reference rule, if they did:
    /// `"inline"` again, or a reference to another than the first slot.
    fn unusual_traits(&mut self, key: TraitsKey, by: TraitsRef) -> Option<Json> {
        match by {
            TraitsRef::Inline(index) => match self.first_traits.get(&key) {
                Some(_) => Some(k::INLINE.into()),
                None => {
                    self.first_traits.insert(key, index);
                    None
                }
            },
            TraitsRef::Reference(index) => {
                (self.first_traits.get(&key) != Some(&index)).then(|| index.into())
            }
        }
    }

    pub(super) fn begin(&mut self, span: Span, composite: Composite<'_>) {
        let (frame, slot, kind, text) = match composite {
            Composite::Avmplus => (
                Frame::Avmplus(None),
                None,
                None,
                "avmplus: switch to AMF3".to_owned(),
            ),
            Composite::Amf0Object { class, slot } => {
                let mut head = Map::new();
                if let Some(c) = class {
                    head.insert(k::CLASS.into(), c.into());
                }
                let text = class.map_or_else(|| "object".into(), |c| format!("typed object {c:?}"));
                let frame = Frame::Members {
                    head,
                    key: k::MEMBERS,
                    count: None,
                    members: Default::default(),
                };
                (frame, Some((Table::Amf0Object, slot)), None, text)
            }
            Composite::EcmaArray { count, slot } => {
                let frame = Frame::Members {
                    head: Map::new(),
                    key: k::ECMA,
                    count: Some(count),
                    members: Default::default(),
                };
                (
                    frame,
                    Some((Table::Amf0Object, slot)),
                    None,
                    format!("ECMA array, count {count}"),
                )
            }
            Composite::StrictArray { len, slot } => {
                let frame = Frame::Items {
                    items: Vec::new(),
                    tail: None,
                };
                (
                    frame,
                    Some((Table::Amf0Object, slot)),
                    None,
                    format!("strict array of {len}"),
                )
            }
            Composite::Array { dense, slot } => {
                let frame = Frame::Array {
                    assoc: Default::default(),
                    dense: None,
                };
                (
                    frame,
                    Some((Table::Object, slot)),
                    Some(RefKind::Array),
                    format!("array, {dense} dense"),
                )
            }
            Composite::Object { traits, by, slot } => {
                let names: Vec<String> = traits.sealed.iter().map(|s| s.to_string()).collect();
                let key =
                    TraitsKey::Object(traits.class.to_string(), names.clone(), traits.dynamic);
                let mut head = Map::new();
                if !traits.class.is_empty() {
                    head.insert(k::CLASS.into(), traits.class.as_str().into());
                }
                if let Some(u) = self.unusual_traits(key, by) {
                    head.insert(k::TRAITS.into(), u);
                }
                let class = if traits.class.is_empty() {
                    "anonymous".to_owned()
                } else {
                    format!("{:?}", traits.class)
                };
                let dynamic = if traits.dynamic { ", dynamic" } else { "" };
                let text = format!("object {class}, {} sealed{dynamic}", names.len());
                (
                    Frame::object(head, names, traits.dynamic),
                    Some((Table::Object, slot)),
                    Some(RefKind::Object),
                    text,
                )
            }
            Composite::External { class, by, slot } => {
                let mut head = Map::new();
                head.insert(k::CLASS.into(), class.into());
                if let Some(u) = self.unusual_traits(TraitsKey::External(class.to_owned()), by) {
                    head.insert(k::TRAITS.into(), u);
                }
                let frame = Frame::External {
                    head,
                    body: Map::new(),
                    level: None,
                    field: None,
                };
                (
                    frame,
                    Some((Table::Object, slot)),
                    Some(RefKind::Object),
                    format!("externalizable object {class:?}"),
                )
            }
            Composite::ObjectVector {
                len,
                fixed,
                type_name,
                slot,
            } => {
                let mut tail = Map::new();
                tail.insert(k::TYPE.into(), type_name.into());
                if fixed {
                    tail.insert(k::FIXED.into(), true.into());
                }
                let frame = Frame::Items {
                    items: Vec::new(),
                    tail: Some(tail),
                };
                let text = format!("vector of {len} {type_name:?}");
                (
                    frame,
                    Some((Table::Object, slot)),
                    Some(RefKind::VectorObject),
                    text,
                )
            }
            Composite::Dictionary {
                len,
                weak_keys,
                slot,
            } => {
                let frame = Frame::Dictionary {
                    entries: Vec::new(),
                    key: None,
                    weak: weak_keys,
                };
                (
                    frame,
                    Some((Table::Object, slot)),
                    Some(RefKind::Dictionary),
                    format!("dictionary of {len}"),
                )
            }
        };
        self.line(span, || text);
        if let Some((table, index)) = slot {
            self.set_slot(table, index, None, kind);
        }
        self.open_slots.push(slot);
        self.stack.push(frame);
    }
}
