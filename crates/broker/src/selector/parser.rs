//! Recursive-descent parser from tokens to the selector AST.
//!
//! Grammar (keywords case-insensitive), lowest precedence first:
//!
//! ```text
//! or      := and (OR and)*
//! and     := not (AND not)*
//! not     := NOT not | pred
//! pred    := sum [ cmp sum
//!                | [NOT] BETWEEN sum AND sum
//!                | [NOT] LIKE string [ESCAPE string]
//!                | [NOT] IN '(' literal (',' literal)* ')'
//!                | IS [NOT] NULL ]
//! sum     := product (('+' | '-') product)*
//! product := unary (('*' | '/') unary)*
//! unary   := ('+' | '-') unary | primary
//! primary := literal | identifier | '(' or ')'
//! ```
//!
//! Bounded as the module documentation says: `enter` counts nesting before
//! each recursion (so the parser's own stack is bounded), `node` counts
//! every node built (so the tree, and what recurses over it, is bounded).

use super::ast::{ArithOp, CmpOp, Expr, Literal};
use super::bounds::{MAX_NESTING, MAX_NODES, MAX_WILD_LIKE_SEGMENT};
use super::error::{SelectorError, SelectorErrorKind};
use super::lexer::{Tok, Token};
use super::like::LikePattern;

/// Parses a whole token stream into one expression.
pub(crate) fn parse(tokens: &[Token]) -> Result<Expr, SelectorError> {
    let mut p = Parser {
        tokens,
        at: 0,
        depth: 0,
        nodes: 0,
    };
    if p.peek() == &Tok::End {
        return Err(SelectorError::new(0, "empty selector"));
    }
    let e = p.or()?;
    if p.peek() != &Tok::End {
        return Err(p.unexpected("an operator or end of input"));
    }
    Ok(e)
}

struct Parser<'a> {
    tokens: &'a [Token],
    at: usize,
    /// Current nesting (parentheses, `NOT`, signs).
    depth: usize,
    /// Nodes built so far.
    nodes: usize,
}

