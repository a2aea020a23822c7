//! Message selectors: the JMS (SQL-92 subset) expressions a Flex consumer
//! may attach to a subscription, evaluated against a message's headers.
//!
//! Supported: comparisons (`=`, `<>`, `<`, `<=`, `>`, `>=`), `AND`, `OR`,
//! `NOT`, `[NOT] LIKE` with `%`, `_` and `ESCAPE`, `[NOT] IN (...)`,
//! `[NOT] BETWEEN .. AND ..`, `IS [NOT] NULL`, arithmetic `+ - * /` and
//! unary signs, string (`'it''s'`), exact (`42`, `0x2A`), approximate
//! (`4.2`, `42E-1`) and boolean literals, and identifiers naming headers.
//! Keywords are case-insensitive, identifiers are not.
//!
//! Evaluation uses SQL three-valued logic: a missing or null header is
//! unknown, any operator on unknown is unknown except `AND`/`OR` (SQL truth
//! tables) and `IS [NOT] NULL`; comparing values of different types (other
//! than integer with floating point) is unknown; strings and booleans only
//! support `=` and `<>`; integer arithmetic stays integral (division
//! truncates, division by zero is unknown). A message is selected only when
//! the expression is TRUE, so unknown never selects, not even under `NOT`.
//!
//! A selector is parsed once, at subscribe time, by a hand-written
//! recursive-descent parser; a syntax error reports the byte offset where
//! it was found.
//!
//! Selectors come from clients, so everything they cost is bounded: the
//! source length (a broker setting, checked by [`Selector::parse_bounded`]),
//! the nesting of parentheses, `NOT` and signs ([`MAX_NESTING`]) and the
//! number of expression nodes ([`MAX_NODES`]). The node bound also bounds
//! the tree's depth, so evaluating and dropping a selector recurse at most
//! [`MAX_NODES`] levels. `LIKE` runs in time linear in the text for
//! patterns without `_` between two `%` (see `like.rs` for the bound), and
//! string headers longer than the evaluation bound are not inspected.

mod ast;
mod bounds;
mod error;
mod eval;
mod lexer;
mod like;
mod parser;
mod shift_and;

use std::fmt;
use std::sync::Arc;

pub use bounds::{
    DEFAULT_MAX_HEADER_BYTES, DEFAULT_MAX_SELECTOR_BYTES, MAX_NESTING, MAX_NODES,
    MAX_WILD_LIKE_SEGMENT,
};
pub use error::{SelectorError, SelectorErrorKind};
pub use eval::HeaderSource;

/// A parsed selector. Cheap to clone; keeps its source text so that a
/// shared store can persist it and re-parse it on another node.
#[derive(Clone)]
pub struct Selector {
    source: Arc<str>,
    expr: Arc<ast::Expr>,
}

impl Selector {
    /// Parses `source` with the structural bounds ([`MAX_NESTING`],
    /// [`MAX_NODES`]) but no length bound: for selectors that passed a
    /// length bound when they were stored (a shared store re-parses them,
    /// and a node configured with a lower bound must still read them).
    pub fn parse(source: &str) -> Result<Self, SelectorError> {
        let tokens = lexer::tokenize(source)?;
        let expr = parser::parse(&tokens)?;
        Ok(Selector {
            source: source.into(),
            expr: Arc::new(expr),
        })
    }

    /// Parses `source` from a client: refused with
    /// [`SelectorErrorKind::TooLong`] when longer than `max_bytes`, before
    /// any tokenizing, then as [`parse`](Self::parse).
    pub fn parse_bounded(source: &str, max_bytes: usize) -> Result<Self, SelectorError> {
        if source.len() > max_bytes {
            return Err(SelectorError::of(
                SelectorErrorKind::TooLong,
                max_bytes,
                format!(
                    "selector is {} bytes long; the most allowed is {max_bytes}",
                    source.len()
                ),
            ));
        }
        Self::parse(source)
    }

    /// The source text.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// `true` when the expression is TRUE for `headers` (FALSE and unknown
    /// both reject), inspecting string headers of up to
    /// [`DEFAULT_MAX_HEADER_BYTES`].
    pub fn matches(&self, headers: &dyn HeaderSource) -> bool {
        self.matches_within(headers, DEFAULT_MAX_HEADER_BYTES)
    }

