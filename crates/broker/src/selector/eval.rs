//! Evaluation with SQL three-valued logic.
//!
//! Values are NULL (unknown), booleans, exact (`i64`) and approximate
//! (`f64`) numbers and strings. A missing header is NULL. Header values of
//! other AMF types (dates, objects, arrays ...) are present but not
//! comparable. Rules:
//!
//! * Any operator with a NULL operand yields NULL (unknown), except
//!   `AND`/`OR`, which follow the SQL truth tables (`FALSE AND NULL` is
//!   `FALSE`, `TRUE OR NULL` is `TRUE`), and `IS [NOT] NULL`.
//! * Comparing values of different types (other than exact with approximate
//!   numbers) yields NULL; strings and booleans support only `=` and `<>`.
//!   JMS calls such comparisons false; NULL agrees with that for a plain
//!   predicate and keeps `NOT` from turning a type mismatch into a match.
//! * Arithmetic on exact numbers stays exact (integer division truncates),
//!   overflowing into approximate; integer division by zero is NULL.
//! * A message is selected only when the whole expression is TRUE.
//! * A string header longer than the evaluation bound is present but not
//!   comparable (as a date or an object is): `LIKE`, comparisons and `IN`
//!   on it are unknown, `IS NOT NULL` is TRUE. Unknown rather than a
//!   truncated prefix, so that a bound never makes a selector match what
//!   the whole value would not.
//!
//! Recursion follows the tree, whose depth the parser bounds
//! ([`MAX_NODES`](super::MAX_NODES)).

use std::cmp::Ordering;

use flexgate_amf::Value;

use super::ast::{ArithOp, CmpOp, Expr, Literal};

/// Where the evaluator reads header values.
pub trait HeaderSource {
    /// The header named `name`, if present.
    fn header(&self, name: &str) -> Option<&Value>;
}

impl HeaderSource for std::collections::HashMap<String, Value> {
    fn header(&self, name: &str) -> Option<&Value> {
        self.get(name)
    }
}

impl HeaderSource for std::collections::BTreeMap<String, Value> {
    fn header(&self, name: &str) -> Option<&Value> {
        self.get(name)
    }
}

/// An intermediate value.
#[derive(Debug, Clone, PartialEq)]
enum V<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'a str),
    /// A present header of a type selectors cannot compare.
    Other,
}

/// `true` when `expr` evaluates to TRUE against `headers`; string headers
/// longer than `max_header_bytes` are not inspected.
pub(crate) fn matches(expr: &Expr, headers: &dyn HeaderSource, max_header_bytes: usize) -> bool {
    let cx = Cx {
        h: headers,
        max_header_bytes,
    };
    eval(expr, &cx) == V::Bool(true)
}

/// What evaluation reads from: the headers and the bound on their strings.
struct Cx<'a> {
    h: &'a dyn HeaderSource,
    max_header_bytes: usize,
}

fn from_value(v: &Value, max_header_bytes: usize) -> V<'_> {
    match v {
        Value::Null | Value::Undefined => V::Null,
        Value::Bool(b) => V::Bool(*b),
        Value::Integer(i) => V::Int(i64::from(*i)),
        Value::Number(n) => V::Float(*n),
        Value::String(s) if s.len() <= max_header_bytes => V::Str(s),
        _ => V::Other,
    }
}

fn from_literal(l: &Literal) -> V<'_> {
    match l {
        Literal::Null => V::Null,
        Literal::Bool(b) => V::Bool(*b),
        Literal::Int(i) => V::Int(*i),
        Literal::Float(f) => V::Float(*f),
        Literal::Str(s) => V::Str(s),
    }
}

fn truth(v: V<'_>) -> Option<bool> {
    match v {
        V::Bool(b) => Some(b),
        _ => None,
    }
}

fn from_truth(t: Option<bool>) -> V<'static> {
    t.map_or(V::Null, V::Bool)
}

