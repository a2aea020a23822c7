//! Subtopics and subtopic patterns, with BlazeDS's validation and matching
//! rules.
//!
//! * A subtopic is never empty.
//! * When it contains the destination's separator (`.` by default) it is
//!   *hierarchical*: it may not start or end with the separator nor contain
//!   two separators in a row, and a token containing `*` must be exactly
//!   `*` (`chat.*` is valid, `chat.f*` is not).
//! * A non-hierarchical subtopic may contain `*` only as the whole value.
//! * Tokens are split on every character of the separator, skipping empty
//!   tokens (Java's `StringTokenizer`).
//! * Matching: when neither side has a wildcard the strings must be equal.
//!   Otherwise tokens are compared pairwise, a `*` on either side matching
//!   any single token; when one side has more tokens, they still match if
//!   the last token of the *shorter* side is `*`. So `foo.*` matches
//!   `foo.bar` and `foo.bar.baz` but not `foo`, `*` matches every subtopic,
//!   and `foo.*.baz` matches `foo.x.baz` only.
//! * Hierarchical subtopics with different separators never match through
//!   a wildcard.
//!
//! A message published without a subtopic reaches only subscriptions
//! without a subtopic, and a subscription with a subtopic only receives
//! messages that carry a matching one (the subscription-manager rule; it
//! lives in [`SubscriptionFilter::accepts`](crate::SubscriptionFilter::accepts)).

use std::fmt;

/// The wildcard token.
pub const WILDCARD: &str = "*";

/// BlazeDS's default subtopic separator.
pub const DEFAULT_SEPARATOR: &str = ".";

/// Why a subtopic string was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubtopicError {
    /// The subtopic is the empty string.
    #[error("subtopic is empty")]
    Empty,
    /// A hierarchical subtopic starts or ends with the separator or has two
    /// separators in a row.
    #[error("subtopic '{0}' has an empty token")]
    EmptyToken(String),
    /// A token mixes the wildcard with other characters.
    #[error("subtopic '{0}' uses '*' inside a token; a wildcard must be a whole token")]
    PartialWildcard(String),
}

/// A validated subtopic or subtopic pattern.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Subtopic {
    value: String,
    separator: String,
    hierarchical: bool,
    wildcard: bool,
}

impl Subtopic {
    /// Validates `value` against the BlazeDS rules for `separator`.
    pub fn parse(value: &str, separator: &str) -> Result<Self, SubtopicError> {
        if value.is_empty() {
            return Err(SubtopicError::Empty);
        }
        let hierarchical = !separator.is_empty() && value.contains(separator);
        let mut wildcard = false;
        if hierarchical {
            let doubled = format!("{separator}{separator}");
            if value.starts_with(separator)
                || value.ends_with(separator)
                || value.contains(&doubled)
            {
                return Err(SubtopicError::EmptyToken(value.to_owned()));
            }
            for token in tokens(value, separator) {
                if token.contains(WILDCARD) {
                    if token != WILDCARD {
                        return Err(SubtopicError::PartialWildcard(value.to_owned()));
                    }
                    wildcard = true;
                }
            }
        } else if value.contains(WILDCARD) {
            if value != WILDCARD {
                return Err(SubtopicError::PartialWildcard(value.to_owned()));
            }
            wildcard = true;
        }
        Ok(Subtopic {
            value: value.to_owned(),
            separator: separator.to_owned(),
            hierarchical,
            wildcard,
        })
    }

    /// The subtopic string.
    pub fn as_str(&self) -> &str {
        &self.value
    }

    /// The separator it was parsed with.
    pub fn separator(&self) -> &str {
        &self.separator
    }

    /// `true` when it contains the separator.
    pub fn is_hierarchical(&self) -> bool {
        self.hierarchical
    }

    /// `true` when it contains a wildcard token.
    pub fn has_wildcard(&self) -> bool {
        self.wildcard
    }

    /// Whether this subtopic (typically a subscription pattern) matches
    /// `other` (typically a message's subtopic). See the module docs.
    pub fn matches(&self, other: &Subtopic) -> bool {
        if !self.wildcard && !other.wildcard {
            return self.value == other.value;
        }
        if self.hierarchical && other.hierarchical && self.separator != other.separator {
            return false;
        }
        let mine: Vec<&str> = tokens(&self.value, &self.separator).collect();
        let theirs: Vec<&str> = tokens(&other.value, &other.separator).collect();
        for (a, b) in mine.iter().zip(theirs.iter()) {
            if *a != WILDCARD && *b != WILDCARD && a != b {
                return false;
            }
        }
        match mine.len().cmp(&theirs.len()) {
            std::cmp::Ordering::Equal => true,
            // This side is shorter: its last token must be the wildcard.
            std::cmp::Ordering::Less => mine.last() == Some(&WILDCARD),
            // The other side is shorter: its last token must be the wildcard.
            std::cmp::Ordering::Greater => theirs.last() == Some(&WILDCARD),
        }
    }
}

