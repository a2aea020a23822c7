//! Leftmost search for a fixed-length pattern in which some positions match
//! any one character (a `LIKE` segment with `_`), by the bit-parallel
//! Shift-And method: one pass over the text, updating a bit per pattern
//! position, `⌈k/64⌉` words per text character for a k-character pattern.
//! The per-character masks are stored sparsely, so memory is O(k) whatever
//! the alphabet.

/// A compiled pattern: each position is a character or a wildcard (`None`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ShiftAnd {
    /// Pattern length in characters (at least 1).
    len: usize,
    /// Bit j set where position j is a wildcard.
    wild: Vec<u64>,
    /// Distinct pattern characters, sorted, each with its range in `bits`.
    chars: Vec<(char, usize, usize)>,
    /// `(word, bits)`: where a character stands, by ascending word.
    bits: Vec<(usize, u64)>,
}

impl ShiftAnd {
    /// Compiles `units`; `None` when it is empty (nothing to search for).
    pub(super) fn new(units: &[Option<char>]) -> Option<Self> {
        if units.is_empty() {
            return None;
        }
        let words = units.len().div_ceil(64);
        let mut wild = vec![0u64; words];
        let mut by_char: Vec<(char, usize)> = Vec::new();
        for (j, u) in units.iter().enumerate() {
            match u {
                None => wild[j / 64] |= 1 << (j % 64),
                Some(c) => by_char.push((*c, j)),
            }
        }
        // Sorting by (char, position) groups each character's positions
        // in ascending order, hence ascending words.
        by_char.sort_unstable();
        let mut chars = Vec::new();
        let mut bits: Vec<(usize, u64)> = Vec::new();
        let mut i = 0;
        while i < by_char.len() {
            let c = by_char[i].0;
            let start = bits.len();
            while i < by_char.len() && by_char[i].0 == c {
                let j = by_char[i].1;
                let (w, bit) = (j / 64, 1u64 << (j % 64));
                match bits.last_mut() {
                    Some((lw, b)) if *lw == w && i > 0 && by_char[i - 1].0 == c => *b |= bit,
                    _ => bits.push((w, bit)),
                }
                i += 1;
            }
            chars.push((c, start, bits.len()));
        }
        Some(ShiftAnd {
            len: units.len(),
            wild,
            chars,
            bits,
        })
    }

    /// The byte offset just past the leftmost match in `text`, if any.
    pub(super) fn find_end(&self, text: &str) -> Option<usize> {
        let words = self.wild.len();
        let last_word = (self.len - 1) / 64;
        let last_bit = 1u64 << ((self.len - 1) % 64);
        // Bit j of `state`: the last j + 1 characters match the first
        // j + 1 pattern positions.
        let mut state = vec![0u64; words];
        for (i, c) in text.char_indices() {
            let own = match self.chars.binary_search_by(|probe| probe.0.cmp(&c)) {
                Ok(k) => &self.bits[self.chars[k].1..self.chars[k].2],
                Err(_) => &[][..],
            };
            let mut own = own.iter().peekable();
            let mut carry = 1u64; // a match may start at every character
            for (w, s) in state.iter_mut().enumerate() {
                let shifted = (*s << 1) | carry;
                carry = *s >> 63;
                let mut mask = self.wild[w];
                if let Some(&&(ow, b)) = own.peek() {
                    if ow == w {
                        mask |= b;
                        own.next();
                    }
                }
                *s = shifted & mask;
            }
            if state[last_word] & last_bit != 0 {
                return Some(i + c.len_utf8());
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units(p: &str) -> Vec<Option<char>> {
        p.chars().map(|c| (c != '_').then_some(c)).collect()
    }

    fn find(p: &str, t: &str) -> Option<usize> {
        ShiftAnd::new(&units(p)).and_then(|s| s.find_end(t))
    }

    #[test]
    fn finds_the_leftmost_match_end() {
        assert_eq!(find("a_c", "xxabcabc"), Some(5));
        assert_eq!(find("a_c", "ac"), None);
        assert_eq!(find("_", "é"), Some(2));
        assert_eq!(find("__", "é"), None);
        assert_eq!(find("b_", "abé"), Some(4));
        assert_eq!(find("", "abc"), None);
    }

    #[test]
    fn spans_several_words() {
        // 130 positions: three words, with a character on each side of
        // the word boundaries.
        let p = format!("{}_{}z", "a".repeat(64), "a".repeat(64));
        let mut t = "a".repeat(200);
        t.push('z');
        assert_eq!(find(&p, &t), Some(201));
        assert_eq!(find(&p, &"a".repeat(300)), None);
    }
}
