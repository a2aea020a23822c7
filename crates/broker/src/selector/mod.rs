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

mod ast;
mod eval;
mod lexer;
mod like;
mod parser;

use std::fmt;
use std::sync::Arc;

pub use eval::HeaderSource;

/// A selector that failed to parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid selector at position {position}: {message}")]
pub struct SelectorError {
    /// Byte offset into the selector text where the problem was found.
    pub position: usize,
    /// What was wrong.
    pub message: String,
}

impl SelectorError {
    pub(crate) fn new(position: usize, message: impl Into<String>) -> Self {
        SelectorError {
            position,
            message: message.into(),
        }
    }
}

/// A parsed selector. Cheap to clone; keeps its source text so that a
/// shared store can persist it and re-parse it on another node.
#[derive(Clone)]
pub struct Selector {
    source: Arc<str>,
    expr: Arc<ast::Expr>,
}

impl Selector {
    /// Parses `source`.
    pub fn parse(source: &str) -> Result<Self, SelectorError> {
        let tokens = lexer::tokenize(source)?;
        let expr = parser::parse(&tokens)?;
        Ok(Selector {
            source: source.into(),
            expr: Arc::new(expr),
        })
    }

    /// The source text.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// `true` when the expression is TRUE for `headers` (FALSE and unknown
    /// both reject).
    pub fn matches(&self, headers: &dyn HeaderSource) -> bool {
        eval::matches(&self.expr, headers)
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

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let src = format!("{}1 = 1{}", "(".repeat(10_000), ")".repeat(10_000));
        assert!(Selector::parse(&src).is_err());
        let src = format!("{}qty", "NOT ".repeat(10_000));
        assert!(Selector::parse(&src).is_err());
        let src = format!("{}qty", "-".repeat(10_000));
        assert!(Selector::parse(&src).is_err());
    }
}
