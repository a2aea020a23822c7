//! Tokenizer for selector expressions.

use super::error::SelectorError;

/// A token and the byte offset where it starts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub kind: Tok,
    pub pos: usize,
}

/// Token kinds. Keywords are case-insensitive; identifiers are not.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    Ident(String),
    Str(String),
    Int(i64),
    Float(f64),
    True,
    False,
    Null,
    And,
    Or,
    Not,
    Between,
    Like,
    In,
    Is,
    Escape,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Plus,
    Minus,
    Star,
    Slash,
    LParen,
    RParen,
    Comma,
    End,
}

impl Tok {
    /// How the token is named in error messages.
    pub(super) fn describe(&self) -> String {
        match self {
            Tok::Ident(s) => format!("identifier '{s}'"),
            Tok::Str(s) => format!("string '{s}'"),
            Tok::Int(i) => format!("number {i}"),
            Tok::Float(f) => format!("number {f}"),
            Tok::End => "end of input".to_owned(),
            other => format!("'{}'", other.symbol()),
        }
    }

    fn symbol(&self) -> &'static str {
        match self {
            Tok::True => "TRUE",
            Tok::False => "FALSE",
            Tok::Null => "NULL",
            Tok::And => "AND",
            Tok::Or => "OR",
            Tok::Not => "NOT",
            Tok::Between => "BETWEEN",
            Tok::Like => "LIKE",
            Tok::In => "IN",
            Tok::Is => "IS",
            Tok::Escape => "ESCAPE",
            Tok::Eq => "=",
            Tok::Ne => "<>",
            Tok::Lt => "<",
            Tok::Le => "<=",
            Tok::Gt => ">",
            Tok::Ge => ">=",
            Tok::Plus => "+",
            Tok::Minus => "-",
            Tok::Star => "*",
            Tok::Slash => "/",
            Tok::LParen => "(",
            Tok::RParen => ")",
            Tok::Comma => ",",
            Tok::Ident(_) | Tok::Str(_) | Tok::Int(_) | Tok::Float(_) | Tok::End => "",
        }
    }
}

/// Splits `src` into tokens, ending with [`Tok::End`].
pub(crate) fn tokenize(src: &str) -> Result<Vec<Token>, SelectorError> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        let kind = match c {
            b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' => {
                i += 1;
                continue;
            }
            b'(' => single(&mut i, Tok::LParen),
            b')' => single(&mut i, Tok::RParen),
            b',' => single(&mut i, Tok::Comma),
            b'+' => single(&mut i, Tok::Plus),
            b'-' => single(&mut i, Tok::Minus),
            b'*' => single(&mut i, Tok::Star),
            b'/' => single(&mut i, Tok::Slash),
            b'=' => single(&mut i, Tok::Eq),
            b'<' => match bytes.get(i + 1) {
                Some(b'=') => double(&mut i, Tok::Le),
                Some(b'>') => double(&mut i, Tok::Ne),
                _ => single(&mut i, Tok::Lt),
            },
            b'>' => match bytes.get(i + 1) {
                Some(b'=') => double(&mut i, Tok::Ge),
                _ => single(&mut i, Tok::Gt),
            },
            b'\'' => lex_string(src, &mut i)?,
            b'0'..=b'9' | b'.' => lex_number(src, &mut i)?,
            _ => {
                let ch = src[i..].chars().next().unwrap_or('\0');
                if ch.is_alphabetic() || ch == '_' || ch == '$' {
                    lex_word(src, &mut i)
                } else {
                    return Err(SelectorError::new(
                        start,
                        format!("unexpected character '{ch}'"),
                    ));
                }
            }
        };
        out.push(Token { kind, pos: start });
    }
    out.push(Token {
        kind: Tok::End,
        pos: src.len(),
    });
    Ok(out)
}

fn single(i: &mut usize, t: Tok) -> Tok {
    *i += 1;
    t
}

fn double(i: &mut usize, t: Tok) -> Tok {
    *i += 2;
    t
}

/// A string literal in single quotes; `''` stands for one quote.
fn lex_string(src: &str, i: &mut usize) -> Result<Tok, SelectorError> {
    let start = *i;
    let bytes = src.as_bytes();
    let mut j = start + 1;
    let mut value = String::new();
    let mut seg = j;
    loop {
        match bytes.get(j) {
            None => return Err(SelectorError::new(start, "unterminated string literal")),
            Some(b'\'') => {
                value.push_str(&src[seg..j]);
                if bytes.get(j + 1) == Some(&b'\'') {
                    value.push('\'');
                    j += 2;
                    seg = j;
                } else {
                    *i = j + 1;
                    return Ok(Tok::Str(value));
                }
            }
            Some(_) => j += 1,
        }
    }
}

