//! The composite values being built while their children are read.

use crate::json::{members_json, tagged};
use crate::keys as k;
use serde_json::{Map, Value as Json};

/// One open composite value.
pub(super) enum Frame {
    /// Behind an avmplus marker: the one AMF3 value.
    Avmplus(Option<Json>),
    /// AMF0 object, typed object or ECMA array: named members.
    Members {
        /// The members before `members` (`class`, `count`).
        head: Map<String, Json>,
        /// `members` or `ecma`.
        key: &'static str,
        /// The ECMA count, kept when it is not the number of entries.
        count: Option<u32>,
        members: Members,
    },
    /// An AMF0 strict array, a `Vector.<Object>`: values in order.
    Items {
        items: Vec<Json>,
        /// For vectors, what follows the items (`type`, `fixed`).
        tail: Option<Map<String, Json>>,
    },
    /// An AMF3 array: associative members, then dense values.
    Array {
        assoc: Members,
        dense: Option<Vec<Json>>,
    },
    /// An AMF3 object: sealed values in traits order, then dynamic members.
    Object {
        head: Map<String, Json>,
        names: Vec<String>,
        sealed: Vec<(String, Json)>,
        dynamic: Option<Members>,
    },
    /// An externalizable object: what its reader named, level by level.
    External {
        head: Map<String, Json>,
        body: Map<String, Json>,
        /// The class level whose values are being read.
        level: Option<(String, Map<String, Json>)>,
        field: Option<String>,
    },
    /// A dictionary: keys and values alternate.
    Dictionary {
        entries: Vec<Json>,
        key: Option<Json>,
        weak: bool,
    },
}

/// Members being read: the finished pairs and the name of the next value.
#[derive(Default)]
pub(super) struct Members {
    pairs: Vec<(String, Json)>,
    pending: Option<String>,
}

impl Members {
    fn add(&mut self, v: Json) {
        let name = self.pending.take().unwrap_or_default();
        self.pairs.push((name, v));
    }
}

impl Frame {
    /// An AMF3 object's frame.
    pub(super) fn object(head: Map<String, Json>, names: Vec<String>, dynamic: bool) -> Self {
        Frame::Object {
            head,
            sealed: Vec::with_capacity(names.len()),
            names,
            dynamic: dynamic.then(Members::default),
        }
    }

    /// Whether a member name is waiting for its value (its value is
    /// shown one level deeper).
    pub(super) fn awaits_member(&self) -> bool {
        self.members().is_some_and(|m| m.pending.is_some())
    }

    /// The label of the next child's hex dump line (a sealed member or an
    /// externalizable field).
    pub(super) fn label(&self) -> Option<&str> {
        match self {
            Frame::Object { names, sealed, .. } => names.get(sealed.len()).map(String::as_str),
            Frame::External { field, .. } => field.as_deref(),
            _ => None,
        }
    }

    fn members(&self) -> Option<&Members> {
        match self {
            Frame::Members { members, .. } => Some(members),
            Frame::Array { assoc, dense: None } => Some(assoc),
            Frame::Object {
                names,
                sealed,
                dynamic: Some(d),
                ..
            } if sealed.len() == names.len() => Some(d),
            _ => None,
        }
    }

    /// The name of the member whose value follows.
    pub(super) fn member_name(&mut self, name: &str) {
        let members = match self {
            Frame::Members { members, .. } => members,
            Frame::Array { assoc, .. } => assoc,
            Frame::Object {
                dynamic: Some(d), ..
            } => d,
            _ => return,
        };
        members.pending = Some(name.to_owned());
    }

    /// The members ended (an AMF3 array's dense values follow).
    pub(super) fn members_end(&mut self) {
        if let Frame::Array { dense, .. } = self {
            dense.get_or_insert_with(Vec::new);
        }
    }

