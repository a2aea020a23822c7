//! The padding BlazeDS's streaming endpoint sends first to some browsers,
//! whose HTTP stacks hold a streamed response back until enough of it has
//! arrived (UserAgentSettings / UserAgentManager in flex-blazeds).
//!
//! The user agent is matched on substrings, case-sensitive; the longest
//! matching one wins, and of equally long ones the first in BlazeDS's
//! lookup order (so a desktop Chrome user agent, which names both
//! `Chrome` and `Safari`, gets Safari's padding, as from BlazeDS).

use bytes::{BufMut, Bytes, BytesMut};

/// The user-agent substrings BlazeDS knows and the padding each gets, in
/// the order BlazeDS's lookup meets them (which breaks ties).
const AGENTS: &[(&str, usize)] = &[
    ("MSIE 6", MSIE),
    ("MSIE 7", MSIE),
    ("Opera 8", 0),
    ("MSIE", MSIE),
    ("Safari", SAFARI),
    ("Opera/9.8", 0),
    ("Android", ANDROID),
    ("Firefox", 0),
    ("MSIE 5", MSIE),
    ("Firefox/1", 0),
    ("Chrome", 0),
    ("Opera", 0),
    ("Firefox/2", 0),
];

/// Bytes on the wire (framing included) for Internet Explorer.
const MSIE: usize = 2048;
/// For Safari (and what names it: Chrome, Edge).
const SAFARI: usize = 512;
/// For the Android browser.
const ANDROID: usize = 4010;

/// The kick-start bytes for this user agent, in BlazeDS's chunk framing
/// (`<hex length>\r\n<NUL bytes>\r\n`, `total` bytes in all), or none.
pub(super) fn padding(user_agent: Option<&str>) -> Option<Bytes> {
    let ua = user_agent?;
    let mut best: Option<(&str, usize)> = None;
    for &(needle, bytes) in AGENTS {
        if ua.contains(needle) && best.is_none_or(|(b, _)| needle.len() > b.len()) {
            best = Some((needle, bytes));
        }
    }
    let total = best?.1;
    if total == 0 {
        return None;
    }
    // As BlazeDS: the framing of the total's own length is taken off.
    let overhead = format!("{total:x}").len() + 4;
    let nuls = total
        .checked_sub(overhead)
        .filter(|n| *n > 0)
        .unwrap_or(total);
    let head = format!("{nuls:x}\r\n");
    let mut b = BytesMut::with_capacity(head.len() + nuls + 2);
    b.put_slice(head.as_bytes());
    b.put_bytes(0, nuls);
    b.put_slice(b"\r\n");
    Some(b.freeze())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 \
        (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
    const ANDROID_CHROME: &str = "Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 \
        (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36";

    fn len(ua: &str) -> usize {
        padding(Some(ua)).map_or(0, |b| b.len())
    }

    #[test]
    fn padding_per_user_agent() {
        assert_eq!(
            len("Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1)"),
            2048
        );
        assert_eq!(
            len("Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)"),
            2048
        );
        assert_eq!(len(CHROME), 512);
        assert_eq!(len(ANDROID_CHROME), 4010);
        assert_eq!(
            len("Mozilla/5.0 (X11; rv:120.0) Gecko/20100101 Firefox/120.0"),
            0
        );
        assert_eq!(len("Shockwave Flash"), 0);
        assert_eq!(len("msie"), 0, "case-sensitive, as BlazeDS");
        assert_eq!(padding(None), None);
    }

    #[test]
    fn padding_is_one_chunk_of_nul_bytes() {
        let b = padding(Some("MSIE")).expect("padding");
        assert_eq!(&b[..5], b"7f9\r\n");
        assert!(b[5..5 + 0x7f9].iter().all(|&x| x == 0));
        assert_eq!(&b[5 + 0x7f9..], b"\r\n");
    }
}