/// Exact (`57`, `0x1F`) or approximate (`7.`, `.5`, `-57.9E2`'s magnitude)
/// numeric literals; a trailing `L`/`l` (long) or `F`/`D` suffix is accepted
/// as in Java. Signs are unary operators, handled by the parser.
fn lex_number(src: &str, i: &mut usize) -> Result<Tok, SelectorError> {
    let start = *i;
    let bytes = src.as_bytes();
    let mut j = start;
    if bytes[j] == b'0' && matches!(bytes.get(j + 1), Some(b'x' | b'X')) {
        j += 2;
        let digits = j;
        while j < bytes.len() && bytes[j].is_ascii_hexdigit() {
            j += 1;
        }
        let value = i64::from_str_radix(&src[digits..j], 16)
            .map_err(|_| SelectorError::new(start, "invalid hexadecimal literal"))?;
        if matches!(bytes.get(j), Some(b'l' | b'L')) {
            j += 1;
        }
        *i = j;
        return Ok(Tok::Int(value));
    }
    let mut float = false;
    while j < bytes.len() && bytes[j].is_ascii_digit() {
        j += 1;
    }
    if bytes.get(j) == Some(&b'.') {
        float = true;
        j += 1;
        while j < bytes.len() && bytes[j].is_ascii_digit() {
            j += 1;
        }
    }
    if &src[start..j] == "." {
        return Err(SelectorError::new(start, "unexpected character '.'"));
    }
    if matches!(bytes.get(j), Some(b'e' | b'E')) {
        let mut k = j + 1;
        if matches!(bytes.get(k), Some(b'+' | b'-')) {
            k += 1;
        }
        if bytes.get(k).is_some_and(u8::is_ascii_digit) {
            float = true;
            while k < bytes.len() && bytes[k].is_ascii_digit() {
                k += 1;
            }
            j = k;
        } else {
            return Err(SelectorError::new(j, "exponent without digits"));
        }
    }
    let text = &src[start..j];
    let tok = if float {
        Tok::Float(
            text.parse::<f64>()
                .map_err(|_| SelectorError::new(start, "invalid numeric literal"))?,
        )
    } else {
        match text.parse::<i64>() {
            Ok(v) => Tok::Int(v),
            Err(_) => return Err(SelectorError::new(start, "integer literal out of range")),
        }
    };
    match bytes.get(j) {
        Some(b'l' | b'L') if !float => j += 1,
        Some(b'f' | b'F' | b'd' | b'D') => {
            j += 1;
            *i = j;
            return Ok(match tok {
                Tok::Int(v) => Tok::Float(v as f64),
                t => t,
            });
        }
        _ => {}
    }
    if let Some(c) = src[j..].chars().next() {
        if c.is_alphanumeric() || c == '_' {
            return Err(SelectorError::new(
                j,
                format!("unexpected character '{c}' after number"),
            ));
        }
    }
    *i = j;
    Ok(tok)
}

fn lex_word(src: &str, i: &mut usize) -> Tok {
    let start = *i;
    let end = src[start..]
        .char_indices()
        .find(|&(_, c)| !(c.is_alphanumeric() || c == '_' || c == '$'))
        .map_or(src.len(), |(k, _)| start + k);
    *i = end;
    let word = &src[start..end];
    match word.to_ascii_uppercase().as_str() {
        "TRUE" => Tok::True,
        "FALSE" => Tok::False,
        "NULL" => Tok::Null,
        "AND" => Tok::And,
        "OR" => Tok::Or,
        "NOT" => Tok::Not,
        "BETWEEN" => Tok::Between,
        "LIKE" => Tok::Like,
        "IN" => Tok::In,
        "IS" => Tok::Is,
        "ESCAPE" => Tok::Escape,
        _ => Tok::Ident(word.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(s: &str) -> Vec<Tok> {
        tokenize(s).unwrap().into_iter().map(|t| t.kind).collect()
    }

    #[test]
    fn tokens() {
        assert_eq!(
            kinds("a<>'it''s' and 1.5e2 <= 0x10"),
            vec![
                Tok::Ident("a".into()),
                Tok::Ne,
                Tok::Str("it's".into()),
                Tok::And,
                Tok::Float(150.0),
                Tok::Le,
                Tok::Int(16),
                Tok::End
            ]
        );
        assert_eq!(
            kinds(".5 7. 3L"),
            vec![Tok::Float(0.5), Tok::Float(7.0), Tok::Int(3), Tok::End]
        );
    }

    #[test]
    fn errors_have_positions() {
        assert_eq!(tokenize("a = 'x").unwrap_err().position, 4);
        assert_eq!(tokenize("a # 1").unwrap_err().position, 2);
        assert_eq!(tokenize("a = 1e").unwrap_err().position, 5);
        assert_eq!(
            tokenize("a = 99999999999999999999").unwrap_err().position,
            4
        );
    }
}
