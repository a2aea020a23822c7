//! A cheap estimate of how many bytes a message holds, for the retention
//! and drain byte bounds.
//!
//! It counts what dominates memory and the encoded reply: string and byte
//! array lengths, 8 bytes per scalar, and a small overhead per value. Each
//! shared composite (`Arc`) is counted once, as the AMF3 encoder writes a
//! reference the second time it meets one, so a small input full of
//! references cannot make the walk, or the estimate, explode. The walk
//! uses an explicit stack: no recursion on input-derived data.

use std::collections::HashSet;
use std::sync::Arc;

use flexgate_amf::Value;

/// Bytes counted for every value besides its contents (marker, length,
/// the enum slot itself).
const VALUE_OVERHEAD: usize = 16;

/// Fixed bytes counted for a message envelope (id, timestamps, TTL, the
/// `Arc` and map headers).
pub(crate) const ENVELOPE_OVERHEAD: usize = 128;

/// The estimated size of `value` and everything it holds.
pub(crate) fn value_size(value: &Value) -> usize {
    let mut seen: HashSet<*const ()> = HashSet::new();
    let mut stack: Vec<&Value> = vec![value];
    let mut total = 0usize;
    while let Some(v) = stack.pop() {
        total = total.saturating_add(VALUE_OVERHEAD);
        match v {
            Value::Undefined | Value::Null | Value::Bool(_) => {}
            Value::Integer(_) | Value::Number(_) | Value::Date(_) => {
                total = total.saturating_add(8);
            }
            Value::String(s) => total = total.saturating_add(s.len()),
            Value::Xml(x) => total = total.saturating_add(x.text.len()),
            Value::ByteArray(b) => total = total.saturating_add(b.len()),
            // Composites: counted once per distinct allocation.
            Value::Array(a) => {
                if seen.insert(Arc::as_ptr(a).cast()) {
                    stack.extend(a.dense.iter());
                    for (k, item) in &a.assoc {
                        total = total.saturating_add(k.len());
                        stack.push(item);
                    }
                }
            }
            Value::Object(o) => {
                if seen.insert(Arc::as_ptr(o).cast()) {
                    total = total.saturating_add(o.traits.class.len());
                    stack.extend(o.sealed.iter());
                    for (k, item) in &o.dynamic {
                        total = total.saturating_add(k.len());
                        stack.push(item);
                    }
                }
            }
            Value::VectorInt(x) => {
                if seen.insert(Arc::as_ptr(x).cast()) {
                    total = total.saturating_add(x.items.len().saturating_mul(4));
                }
            }
            Value::VectorUint(x) => {
                if seen.insert(Arc::as_ptr(x).cast()) {
                    total = total.saturating_add(x.items.len().saturating_mul(4));
                }
            }
            Value::VectorNumber(x) => {
                if seen.insert(Arc::as_ptr(x).cast()) {
                    total = total.saturating_add(x.items.len().saturating_mul(8));
                }
            }
            Value::VectorObject(x) => {
                if seen.insert(Arc::as_ptr(x).cast()) {
                    total = total.saturating_add(x.type_name.len());
                    stack.extend(x.items.iter());
                }
            }
            Value::Dictionary(d) => {
                if seen.insert(Arc::as_ptr(d).cast()) {
                    for (k, item) in &d.entries {
                        stack.push(k);
                        stack.push(item);
                    }
                }
            }
            Value::External(e) => {
                if seen.insert(Arc::as_ptr(e).cast()) {
                    // Opaque to a walk (an ArrayCollection, an ObjectProxy):
                    // its encoded length is the only size it has. Encoding
                    // costs what the reply will cost anyway, once per publish.
                    let encoded = flexgate_amf::to_amf3(v).map_or(0, |b| b.len());
                    total = total.saturating_add(encoded);
                }
            }
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use flexgate_amf::Object;

    #[test]
    fn strings_and_bytes_count_their_length() {
        let small = value_size(&Value::from("a"));
        let big = value_size(&Value::from("a".repeat(10_000)));
        assert_eq!(big - small, 9_999);
        let bytes = Value::ByteArray(bytes::Bytes::from(vec![0u8; 1 << 20]));
        assert!(value_size(&bytes) >= 1 << 20);
    }

    #[test]
    fn shared_composites_count_once() {
        // 64 levels of a two-element array whose elements are the same
        // Arc: 2^64 paths, 64 distinct arrays.
        let mut v = Value::from("leaf");
        for _ in 0..64 {
            v = Value::Array(Arc::new(flexgate_amf::Array {
                dense: vec![v.clone(), v],
                assoc: Vec::new(),
            }));
        }
        let size = value_size(&v);
        assert!(size < 64 * 4 * VALUE_OVERHEAD, "{size}");
    }

    #[test]
    fn deep_nesting_needs_no_stack() {
        let mut v = Value::Null;
        for _ in 0..100_000 {
            v = Value::from(Object::anonymous([("x", v)]));
        }
        assert!(value_size(&v) > 100_000 * VALUE_OVERHEAD);
        // Dropping such a value recursively is the AMF crate's business;
        // leak it so this test checks the walk only.
        std::mem::forget(v);
    }
}
