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

use super::ast::{ArithOp, CmpOp, Expr, Literal};
use super::lexer::{Tok, Token};
use super::SelectorError;

/// Parses a whole token stream into one expression.
pub(crate) fn parse(tokens: &[Token]) -> Result<Expr, SelectorError> {
    let mut p = Parser {
        tokens,
        at: 0,
        depth: 0,
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

/// Nesting bound so that hostile input cannot overflow the stack.
const MAX_DEPTH: usize = 128;

struct Parser<'a> {
    tokens: &'a [Token],
    at: usize,
    depth: usize,
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
        if self.depth > MAX_DEPTH {
            return Err(SelectorError::new(
                self.pos(),
                "expression nested too deeply",
            ));
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Expr, SelectorError> {
        self.enter()?;
        let mut e = self.and()?;
        while self.eat(&Tok::Or) {
            let r = self.and()?;
            e = Expr::Or(Box::new(e), Box::new(r));
        }
        self.depth -= 1;
        Ok(e)
    }

    fn and(&mut self) -> Result<Expr, SelectorError> {
        let mut e = self.not()?;
        while self.eat(&Tok::And) {
            let r = self.not()?;
            e = Expr::And(Box::new(e), Box::new(r));
        }
        Ok(e)
    }

    fn not(&mut self) -> Result<Expr, SelectorError> {
        if self.eat(&Tok::Not) {
            self.enter()?;
            let e = self.not()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(e)));
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
        if let Some(op) = op {
            self.bump();
            let rhs = self.sum()?;
            return Ok(Expr::Cmp(op, Box::new(lhs), Box::new(rhs)));
        }
        if self.eat(&Tok::Is) {
            let negated = self.eat(&Tok::Not);
            self.expect(&Tok::Null, "NULL")?;
            return Ok(Expr::IsNull {
                expr: Box::new(lhs),
                negated,
            });
        }
        let negated = self.eat(&Tok::Not);
        match self.peek() {
            Tok::Between => {
                self.bump();
                let low = self.sum()?;
                self.expect(&Tok::And, "AND")?;
                let high = self.sum()?;
                Ok(Expr::Between {
                    expr: Box::new(lhs),
                    low: Box::new(low),
                    high: Box::new(high),
                    negated,
                })
            }
            Tok::Like => {
                self.bump();
                let pattern = self.string("a string pattern after LIKE")?;
                let escape = if self.eat(&Tok::Escape) {
                    let at = self.pos();
                    let s = self.string("a string after ESCAPE")?;
                    let mut chars = s.chars();
                    match (chars.next(), chars.next()) {
                        (Some(c), None) => Some(c),
                        _ => {
                            return Err(SelectorError::new(at, "ESCAPE must be a single character"))
                        }
                    }
                } else {
                    None
                };
                Ok(Expr::Like {
                    expr: Box::new(lhs),
                    pattern: super::like::LikePattern::new(&pattern, escape),
                    negated,
                })
            }
            Tok::In => {
                self.bump();
                self.expect(&Tok::LParen, "'(' after IN")?;
                let mut list = vec![self.literal()?];
                while self.eat(&Tok::Comma) {
                    list.push(self.literal()?);
                }
                self.expect(&Tok::RParen, "',' or ')'")?;
                Ok(Expr::In {
                    expr: Box::new(lhs),
                    list,
                    negated,
                })
            }
            _ if negated => Err(self.unexpected("BETWEEN, LIKE or IN after NOT")),
            _ => Ok(lhs),
        }
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
            self.bump();
            let r = self.product()?;
            e = Expr::Arith(op, Box::new(e), Box::new(r));
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
            self.bump();
            let r = self.unary()?;
            e = Expr::Arith(op, Box::new(e), Box::new(r));
        }
    }

    fn unary(&mut self) -> Result<Expr, SelectorError> {
        match self.peek() {
            Tok::Minus => {
                self.bump();
                self.enter()?;
                let e = self.unary()?;
                self.depth -= 1;
                // Fold negative literals so that i64::MIN-adjacent values
                // and `-5` stay literals.
                Ok(match e {
                    Expr::Lit(Literal::Int(i)) => Expr::Lit(Literal::Int(i.wrapping_neg())),
                    Expr::Lit(Literal::Float(f)) => Expr::Lit(Literal::Float(-f)),
                    e => Expr::Neg(Box::new(e)),
                })
            }
            Tok::Plus => {
                self.bump();
                self.enter()?;
                let e = self.unary()?;
                self.depth -= 1;
                Ok(Expr::Pos(Box::new(e)))
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
                self.bump();
                let e = self.or()?;
                self.expect(&Tok::RParen, "')'")?;
                return Ok(e);
            }
            _ => return Err(self.unexpected("an identifier, a literal or '('")),
        };
        self.bump();
        Ok(e)
    }
}