impl Parser<'_> {
    fn peek(&self) -> &Tok {
        self.tokens.get(self.at).map_or(&Tok::End, |t| &t.kind)
    }

    fn pos(&self) -> usize {
        self.tokens
            .get(self.at)
            .or(self.tokens.last())
            .map_or(0, |t| t.pos)
    }

    fn bump(&mut self) -> Tok {
        let t = self.peek().clone();
        if self.at < self.tokens.len() {
            self.at += 1;
        }
        t
    }

    fn eat(&mut self, t: &Tok) -> bool {
        if self.peek() == t {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, t: &Tok, what: &str) -> Result<(), SelectorError> {
        if self.eat(t) {
            Ok(())
        } else {
            Err(self.unexpected(what))
        }
    }

    fn unexpected(&self, expected: &str) -> SelectorError {
        SelectorError::new(
            self.pos(),
            format!("expected {expected} but found {}", self.peek().describe()),
        )
    }

    fn enter(&mut self) -> Result<(), SelectorError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(SelectorError::of(
                SelectorErrorKind::TooDeep,
                self.pos(),
                format!("expression nested more than {MAX_NESTING} levels deep"),
            ));
        }
        Ok(())
    }

    /// Counts one node, made at the token starting at `at`.
    fn node(&mut self, at: usize, e: Expr) -> Result<Expr, SelectorError> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(SelectorError::of(
                SelectorErrorKind::TooManyNodes,
                at,
                format!("expression has more than {MAX_NODES} terms and operators"),
            ));
        }
        Ok(e)
    }

    fn or(&mut self) -> Result<Expr, SelectorError> {
        let mut e = self.and()?;
        loop {
            let at = self.pos();
            if !self.eat(&Tok::Or) {
                break;
            }
            let r = self.and()?;
            e = self.node(at, Expr::Or(Box::new(e), Box::new(r)))?;
        }
        Ok(e)
    }

    fn and(&mut self) -> Result<Expr, SelectorError> {
        let mut e = self.not()?;
        loop {
            let at = self.pos();
            if !self.eat(&Tok::And) {
                return Ok(e);
            }
            let r = self.not()?;
            e = self.node(at, Expr::And(Box::new(e), Box::new(r)))?;
        }
    }

    fn not(&mut self) -> Result<Expr, SelectorError> {
        let at = self.pos();
        if self.peek() == &Tok::Not {
            self.enter()?;
            self.bump();
            let e = self.not()?;
            self.depth -= 1;
            return self.node(at, Expr::Not(Box::new(e)));
        }
        self.pred()
    }

    fn pred(&mut self) -> Result<Expr, SelectorError> {
        let lhs = self.sum()?;
        let op = match self.peek() {
            Tok::Eq => Some(CmpOp::Eq),
            Tok::Ne => Some(CmpOp::Ne),
            Tok::Lt => Some(CmpOp::Lt),
            Tok::Le => Some(CmpOp::Le),
            Tok::Gt => Some(CmpOp::Gt),
            Tok::Ge => Some(CmpOp::Ge),
            _ => None,
        };
        let at = self.pos();
        if let Some(op) = op {
            self.bump();
            let rhs = self.sum()?;
            return self.node(at, Expr::Cmp(op, Box::new(lhs), Box::new(rhs)));
        }
        if self.eat(&Tok::Is) {
            let negated = self.eat(&Tok::Not);
            self.expect(&Tok::Null, "NULL")?;
            let e = Expr::IsNull {
                expr: Box::new(lhs),
                negated,
            };
            return self.node(at, e);
        }
        let negated = self.eat(&Tok::Not);
        let e = match self.peek() {
            Tok::Between => {
                self.bump();
                let low = self.sum()?;
                self.expect(&Tok::And, "AND")?;
                let high = self.sum()?;
                Expr::Between {
                    expr: Box::new(lhs),
                    low: Box::new(low),
                    high: Box::new(high),
                    negated,
                }
            }
            Tok::Like => {
                self.bump();
                Expr::Like {
                    expr: Box::new(lhs),
                    pattern: self.like_pattern()?,
                    negated,
                }
            }
            Tok::In => {
                self.bump();
                Expr::In {
                    expr: Box::new(lhs),
                    list: self.in_list()?,
                    negated,
                }
            }
            _ if negated => return Err(self.unexpected("BETWEEN, LIKE or IN after NOT")),
            _ => return Ok(lhs),
        };
        self.node(at, e)
    }

    // `like_pattern` and `in_list` do not recurse; kept out of `pred` so
    // that its frame, which is on the recursive path, stays small.

    /// `string [ESCAPE string]` after LIKE.
    #[inline(never)]
    fn like_pattern(&mut self) -> Result<Box<LikePattern>, SelectorError> {
        let pattern_at = self.pos();
        let pattern = self.string("a string pattern after LIKE")?;
        let escape = if self.eat(&Tok::Escape) {
            let at = self.pos();
            let s = self.string("a string after ESCAPE")?;
            let mut chars = s.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => Some(c),
                _ => return Err(SelectorError::new(at, "ESCAPE must be a single character")),
            }
        } else {
            None
        };
        let compiled = LikePattern::new(&pattern, escape);
        if compiled.longest_wild_segment() > MAX_WILD_LIKE_SEGMENT {
            return Err(SelectorError::of(
                SelectorErrorKind::LikeTooWild,
                pattern_at,
                format!(
                    "a LIKE segment with '_' may hold at most {MAX_WILD_LIKE_SEGMENT} characters"
                ),
            ));
        }
        Ok(Box::new(compiled))
    }

    /// `'(' literal (',' literal)* ')'` after IN.
    #[inline(never)]
    fn in_list(&mut self) -> Result<Vec<Literal>, SelectorError> {
        self.expect(&Tok::LParen, "'(' after IN")?;
        let mut list = vec![self.literal()?];
        while self.eat(&Tok::Comma) {
            list.push(self.literal()?);
        }
        self.expect(&Tok::RParen, "',' or ')'")?;
        Ok(list)
    }

    fn string(&mut self, what: &str) -> Result<String, SelectorError> {
        match self.peek() {
            Tok::Str(s) => {
                let s = s.clone();
                self.bump();
                Ok(s)
            }
            _ => Err(self.unexpected(what)),
        }
    }

    /// A literal in an IN list; a leading sign is allowed on numbers.
    fn literal(&mut self) -> Result<Literal, SelectorError> {
        let negative = if self.eat(&Tok::Minus) {
            true
        } else {
            self.eat(&Tok::Plus);
            false
        };
        let lit = match self.peek() {
            Tok::Str(s) if !negative => Literal::Str(s.as_str().into()),
            Tok::Int(i) => Literal::Int(if negative { -*i } else { *i }),
            Tok::Float(f) => Literal::Float(if negative { -*f } else { *f }),
            Tok::True if !negative => Literal::Bool(true),
            Tok::False if !negative => Literal::Bool(false),
            _ => return Err(self.unexpected("a literal")),
        };
        self.bump();
        Ok(lit)
    }

    fn sum(&mut self) -> Result<Expr, SelectorError> {
        let mut e = self.product()?;
        loop {
            let op = match self.peek() {
                Tok::Plus => ArithOp::Add,
                Tok::Minus => ArithOp::Sub,
                _ => return Ok(e),
            };
            let at = self.pos();
            self.bump();
            let r = self.product()?;
            e = self.node(at, Expr::Arith(op, Box::new(e), Box::new(r)))?;
        }
    }

    fn product(&mut self) -> Result<Expr, SelectorError> {
        let mut e = self.unary()?;
        loop {
            let op = match self.peek() {
                Tok::Star => ArithOp::Mul,
                Tok::Slash => ArithOp::Div,
                _ => return Ok(e),
            };
            let at = self.pos();
            self.bump();
            let r = self.unary()?;
            e = self.node(at, Expr::Arith(op, Box::new(e), Box::new(r)))?;
        }
    }

    fn unary(&mut self) -> Result<Expr, SelectorError> {
        let at = self.pos();
        match self.peek() {
            Tok::Minus => {
                self.enter()?;
                self.bump();
                let e = self.unary()?;
                self.depth -= 1;
                // Fold negative literals so that i64::MIN-adjacent values
                // and `-5` stay literals.
                match e {
                    Expr::Lit(Literal::Int(i)) => Ok(Expr::Lit(Literal::Int(i.wrapping_neg()))),
                    Expr::Lit(Literal::Float(f)) => Ok(Expr::Lit(Literal::Float(-f))),
                    e => self.node(at, Expr::Neg(Box::new(e))),
                }
            }
            Tok::Plus => {
                self.enter()?;
                self.bump();
                let e = self.unary()?;
                self.depth -= 1;
                self.node(at, Expr::Pos(Box::new(e)))
            }
            _ => self.primary(),
        }
    }

    fn primary(&mut self) -> Result<Expr, SelectorError> {
        let e = match self.peek() {
            Tok::Ident(name) => Expr::Ident(name.as_str().into()),
            Tok::Str(s) => Expr::Lit(Literal::Str(s.as_str().into())),
            Tok::Int(i) => Expr::Lit(Literal::Int(*i)),
            Tok::Float(f) => Expr::Lit(Literal::Float(*f)),
            Tok::True => Expr::Lit(Literal::Bool(true)),
            Tok::False => Expr::Lit(Literal::Bool(false)),
            Tok::Null => Expr::Lit(Literal::Null),
            Tok::LParen => {
                self.enter()?;
                self.bump();
                let e = self.or()?;
                self.depth -= 1;
                self.expect(&Tok::RParen, "')'")?;
                return Ok(e);
            }
            _ => return Err(self.unexpected("an identifier, a literal or '('")),
        };
        let at = self.pos();
        self.bump();
        self.node(at, e)
    }
}
