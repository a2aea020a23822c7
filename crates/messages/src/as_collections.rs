//! Dense arrays sent as `ArrayCollection`s, as BlazeDS sends a Java `List`
//! (Amf3Output/Amf0Output `writeObject`: every `Collection` in the graph
//! becomes an ArrayCollection unless the endpoint sets
//! `legacy-collection`). A Rust value cannot tell a list from an array, so
//! a remoting destination opts in for every dense array of its results.

use crate::alias;
use crate::collections::ArrayCollection;
use flexgate_amf::{Array, Object, Traits, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// How a collection is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CollectionForm {
    /// AMF3 (every Flex message, an AMF3 NetConnection): the externalizable
    /// `flex.messaging.io.ArrayCollection` with its source array.
    External,
    /// AMF0 (an AMF0 NetConnection): BlazeDS's Amf0Output writes the bean,
    /// a typed object `flex.messaging.io.ArrayCollection` whose one member
    /// `source` is the array.
    Amf0Object,
}

/// `value` with every dense array (one without an associative part) inside
/// it, at any depth up to `max_depth`, replaced by an ArrayCollection of
/// its (converted) items; objects and associative arrays keep their shape
/// with their members converted. Values deeper than `max_depth` stay as
/// they are (the walk is bounded, and the decoder's depth limit is the
/// natural one to pass). A part shared by several places (the same `Arc`)
/// is converted once and stays shared, so the encoder still writes it as a
/// reference. Collections, vectors, dictionaries and externalizable values
/// are left alone.
pub fn arrays_as_collections(value: &Value, form: CollectionForm, max_depth: usize) -> Value {
    let mut walk = Walk {
        form,
        max_depth,
        done: HashMap::new(),
    };
    walk.value(value, 0)
}

struct Walk {
    form: CollectionForm,
    max_depth: usize,
    /// Converted composites by the address of their `Arc`.
    done: HashMap<usize, Value>,
}

impl Walk {
    fn value(&mut self, v: &Value, depth: usize) -> Value {
        if depth >= self.max_depth {
            return v.clone();
        }
        let key = match v {
            Value::Array(a) => Arc::as_ptr(a) as usize,
            Value::Object(o) => Arc::as_ptr(o) as usize,
            _ => return v.clone(),
        };
        if let Some(done) = self.done.get(&key) {
            return done.clone();
        }
        let converted = match v {
            Value::Array(a) => self.array(a, depth),
            Value::Object(o) => self.object(o, depth),
            _ => v.clone(),
        };
        self.done.insert(key, converted.clone());
        converted
    }

    fn items(&mut self, items: &[Value], depth: usize) -> Vec<Value> {
        items.iter().map(|v| self.value(v, depth + 1)).collect()
    }

    fn array(&mut self, a: &Array, depth: usize) -> Value {
        let dense = self.items(&a.dense, depth);
        if !a.assoc.is_empty() {
            let assoc = a
                .assoc
                .iter()
                .map(|(k, v)| (k.clone(), self.value(v, depth + 1)))
                .collect();
            return Value::Array(Arc::new(Array { dense, assoc }));
        }
        match self.form {
            CollectionForm::External => ArrayCollection::from_items(dense).into_value(),
            CollectionForm::Amf0Object => Value::object(Object::typed(
                Traits::sealed(alias::ARRAY_COLLECTION, &["source"]),
                vec![Value::array(dense)],
            )),
        }
    }

    fn object(&mut self, o: &Object, depth: usize) -> Value {
        Value::object(Object {
            traits: o.traits.clone(),
            sealed: self.items(&o.sealed, depth),
            dynamic: o
                .dynamic
                .iter()
                .map(|(k, v)| (k.clone(), self.value(v, depth + 1)))
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collection_items(v: &Value) -> &[Value] {
        v.as_external::<ArrayCollection>()
            .expect("an ArrayCollection")
            .items()
    }

    #[test]
    fn nested_arrays_become_collections_and_shared_parts_stay_shared() {
        let inner = Value::array(vec![Value::from(1), Value::from(2)]);
        let v = Value::object(Object::anonymous([
            ("a", inner.clone()),
            ("b", inner),
            ("n", Value::from("x")),
        ]));
        let out = arrays_as_collections(&v, CollectionForm::External, 128);
        let o = out.as_object().expect("still an object");
        let (Some(Value::External(a)), Some(Value::External(b))) = (o.get("a"), o.get("b")) else {
            panic!("not converted: {out:?}");
        };
        assert!(Arc::ptr_eq(a, b), "a shared array stays one collection");
        assert_eq!(
            collection_items(o.get("a").expect("a")),
            [Value::from(1), Value::from(2)]
        );
        assert_eq!(o.get("n"), Some(&Value::from("x")));
    }

    #[test]
    fn associative_arrays_stay_arrays_and_amf0_writes_the_bean() {
        let v = Value::Array(Arc::new(Array {
            dense: vec![Value::array(vec![Value::from(true)])],
            assoc: vec![("k".into(), Value::array(Vec::new()))],
        }));
        let out = arrays_as_collections(&v, CollectionForm::Amf0Object, 128);
        let a = out.as_array().expect("still an array");
        for member in [&a.dense[0], &a.assoc[0].1] {
            let bean = member.as_object().expect("a typed object");
            assert_eq!(bean.class(), "flex.messaging.io.ArrayCollection");
            assert!(bean.get("source").and_then(Value::as_array).is_some());
        }
    }

    #[test]
    fn the_walk_stops_at_max_depth() {
        let mut v = Value::array(Vec::new());
        for _ in 0..10 {
            v = Value::array(vec![v]);
        }
        let mut out = arrays_as_collections(&v, CollectionForm::External, 3);
        for _ in 0..3 {
            out = collection_items(&out)[0].clone();
        }
        assert!(out.as_array().is_some(), "left as it was past the bound");
    }
}