    /// As [`matches`](Self::matches); a string header longer than
    /// `max_header_bytes` is present but not comparable (unknown to `LIKE`,
    /// `=`, `IN` ..., not NULL), so no selector reads more of it.
    pub fn matches_within(&self, headers: &dyn HeaderSource, max_header_bytes: usize) -> bool {
        eval::matches(&self.expr, headers, max_header_bytes)
    }
}

impl PartialEq for Selector {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl Eq for Selector {}

impl fmt::Debug for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Selector").field(&&*self.source).finish()
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use flexgate_amf::Value;

    use super::*;

    fn headers() -> HashMap<String, Value> {
        let mut h = HashMap::new();
        h.insert("price".into(), Value::Number(12.5));
        h.insert("qty".into(), Value::Integer(3));
        h.insert("sym".into(), Value::from("ADBE"));
        h.insert("urgent".into(), Value::Bool(true));
        h.insert("nothing".into(), Value::Null);
        h.insert("path".into(), Value::from("100%_done"));
        h.insert("obj".into(), Value::array(vec![]));
        h
    }

    fn sel(s: &str) -> bool {
        Selector::parse(s)
            .unwrap_or_else(|e| panic!("{s}: {e}"))
            .matches(&headers())
    }

    #[test]
    fn comparisons() {
        assert!(sel("qty = 3"));
        assert!(sel("qty = 3.0"));
        assert!(sel("price > 12"));
        assert!(sel("price >= 12.5"));
        assert!(sel("price < 13"));
        assert!(sel("qty <= 3"));
        assert!(sel("qty <> 4"));
        assert!(!sel("qty <> 3"));
        assert!(sel("sym = 'ADBE'"));
        assert!(sel("sym <> 'MSFT'"));
        assert!(sel("urgent = TRUE"));
        assert!(sel("urgent"));
        assert!(!sel("urgent = false"));
        assert!(sel("'ADBE' = sym"));
    }

    #[test]
    fn type_mismatch_is_unknown() {
        assert!(!sel("sym = 3"));
        assert!(!sel("NOT (sym = 3)"));
        assert!(!sel("sym > 'A'"));
        assert!(!sel("NOT (sym > 'A')"));
        assert!(!sel("obj = 1"));
        assert!(sel("obj IS NOT NULL"));
    }

    #[test]
    fn arithmetic_and_precedence() {
        assert!(sel("qty * 2 + 1 = 7"));
        assert!(sel("1 + qty * 2 = 7"));
        assert!(sel("(1 + qty) * 2 = 8"));
        assert!(sel("qty - 1 - 1 = 1"));
        assert!(sel("7 / 2 = 3"));
        assert!(sel("7.0 / 2 = 3.5"));
        assert!(sel("-qty = -3"));
        assert!(sel("- -qty = +3"));
        assert!(sel("price * 2 = 25"));
        assert!(!sel("qty / 0 = 0"));
        assert!(!sel("NOT (qty / 0 = 0)"));
        // AND binds tighter than OR; NOT tighter than AND.
        assert!(sel("qty = 1 AND qty = 2 OR qty = 3"));
        assert!(!sel("qty = 3 AND (qty = 1 OR qty = 2)"));
        assert!(sel("NOT qty = 1 AND qty = 3"));
        assert!(!sel("NOT (qty = 3 AND qty = 3)"));
    }

    #[test]
    fn null_semantics() {
        assert!(sel("missing IS NULL"));
        assert!(sel("nothing IS NULL"));
        assert!(sel("qty IS NOT NULL"));
        assert!(!sel("missing IS NOT NULL"));
        assert!(!sel("missing = 1"));
        assert!(!sel("NOT (missing = 1)"));
        assert!(!sel("missing <> 1"));
        assert!(!sel("missing + 1 = 1"));
        // FALSE AND unknown = FALSE, so NOT of it is TRUE.
        assert!(sel("NOT (qty = 4 AND missing = 1)"));
        // TRUE AND unknown = unknown.
        assert!(!sel("qty = 3 AND missing = 1"));
        assert!(!sel("NOT (qty = 3 AND missing = 1)"));
        // TRUE OR unknown = TRUE; FALSE OR unknown = unknown.
        assert!(sel("qty = 3 OR missing = 1"));
        assert!(!sel("qty = 4 OR missing = 1"));
        assert!(!sel("NOT (qty = 4 OR missing = 1)"));
        assert!(!sel("missing"));
        assert!(!sel("NOT missing"));
        assert!(!sel("missing BETWEEN 1 AND 2"));
        assert!(!sel("missing NOT BETWEEN 1 AND 2"));
        assert!(!sel("missing LIKE '%'"));
        assert!(!sel("missing NOT LIKE '%'"));
        assert!(!sel("missing IN ('a')"));
        assert!(!sel("missing NOT IN ('a')"));
        assert!(sel("NULL IS NULL"));
    }

