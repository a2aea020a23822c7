//! `LIKE` patterns: `%` matches any sequence, `_` any single character, and
//! the optional escape character makes the next character literal.

/// One element of a compiled pattern.
#[derive(Debug, Clone, PartialEq)]
enum Part {
    Char(char),
    AnyOne,
    AnyMany,
}

/// A compiled `LIKE` pattern.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LikePattern {
    parts: Vec<Part>,
}

impl LikePattern {
    /// Compiles `pattern`; an escape character at the very end stands for
    /// itself.
    pub fn new(pattern: &str, escape: Option<char>) -> Self {
        let mut parts = Vec::new();
        let mut chars = pattern.chars();
        while let Some(c) = chars.next() {
            if Some(c) == escape {
                parts.push(Part::Char(chars.next().unwrap_or(c)));
            } else if c == '%' {
                if parts.last() != Some(&Part::AnyMany) {
                    parts.push(Part::AnyMany);
                }
            } else if c == '_' {
                parts.push(Part::AnyOne);
            } else {
                parts.push(Part::Char(c));
            }
        }
        LikePattern { parts }
    }

    /// Whether `text` matches the whole pattern. Iterative with
    /// backtracking to the last `%` only, so it is O(len(text) × len(pattern))
    /// in the worst case.
    pub fn matches(&self, text: &str) -> bool {
        let text: Vec<char> = text.chars().collect();
        let p = &self.parts;
        let (mut ti, mut pi) = (0usize, 0usize);
        let mut star: Option<(usize, usize)> = None;
        while ti < text.len() {
            match p.get(pi) {
                Some(Part::AnyMany) => {
                    star = Some((pi, ti));
                    pi += 1;
                }
                Some(Part::AnyOne) => {
                    ti += 1;
                    pi += 1;
                }
                Some(Part::Char(c)) if *c == text[ti] => {
                    ti += 1;
                    pi += 1;
                }
                _ => match star {
                    Some((sp, st)) => {
                        pi = sp + 1;
                        ti = st + 1;
                        star = Some((sp, st + 1));
                    }
                    None => return false,
                },
            }
        }
        p[pi.min(p.len())..].iter().all(|x| *x == Part::AnyMany)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        let m = |p: &str, t: &str| LikePattern::new(p, None).matches(t);
        assert!(m("12%3", "123"));
        assert!(m("12%3", "12993"));
        assert!(!m("12%3", "1234"));
        assert!(m("l_se", "lose"));
        assert!(!m("l_se", "loose"));
        assert!(m("%", ""));
        assert!(m("", ""));
        assert!(!m("", "a"));
        assert!(m("%a%b%", "xxaxxbxx"));
        assert!(!m("%a%b%", "xxbxxaxx"));
        assert!(m("_%", "é"));
    }

    #[test]
    fn escapes() {
        let p = LikePattern::new("\\_foo", Some('\\'));
        assert!(p.matches("_foo"));
        assert!(!p.matches("xfoo"));
        let p = LikePattern::new("100!%", Some('!'));
        assert!(p.matches("100%"));
        assert!(!p.matches("1000"));
        let p = LikePattern::new("a!!b", Some('!'));
        assert!(p.matches("a!b"));
    }
}
