//! `LIKE` patterns: `%` matches any sequence, `_` any single character, and
//! the optional escape character makes the next character literal.
//!
//! A pattern is compiled into the segments between its `%`s. The first
//! segment must match at the start of the text, the last at its end, and
//! each one between them is searched for, leftmost first, after the one
//! before: a segment has a fixed length in characters, so the leftmost
//! occurrence always leaves the most room to the rest, and nothing is
//! ever retried. For a text of n bytes and a pattern of m characters:
//!
//! * anchored segments cost O(their length);
//! * a middle segment without `_` is a substring search (the standard
//!   library's Two-Way search, O(n + k) and no backtracking);
//! * a middle segment with `_` is a Shift-And search (`shift_and.rs`),
//!   O(n · ⌈k/64⌉ · log k); the parser refuses such segments longer than
//!   64 characters (`MAX_WILD_LIKE_SEGMENT`), so ⌈k/64⌉ = 1.
//!
//! Successive middle searches resume where the previous match ended, so
//! the text is read once in all: O(n + m) without `_` between two `%`s,
//! O(n · ⌈k/64⌉ · log k + m) with them, k being the longest such segment.
//! (The greedy two-pointer matcher this replaced was O(n · m): a 20 KB
//! pattern against a 2 MB header took 33 s.)

use super::shift_and::ShiftAnd;

/// A run of pattern characters between `%`s.
#[derive(Debug, Clone, PartialEq)]
struct Segment {
    /// Each position: a character, or `None` for `_`.
    units: Vec<Option<char>>,
    /// How a middle segment is searched for.
    search: Search,
}

#[derive(Debug, Clone, PartialEq)]
enum Search {
    /// No `_`: the segment as a string.
    Literal(String),
    /// With `_`.
    Wild(ShiftAnd),
    /// The empty segment (matches everywhere).
    Empty,
}

impl Segment {
    fn new(units: Vec<Option<char>>) -> Self {
        let search = if units.iter().all(Option::is_some) {
            if units.is_empty() {
                Search::Empty
            } else {
                Search::Literal(units.iter().flatten().collect())
            }
        } else {
            ShiftAnd::new(&units).map_or(Search::Empty, Search::Wild)
        };
        Segment { units, search }
    }

    /// Where a match at the start of `text` ends (byte offset).
    fn match_prefix(&self, text: &str) -> Option<usize> {
        let mut chars = text.char_indices();
        for u in &self.units {
            let (_, c) = chars.next()?;
            if u.is_some_and(|u| u != c) {
                return None;
            }
        }
        Some(chars.next().map_or(text.len(), |(i, _)| i))
    }

    /// Where a match at the end of `text` starts (byte offset).
    fn match_suffix(&self, text: &str) -> Option<usize> {
        let mut chars = text.char_indices().rev();
        let mut start = text.len();
        for u in self.units.iter().rev() {
            let (i, c) = chars.next()?;
            if u.is_some_and(|u| u != c) {
                return None;
            }
            start = i;
        }
        Some(start)
    }

    /// Where the leftmost match in `text` ends (byte offset).
    fn find_end(&self, text: &str) -> Option<usize> {
        match &self.search {
            Search::Literal(s) => text.find(s.as_str()).map(|i| i + s.len()),
            Search::Wild(w) => w.find_end(text),
            Search::Empty => Some(0),
        }
    }
}

/// A compiled `LIKE` pattern.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LikePattern {
    /// Before the first `%` (the whole pattern when there is none).
    head: Segment,
    /// Between `%`s, then after the last one; `None` without a `%`.
    rest: Option<(Vec<Segment>, Segment)>,
}

impl LikePattern {
    /// Compiles `pattern`; an escape character at the very end stands for
    /// itself.
    pub(super) fn new(pattern: &str, escape: Option<char>) -> Self {
        let mut segments = Vec::new();
        let mut units = Vec::new();
        let mut chars = pattern.chars();
        while let Some(c) = chars.next() {
            if Some(c) == escape {
                units.push(Some(chars.next().unwrap_or(c)));
            } else if c == '%' {
                segments.push(Segment::new(std::mem::take(&mut units)));
            } else if c == '_' {
                units.push(None);
            } else {
                units.push(Some(c));
            }
        }
        let last = Segment::new(units);
        let mut segments = segments.into_iter();
        match segments.next() {
            None => LikePattern {
                head: last,
                rest: None,
            },
            Some(head) => LikePattern {
                head,
                // `%%` leaves empty segments, which match anywhere.
                rest: Some((segments.filter(|s| !s.units.is_empty()).collect(), last)),
            },
        }
    }

    /// The length in characters of the longest segment holding a `_`
    /// (0 when none does).
    pub(crate) fn longest_wild_segment(&self) -> usize {
        let rest = self
            .rest
            .iter()
            .flat_map(|(middle, tail)| middle.iter().chain([tail]));
        std::iter::once(&self.head)
            .chain(rest)
            .filter(|s| s.units.iter().any(Option::is_none))
            .map(|s| s.units.len())
            .max()
            .unwrap_or(0)
    }

