//! The worst selectors the default bounds accept, evaluated against the
//! largest headers they inspect: what one hostile subscription can cost per
//! message. Each selector is built to sit just inside the 4 KiB length and
//! 256-node bounds, and each is asserted to parse.
// `criterion_group!` defines an undocumented public function.
#![allow(missing_docs)]

use std::collections::HashMap;
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use flexgate_amf::Value;
use flexgate_broker::selector::{
    Selector, DEFAULT_MAX_HEADER_BYTES, DEFAULT_MAX_SELECTOR_BYTES, MAX_NODES,
    MAX_WILD_LIKE_SEGMENT,
};

/// `h LIKE '%aaa…ab%'` filling the length bound, against a header of the
/// largest inspected size that almost matches everywhere (`aaa…ab`, so the
/// pattern's `b` comes too early everywhere but at the very end).
fn like_literal() -> (String, HashMap<String, Value>) {
    let filler = DEFAULT_MAX_SELECTOR_BYTES - "h LIKE '%b%'".len();
    let selector = format!("h LIKE '%{}b%'", "a".repeat(filler));
    (selector, all_a_header())
}

/// `h LIKE '%bb…b_%bb…b_%…%b'`: as many of the longest `_` segments as the
/// length bound holds; the anchored tail matches, so the first segment is
/// searched through the whole header, in vain.
fn like_wildcards() -> (String, HashMap<String, Value>) {
    let segment = format!("%{}_", "b".repeat(MAX_WILD_LIKE_SEGMENT - 1));
    let count = (DEFAULT_MAX_SELECTOR_BYTES - "h LIKE '%b'".len()) / segment.len();
    let selector = format!("h LIKE '{}%b'", segment.repeat(count));
    (selector, all_a_header())
}

/// The largest inspected header: `aaa…ab`.
fn all_a_header() -> HashMap<String, Value> {
    let text = format!("{}b", "a".repeat(DEFAULT_MAX_HEADER_BYTES - 1));
    HashMap::from([("h".to_owned(), Value::from(text))])
}

/// `a = 1 + 1 + … + 1`, as many terms as the node bound allows.
fn arithmetic_chain() -> (String, HashMap<String, Value>) {
    let terms = MAX_NODES / 2 - 2;
    let selector = format!("a = 1{}", " + 1".repeat(terms));
    (
        selector,
        HashMap::from([("a".to_owned(), Value::Integer(0))]),
    )
}

/// `h = 'x…' OR h = 'x…' OR …`: the node bound's worth of string comparisons
/// against the largest inspected header that differs only at its end.
fn or_of_comparisons() -> (String, HashMap<String, Value>) {
    let comparisons = MAX_NODES / 4;
    let width = (DEFAULT_MAX_SELECTOR_BYTES / comparisons).saturating_sub(12);
    let one = format!("h = '{}'", "x".repeat(width));
    let selector = vec![one; comparisons].join(" OR ");
    let text = format!("{}y", "x".repeat(width - 1));
    (
        selector,
        HashMap::from([("h".to_owned(), Value::from(text))]),
    )
}

fn worst_selectors(c: &mut Criterion) {
    let mut group = c.benchmark_group("selector_worst");
    for (name, (source, headers)) in [
        ("like_4k_literal_64k_header", like_literal()),
        ("like_4k_of_wild_segments_64k_header", like_wildcards()),
        ("arithmetic_chain_at_node_bound", arithmetic_chain()),
        ("or_of_comparisons_at_node_bound", or_of_comparisons()),
    ] {
        let selector = Selector::parse_bounded(&source, DEFAULT_MAX_SELECTOR_BYTES)
            .unwrap_or_else(|e| panic!("{name} must be accepted ({} bytes): {e}", source.len()));
        println!("{name}: {} bytes", source.len());
        group.bench_function(name, |b| {
            b.iter(|| {
                black_box(selector.matches_within(black_box(&headers), DEFAULT_MAX_HEADER_BYTES))
            });
        });
    }
    group.finish();
}

criterion_group!(benches, worst_selectors);
criterion_main!(benches);