impl Subtopic {
    /// Like [`matches`](Self::matches) against a message subtopic given as a
    /// string that was validated with the same separator and has no
    /// wildcard (the broker rejects wildcard publishes). Allocation-free:
    /// this runs once per message and subscription at drain time.
    pub fn matches_str(&self, subtopic: &str) -> bool {
        if !self.wildcard {
            return self.value == subtopic;
        }
        let mut mine = tokens(&self.value, &self.separator);
        let mut theirs = tokens(subtopic, &self.separator);
        let mut last_mine = None;
        loop {
            match (mine.next(), theirs.next()) {
                (Some(a), Some(b)) => {
                    if a != WILDCARD && b != WILDCARD && a != b {
                        return false;
                    }
                    last_mine = Some(a);
                }
                (None, None) => return true,
                // The message is shorter: only a wildcard as its last token
                // would do, and message subtopics have none.
                (Some(_), None) => {
                    return tokens(subtopic, &self.separator).last() == Some(WILDCARD)
                }
                // The pattern is shorter: its last token must be the wildcard.
                (None, Some(_)) => return last_mine == Some(WILDCARD),
            }
        }
    }
}

impl fmt::Display for Subtopic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.value)
    }
}

/// Splits like `java.util.StringTokenizer`: every character of `separator`
/// delimits, empty tokens are skipped.
fn tokens<'a>(value: &'a str, separator: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    value
        .split(move |c: char| separator.contains(c))
        .filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(s: &str) -> Subtopic {
        Subtopic::parse(s, ".").unwrap()
    }

    #[test]
    fn exact_matches() {
        assert!(st("foo").matches(&st("foo")));
        assert!(!st("foo").matches(&st("bar")));
        assert!(st("foo.bar").matches(&st("foo.bar")));
        assert!(!st("foo.bar").matches(&st("foo.baz")));
    }

    #[test]
    fn different_separators_do_not_match() {
        let other = Subtopic::parse("foo*bar", "*").unwrap();
        assert!(!st("foo.bar").matches(&other));
        let wild = Subtopic::parse("foo/*", "/").unwrap();
        assert!(!st("foo.*").matches(&wild));
    }

    #[test]
    fn star_matches_everything() {
        assert!(st("*").matches(&st("foo.bar.foo")));
        assert!(st("*").matches(&st("foo")));
    }

    #[test]
    fn trailing_wildcard_matches_one_or_more_tokens() {
        assert!(st("foo.*").matches(&st("foo.bar")));
        assert!(st("foo.*").matches(&st("foo.bar.foo")));
        assert!(st("foo.bar.*").matches(&st("foo.bar.foo")));
        assert!(!st("foo.*").matches(&st("foo")));
        assert!(!st("foo.*").matches(&st("bar.baz")));
        // Symmetric: the wildcard may be on either side.
        assert!(st("foo.bar.foo").matches(&st("foo.*")));
    }

    #[test]
    fn inner_wildcard_matches_exactly_one_token() {
        assert!(st("foo.*.baz").matches(&st("foo.x.baz")));
        assert!(!st("foo.*.baz").matches(&st("foo.x.y.baz")));
        assert!(!st("foo.*.baz").matches(&st("foo.x")));
        assert!(!st("foo.*.baz").matches(&st("foo.x.qux")));
    }

    #[test]
    fn validation() {
        assert_eq!(Subtopic::parse("", "."), Err(SubtopicError::Empty));
        for bad in [".foo", "foo.", "foo..bar"] {
            assert!(
                matches!(Subtopic::parse(bad, "."), Err(SubtopicError::EmptyToken(_))),
                "{bad}"
            );
        }
        for bad in ["foo*", "chat.f*", "*foo.bar"] {
            assert!(
                matches!(
                    Subtopic::parse(bad, "."),
                    Err(SubtopicError::PartialWildcard(_))
                ),
                "{bad}"
            );
        }
        assert!(st("chat.*").has_wildcard());
        assert!(st("*").has_wildcard());
        assert!(!st("chat.room").has_wildcard());
        assert!(st("chat.room").is_hierarchical());
        assert!(!st("chat").is_hierarchical());
    }

    proptest::proptest! {
        #[test]
        fn matches_str_agrees_with_matches(
            pattern in proptest::collection::vec(proptest::prop_oneof!["a", "b", "\\*"], 1..5),
            subject in proptest::collection::vec(proptest::prop_oneof!["a", "b", "c"], 1..5),
        ) {
            let pattern = pattern.join(".");
            let subject = subject.join(".");
            let p = st(&pattern);
            proptest::prop_assert_eq!(p.matches(&st(&subject)), p.matches_str(&subject));
        }
    }

    #[test]
    fn custom_separator() {
        let p = Subtopic::parse("a/b/*", "/").unwrap();
        assert!(p.matches(&Subtopic::parse("a/b/c/d", "/").unwrap()));
        // With '/' as separator a dot is an ordinary character.
        assert!(Subtopic::parse("a.b", "/")
            .unwrap()
            .matches(&Subtopic::parse("a.b", "/").unwrap()));
    }
}