    /// Whether `text` matches the whole pattern (bounds in the module
    /// documentation).
    pub(super) fn matches(&self, text: &str) -> bool {
        let Some(after_head) = self.head.match_prefix(text) else {
            return false;
        };
        let Some((middle, tail)) = &self.rest else {
            return after_head == text.len();
        };
        let rest = &text[after_head..];
        let Some(tail_start) = tail.match_suffix(rest) else {
            return false;
        };
        let mut inner = &rest[..tail_start];
        for segment in middle {
            match segment.find_end(inner) {
                Some(end) => inner = &inner[end..],
                None => return false,
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition, by dynamic programming over characters: the
    /// reference the compiled matcher is checked against.
    fn reference(pattern: &str, escape: Option<char>, text: &str) -> bool {
        #[derive(PartialEq)]
        enum P {
            C(char),
            One,
            Many,
        }
        let mut p = Vec::new();
        let mut it = pattern.chars();
        while let Some(c) = it.next() {
            p.push(if Some(c) == escape {
                P::C(it.next().unwrap_or(c))
            } else if c == '%' {
                P::Many
            } else if c == '_' {
                P::One
            } else {
                P::C(c)
            });
        }
        let t: Vec<char> = text.chars().collect();
        // m[j]: the pattern's first j parts match the text read so far.
        let mut m = vec![false; p.len() + 1];
        m[0] = true;
        for j in 0..p.len() {
            m[j + 1] = m[j] && p[j] == P::Many;
        }
        for &c in &t {
            let mut next = vec![false; p.len() + 1];
            for j in 0..p.len() {
                next[j + 1] = match p[j] {
                    P::Many => next[j] || m[j + 1],
                    P::One => m[j],
                    P::C(x) => m[j] && x == c,
                };
            }
            m = next;
        }
        m[p.len()]
    }

    fn m(p: &str, t: &str) -> bool {
        let got = LikePattern::new(p, None).matches(t);
        assert_eq!(got, reference(p, None, t), "{p:?} LIKE {t:?}");
        got
    }

    #[test]
    fn wildcards() {
        let cases: &[(&str, &str, bool)] = &[
            ("12%3", "123", true),
            ("12%3", "12993", true),
            ("12%3", "1234", false),
            ("l_se", "lose", true),
            ("l_se", "loose", false),
            ("%", "", true),
            ("%", "anything", true),
            ("%%", "", true),
            ("", "", true),
            ("", "a", false),
            ("%a%b%", "xxaxxbxx", true),
            ("%a%b%", "xxbxxaxx", false),
            ("_%", "é", true),
            ("_", "", false),
            ("_", "é", true),
            ("__", "é", false),
            ("a%", "a", true),
            ("%a", "a", true),
            ("a%a", "a", false),
            ("a%a", "aa", true),
            ("%ab%", "aab", true),
            ("%a_c%", "abdabc", true),
            ("%a_c%", "abdabd", false),
            ("%_%_%", "x", false),
            ("%_%_%", "xy", true),
            ("%b_%_b%", "bxb", false),
            ("%b_%_b%", "bxxb", true),
            ("ab%ba", "aba", false),
            ("ab%ba", "abba", true),
            ("%aab", "aaab", true),
            ("%a%%a%", "aa", true),
        ];
        for (p, t, want) in cases {
            assert_eq!(m(p, t), *want, "{p:?} LIKE {t:?}");
        }
    }

    #[test]
    fn escapes() {
        let cases: &[(&str, char, &str, bool)] = &[
            ("\\_foo", '\\', "_foo", true),
            ("\\_foo", '\\', "xfoo", false),
            ("100!%", '!', "100%", true),
            ("100!%", '!', "1000", false),
            ("a!!b", '!', "a!b", true),
            ("%!%%", '!', "50% off", true),
            ("%!%%", '!', "50 off", false),
            ("%!_x%", '!', "a_x", true),
            ("%!_x%", '!', "abx", false),
            ("ab!", '!', "ab!", true),
        ];
        for (p, e, t, want) in cases {
            let got = LikePattern::new(p, Some(*e)).matches(t);
            assert_eq!(got, *want, "{p:?} ESCAPE {e:?} LIKE {t:?}");
            assert_eq!(got, reference(p, Some(*e), t), "{p:?} vs reference");
        }
    }

    /// The adversarial review's bomb: a 20 KB pattern that the old
    /// matcher retried at every position of a 2 MB text. Linear now; the
    /// assertion is on the result, its running time is in docs/limits.md.
    #[test]
    fn a_long_pattern_against_a_long_text_finishes() {
        let pattern = format!("%{}b", "a".repeat(20_000));
        let p = LikePattern::new(&pattern, None);
        let mut text = "a".repeat(2_000_000);
        assert!(!p.matches(&text));
        text.push('b');
        assert!(p.matches(&text));
        // With `_` in a middle segment: the Shift-And search.
        let pattern = format!("%{}_b%", "a".repeat(2_000));
        let p = LikePattern::new(&pattern, None);
        let mut text = "a".repeat(200_000);
        assert!(!p.matches(&text));
        text.push_str("xb");
        assert!(p.matches(&text));
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_the_definition(
            pattern in "[ab_%!]{0,12}",
            text in "[abé]{0,16}",
        ) {
            let compiled = LikePattern::new(&pattern, Some('!'));
            proptest::prop_assert_eq!(
                compiled.matches(&text),
                reference(&pattern, Some('!'), &text),
                "{:?} LIKE {:?}", pattern, text
            );
        }
    }
}