    #[test]
    fn like() {
        assert!(sel("sym LIKE 'AD%'"));
        assert!(sel("sym LIKE '_DBE'"));
        assert!(!sel("sym LIKE '_BE'"));
        assert!(sel("sym NOT LIKE 'MS%'"));
        assert!(sel("path LIKE '100\\%\\_%' ESCAPE '\\'"));
        assert!(!sel("sym LIKE '100\\%%' ESCAPE '\\'"));
        assert!(sel("path LIKE '100!%!_done' ESCAPE '!'"));
        assert!(!sel("qty LIKE '3'"));
    }

    #[test]
    fn in_and_between() {
        assert!(sel("sym IN ('MSFT', 'ADBE')"));
        assert!(!sel("sym IN ('MSFT')"));
        assert!(sel("sym NOT IN ('MSFT', 'ORCL')"));
        assert!(sel("qty IN (1, 2, 3)"));
        assert!(sel("qty BETWEEN 1 AND 3"));
        assert!(sel("price BETWEEN 12 AND 13 AND qty = 3"));
        assert!(!sel("qty BETWEEN 4 AND 5"));
        assert!(sel("qty NOT BETWEEN 4 AND 5"));
        assert!(!sel("qty NOT BETWEEN 3 AND 5"));
        assert!(sel("qty + 1 BETWEEN 2 * 2 AND 4"));
    }

    #[test]
    fn keywords_case_insensitive_identifiers_not() {
        assert!(sel("sym like 'A%' and qty between 1 and 3 or false"));
        assert!(!sel("SYM = 'ADBE'"));
    }