fn eval<'a>(expr: &'a Expr, h: &Cx<'a>) -> V<'a> {
    match expr {
        Expr::Lit(l) => from_literal(l),
        Expr::Ident(name) => {
            h.h.header(name)
                .map_or(V::Null, |v| from_value(v, h.max_header_bytes))
        }
        Expr::Neg(e) => match eval(e, h) {
            V::Int(i) => i.checked_neg().map_or(V::Float(-(i as f64)), V::Int),
            V::Float(f) => V::Float(-f),
            _ => V::Null,
        },
        Expr::Pos(e) => match eval(e, h) {
            v @ (V::Int(_) | V::Float(_)) => v,
            _ => V::Null,
        },
        Expr::Arith(op, a, b) => arith(*op, eval(a, h), eval(b, h)),
        Expr::Cmp(op, a, b) => from_truth(compare(*op, &eval(a, h), &eval(b, h))),
        Expr::And(a, b) => {
            let l = truth(eval(a, h));
            if l == Some(false) {
                return V::Bool(false);
            }
            match (l, truth(eval(b, h))) {
                (_, Some(false)) => V::Bool(false),
                (Some(true), Some(true)) => V::Bool(true),
                _ => V::Null,
            }
        }
        Expr::Or(a, b) => {
            let l = truth(eval(a, h));
            if l == Some(true) {
                return V::Bool(true);
            }
            match (l, truth(eval(b, h))) {
                (_, Some(true)) => V::Bool(true),
                (Some(false), Some(false)) => V::Bool(false),
                _ => V::Null,
            }
        }
        Expr::Not(e) => from_truth(truth(eval(e, h)).map(|b| !b)),
        Expr::Between {
            expr,
            low,
            high,
            negated,
        } => {
            let v = eval(expr, h);
            let ge = compare(CmpOp::Ge, &v, &eval(low, h));
            if ge == Some(false) {
                return V::Bool(*negated);
            }
            let le = compare(CmpOp::Le, &v, &eval(high, h));
            let within = match (ge, le) {
                (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            };
            from_truth(within.map(|b| b != *negated))
        }
        Expr::Like {
            expr,
            pattern,
            negated,
        } => match eval(expr, h) {
            V::Str(s) => V::Bool(pattern.matches(s) != *negated),
            _ => V::Null,
        },
        Expr::In {
            expr,
            list,
            negated,
        } => {
            let v = eval(expr, h);
            let mut found = Some(false);
            for l in list {
                match compare(CmpOp::Eq, &v, &from_literal(l)) {
                    Some(true) => {
                        found = Some(true);
                        break;
                    }
                    Some(false) => {}
                    None => found = None,
                }
            }
            from_truth(found.map(|b| b != *negated))
        }
        Expr::IsNull { expr, negated } => V::Bool((eval(expr, h) == V::Null) != *negated),
    }
}

fn arith<'a>(op: ArithOp, a: V<'a>, b: V<'a>) -> V<'a> {
    match (a, b) {
        (V::Int(x), V::Int(y)) => {
            let exact = match op {
                ArithOp::Add => x.checked_add(y),
                ArithOp::Sub => x.checked_sub(y),
                ArithOp::Mul => x.checked_mul(y),
                ArithOp::Div => {
                    if y == 0 {
                        return V::Null;
                    }
                    x.checked_div(y)
                }
            };
            exact.map_or_else(|| float_arith(op, x as f64, y as f64), V::Int)
        }
        (V::Int(x), V::Float(y)) => float_arith(op, x as f64, y),
        (V::Float(x), V::Int(y)) => float_arith(op, x, y as f64),
        (V::Float(x), V::Float(y)) => float_arith(op, x, y),
        _ => V::Null,
    }
}

fn float_arith(op: ArithOp, x: f64, y: f64) -> V<'static> {
    V::Float(match op {
        ArithOp::Add => x + y,
        ArithOp::Sub => x - y,
        ArithOp::Mul => x * y,
        ArithOp::Div => x / y,
    })
}

/// `None` is unknown.
fn compare(op: CmpOp, a: &V<'_>, b: &V<'_>) -> Option<bool> {
    let ord: Option<Ordering> = match (a, b) {
        (V::Int(x), V::Int(y)) => Some(x.cmp(y)),
        (V::Int(x), V::Float(y)) => (*x as f64).partial_cmp(y),
        (V::Float(x), V::Int(y)) => x.partial_cmp(&(*y as f64)),
        (V::Float(x), V::Float(y)) => x.partial_cmp(y),
        (V::Str(x), V::Str(y)) => return equality(op, x == y),
        (V::Bool(x), V::Bool(y)) => return equality(op, x == y),
        _ => return None,
    };
    // NaN compares false with everything, like Java's double comparisons.
    let Some(ord) = ord else {
        return Some(op == CmpOp::Ne);
    };
    Some(match op {
        CmpOp::Eq => ord == Ordering::Equal,
        CmpOp::Ne => ord != Ordering::Equal,
        CmpOp::Lt => ord == Ordering::Less,
        CmpOp::Le => ord != Ordering::Greater,
        CmpOp::Gt => ord == Ordering::Greater,
        CmpOp::Ge => ord != Ordering::Less,
    })
}

fn equality(op: CmpOp, equal: bool) -> Option<bool> {
    match op {
        CmpOp::Eq => Some(equal),
        CmpOp::Ne => Some(!equal),
        _ => None,
    }
}
