//! A line diff of two `{:#?}` texts, so that a mismatch shows only the
//! fields that differ.

/// `-` lines only in `want`, `+` lines only in `got` (longest common
/// subsequence; the texts are a few hundred lines at most).
pub(crate) fn diff(want: &str, got: &str) -> String {
    let a: Vec<&str> = want.lines().collect();
    let b: Vec<&str> = got.lines().collect();
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, String::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            out.push_str(&format!("    + {}\n", b[j].trim()));
            j += 1;
        } else {
            out.push_str(&format!("    - {}\n", a[i].trim()));
            i += 1;
        }
    }
    out
}