    #[test]
    fn syntax_errors_name_the_position() {
        let cases: &[(&str, usize)] = &[
            ("", 0),
            ("qty =", 5),
            ("qty = = 3", 6),
            ("(qty = 3", 8),
            ("qty = 3)", 7),
            ("sym LIKE 3", 9),
            ("sym LIKE 'a' ESCAPE 'ab'", 20),
            ("sym IN ()", 8),
            ("sym IN ('a' 'b')", 12),
            ("qty NOT = 3", 8),
            ("qty IS 3", 7),
            ("qty BETWEEN 1 OR 2", 14),
            ("qty = 'x", 6),
            ("a ! b", 2),
            ("AND", 0),
        ];
        for (src, pos) in cases {
            let err = Selector::parse(src).expect_err(src);
            assert_eq!(err.position, *pos, "{src}: {err}");
        }
        let err = Selector::parse("qty = = 3").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid selector at position 6: expected an identifier, a literal or '(' but found '='"
        );
    }

    /// `a = 1+1+…+1`: `terms` ones.
    fn chain(terms: usize) -> String {
        format!("a = 1{}", "+1".repeat(terms - 1))
    }

    /// The adversarial review's bombs and their neighbours, each refused
    /// with its kind and the offset where the bound was passed. (Before the
    /// bounds, evaluating the 15,000-term chain overflowed the stack.)
    #[test]
    fn bombs_are_refused_with_kind_and_position() {
        use SelectorErrorKind::*;
        let nested = |n: usize| format!("{}a = 1{}", "(".repeat(n), ")".repeat(n));
        let cases: Vec<(String, SelectorErrorKind, usize)> = vec![
            // Nodes: `a`, then one literal and one `+` per term after the
            // first; the 257th is the literal at offset 260.
            (chain(15_000), TooManyNodes, 260),
            (chain(100_000), TooManyNodes, 260),
            (chain(129), TooManyNodes, 260),
            (
                format!("a = 1{}", " OR a = 1".repeat(70)),
                TooManyNodes,
                // 4 nodes per ` OR a = 1` (9 bytes) after the first 3.
                6 + 9 * 63 + 3 + 4,
            ),
            // The position is the token opening the 33rd level.
            (nested(33), TooDeep, 32),
            (nested(10_000), TooDeep, 32),
            (format!("{}a", "NOT ".repeat(33)), TooDeep, 4 * 32),
            (format!("{}a", "-".repeat(33)), TooDeep, 32),
            (format!("{}a", "- ".repeat(10_000)), TooDeep, 2 * 32),
            (format!("{}a", "NOT (".repeat(17)), TooDeep, 5 * 16),
            // The pattern string is at offset 7.
            (format!("h LIKE '%{}_b%'", "a".repeat(64)), LikeTooWild, 7),
        ];
        for (src, kind, position) in &cases {
            let err = Selector::parse(src).expect_err("refused");
            assert_eq!(
                (err.kind, err.position),
                (*kind, *position),
                "{}…: {err}",
                &src[..40.min(src.len())]
            );
        }
    }

    #[test]
    fn the_length_bound_comes_first() {
        let err = Selector::parse_bounded(&chain(15_000), DEFAULT_MAX_SELECTOR_BYTES)
            .expect_err("refused");
        assert_eq!(err.kind, SelectorErrorKind::TooLong);
        assert_eq!(err.position, DEFAULT_MAX_SELECTOR_BYTES);
        assert_eq!(
            err.to_string(),
            "invalid selector at position 4096: selector is 30003 bytes long; the most allowed is 4096"
        );
        let exact = format!("a = '{}'", "x".repeat(4096 - 6));
        assert_eq!(exact.len(), 4096);
        assert!(Selector::parse_bounded(&exact, 4096).is_ok());
        assert_eq!(
            Selector::parse_bounded(&format!("{exact} "), 4096)
                .expect_err("one byte over")
                .kind,
            SelectorErrorKind::TooLong
        );
    }

    /// The largest selectors the bounds allow parse, evaluate and drop on
    /// a thread with half a runtime worker's 2 MiB stack (a debug build
    /// needs about 400 KiB for the deepest).
    #[test]
    fn deep_but_legal_selectors_work_on_a_small_stack() {
        let legal = [
            // 256 nodes: NOT, `a`, 126 × (`+`, `1`), `=`, `127`.
            format!("NOT a{} = 127", "+1".repeat(126)),
            // 32 levels of each kind of nesting, and mixed.
            format!("{}a = 1{}", "(".repeat(32), ")".repeat(32)),
            format!("{}a", "NOT ".repeat(32)),
            format!("{}a{} = 1", "- (".repeat(16), ")".repeat(16)),
            format!("{}a = 1 OR a = 2{}", "NOT (".repeat(16), ")".repeat(16)),
            // 255 nodes of OR chain.
            format!("a = 1{}", " OR a = 1".repeat(63)),
        ];
        let ran = std::thread::Builder::new()
            .stack_size(1024 * 1024)
            .spawn(move || {
                let mut h = headers();
                h.insert("a".into(), Value::Integer(1));
                legal
                    .iter()
                    .map(|src| {
                        let s = Selector::parse(src).unwrap_or_else(|e| panic!("{e}"));
                        let m = s.matches(&h);
                        drop(s);
                        m
                    })
                    .collect::<Vec<bool>>()
            })
            .expect("thread")
            .join()
            .expect("no overflow");
        assert_eq!(ran, [false, true, false, true, true, true]);
    }

    #[test]
    fn long_string_headers_are_present_but_not_compared() {
        let mut h = headers();
        h.insert("big".into(), Value::from("x".repeat(100)));
        let s = |src: &str| Selector::parse(src).expect("parses");
        for (src, within_100, within_99) in [
            ("big LIKE 'x%'", true, false),
            ("big NOT LIKE 'y%'", true, false),
            ("big = big", true, false),
            ("big IN ('x')", false, false),
            ("big IS NOT NULL", true, true),
            ("big IS NULL", false, false),
        ] {
            assert_eq!(s(src).matches_within(&h, 100), within_100, "{src}");
            assert_eq!(s(src).matches_within(&h, 99), within_99, "{src}");
        }
    }

    #[test]
    fn like_with_escape_and_wildcards_in_selectors() {
        let mut h = headers();
        h.insert("t".into(), Value::from("a_b%c"));
        let s = |src: &str| Selector::parse(src).expect("parses").matches(&h);
        assert!(s("t LIKE 'a!_b!%c' ESCAPE '!'"));
        assert!(s("t LIKE '%!%_' ESCAPE '!'"));
        assert!(!s("t LIKE '%!_' ESCAPE '!'"));
        assert!(s("t LIKE '_%_%_'"));
        assert!(s("t NOT LIKE '%x%'"));
    }

    #[test]
    fn syntax_errors_are_of_kind_syntax() {
        assert_eq!(
            Selector::parse("qty =").expect_err("refused").kind,
            SelectorErrorKind::Syntax
        );
    }
}