    /// An externalizable reader starts the values of class level `level`.
    pub(super) fn level(&mut self, level: &str, flags: &[u8]) {
        if let Frame::External {
            body, level: open, ..
        } = self
        {
            if let Some((name, group)) = open.take() {
                body.insert(name, Json::Object(group));
            }
            let hex: Vec<String> = flags.iter().map(|f| format!("{f:02x}")).collect();
            let mut group = Map::new();
            group.insert(k::FLAGS.into(), hex.join(" ").into());
            *open = Some((level.to_owned(), group));
        }
    }

    /// An externalizable reader names its next value.
    pub(super) fn field(&mut self, name: String) {
        if let Frame::External { field, .. } = self {
            *field = Some(name);
        }
    }

    /// Adds a finished child value.
    pub(super) fn add(&mut self, v: Json) {
        match self {
            Frame::Avmplus(slot) => *slot = Some(v),
            Frame::Members { members, .. } => members.add(v),
            Frame::Items { items, .. } => items.push(v),
            Frame::Array {
                dense: Some(dense), ..
            } => dense.push(v),
            Frame::Array { assoc, .. } => assoc.add(v),
            Frame::Object {
                names,
                sealed,
                dynamic,
                ..
            } => match (names.get(sealed.len()), dynamic) {
                (Some(name), _) => sealed.push((name.clone(), v)),
                (None, Some(d)) => d.add(v),
                (None, None) => {}
            },
            Frame::External {
                body, level, field, ..
            } => {
                let name = field.take().unwrap_or_default();
                match level {
                    Some((_, group)) => group.insert(name, v),
                    None => body.insert(name, v),
                };
            }
            Frame::Dictionary { entries, key, .. } => match key.take() {
                Some(key) => entries.push(Json::Array(vec![key, v])),
                None => *key = Some(v),
            },
        }
    }

    /// The finished JSON node.
    pub(super) fn finish(self) -> Json {
        match self {
            Frame::Avmplus(v) => tagged(k::AMF3, v.unwrap_or(Json::Null)),
            Frame::Members {
                mut head,
                key,
                count,
                members,
            } => {
                // Writers disagree on the ECMA count (py3amf: the highest
                // index); it is kept when it is not the number of entries.
                if let Some(c) = count.filter(|&c| c as usize != members.pairs.len()) {
                    head.insert(k::COUNT.into(), c.into());
                }
                head.insert(key.into(), members_json(members.pairs));
                Json::Object(head)
            }
            Frame::Items { items, tail: None } => Json::Array(items),
            Frame::Items {
                items,
                tail: Some(tail),
            } => {
                let mut node = Map::new();
                node.insert(k::VECTOR_OBJECT.into(), items.into());
                node.extend(tail);
                Json::Object(node)
            }
            Frame::Array { assoc, dense } => {
                let dense = dense.unwrap_or_default();
                if assoc.pairs.is_empty() {
                    return Json::Array(dense);
                }
                let mut node = Map::new();
                node.insert(k::ASSOC.into(), members_json(assoc.pairs));
                node.insert(k::ARRAY.into(), dense.into());
                Json::Object(node)
            }
            Frame::Object {
                mut head,
                sealed,
                dynamic,
                ..
            } => {
                if !sealed.is_empty() || dynamic.is_none() {
                    head.insert(k::SEALED.into(), members_json(sealed));
                }
                if let Some(d) = dynamic {
                    head.insert(k::DYNAMIC.into(), members_json(d.pairs));
                }
                Json::Object(head)
            }
            Frame::External {
                mut head,
                mut body,
                level,
                ..
            } => {
                if let Some((name, group)) = level {
                    body.insert(name, Json::Object(group));
                }
                head.insert(k::EXTERNAL.into(), Json::Object(body));
                Json::Object(head)
            }
            Frame::Dictionary { entries, weak, .. } => {
                let mut node = Map::new();
                node.insert(k::DICTIONARY.into(), entries.into());
                if weak {
                    node.insert(k::WEAK.into(), true.into());
                }
                Json::Object(node)
            }
        }
    }
}
