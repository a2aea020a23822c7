//! A request path as a relative file path under the root, or why not.
//!
//! Decoding is strict: each `/`-separated segment is percent-decoded on
//! its own, so an encoded `/` (`%2f`) or `\` can never join or split
//! segments, and `.`/`..` (however spelled) are refused rather than
//! resolved: nothing in the URL can name a file outside the root.

use std::path::PathBuf;

/// Why a request path names no file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum BadPath {
    /// A `%` not followed by two hex digits, or bytes that are not UTF-8.
    #[error("malformed percent-encoding")]
    Encoding,
    /// A `.` or `..` segment.
    #[error("dot segment")]
    Dot,
    /// A segment holding `/`, `\`, NUL or another control character once decoded.
    #[error("forbidden character")]
    Forbidden,
}

/// The file path a request path names, relative to the root, and whether
/// the URL names a directory (ends with `/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Relative {
    /// The decoded segments joined; empty for the root.
    pub(crate) path: PathBuf,
    /// The URL ends with `/` (or is `/`).
    pub(crate) directory: bool,
}

/// Decodes `path` (the URI's path, still percent-encoded).
pub(crate) fn relative(path: &str) -> Result<Relative, BadPath> {
    // Flex appends `;jsessionid=...` to URLs; never part of a file name.
    let path = path.split(';').next().unwrap_or(path);
    let mut out = PathBuf::new();
    for raw in path.split('/') {
        if raw.is_empty() {
            continue;
        }
        let seg = decode(raw)?;
        if seg == "." || seg == ".." {
            return Err(BadPath::Dot);
        }
        if seg.chars().any(|c| c == '/' || c == '\\' || c.is_control()) {
            return Err(BadPath::Forbidden);
        }
        out.push(seg);
    }
    Ok(Relative {
        path: out,
        directory: path.ends_with('/') || path.is_empty(),
    })
}

fn decode(seg: &str) -> Result<String, BadPath> {
    let b = seg.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = b.get(i + 1..i + 3).ok_or(BadPath::Encoding)?;
            let hex = std::str::from_utf8(hex).map_err(|_| BadPath::Encoding)?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| BadPath::Encoding)?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| BadPath::Encoding)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_paths_decode() {
        let r = relative("/js-release/My%20App.js").unwrap();
        assert_eq!(r.path, PathBuf::from("js-release/My App.js"));
        assert!(!r.directory);
        assert!(relative("/").unwrap().directory);
        assert_eq!(relative("//a//b/").unwrap().path, PathBuf::from("a/b"));
    }

    #[test]
    fn escapes_are_refused() {
        assert_eq!(relative("/../etc/passwd"), Err(BadPath::Dot));
        assert_eq!(relative("/a/%2e%2e/b"), Err(BadPath::Dot));
        assert_eq!(relative("/a/%2E."), Err(BadPath::Dot));
        assert_eq!(relative("/a%2f..%2fb"), Err(BadPath::Forbidden));
        assert_eq!(relative("/a%5c..%5cb"), Err(BadPath::Forbidden));
        assert_eq!(relative("/a%00.html"), Err(BadPath::Forbidden));
        assert_eq!(relative("/a%zz"), Err(BadPath::Encoding));
        assert_eq!(relative("/a%c3"), Err(BadPath::Encoding));
        assert_eq!(relative("/a%"), Err(BadPath::Encoding));
    }
}
