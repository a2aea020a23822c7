//! Flex UIDs (message, client and correlation ids) and clock helpers.
//!
//! Flex writes ids as upper-case hyphenated UUID strings
//! (`XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX`); the small message forms send
//! them as 16 raw bytes when, and only when, the string is such a UID:
//! BlazeDS `flex.messaging.util.UUIDUtils.isUID` and the Flex SDK
//! `mx.utils.RPCUIDUtil.isUID` accept upper-case hex digits only.

/// A fresh random (v4) UID, upper-case and hyphenated as Flex writes them.
pub fn new_uid() -> String {
    let mut buf = uuid::Uuid::encode_buffer();
    uuid::Uuid::new_v4()
        .hyphenated()
        .encode_upper(&mut buf)
        .to_owned()
}

/// The current time in milliseconds since the Unix epoch.
pub fn now_millis() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Whether `s` is a UID in the strict Flex sense (36 chars, hyphens at 8,
/// 13, 18 and 23, upper-case hex elsewhere).
pub fn is_uid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => c.is_ascii_digit() || (b'A'..=b'F').contains(&c),
        })
}

/// The 16 bytes of a UID, or `None` when `s` is not one (then it goes as a string).
pub fn uid_to_bytes(s: &str) -> Option<[u8; 16]> {
    if !is_uid(s) {
        return None;
    }
    uuid::Uuid::parse_str(s).ok().map(|u| *u.as_bytes())
}

/// The UID string of 16 bytes; other lengths give `None`, as
/// `UUIDUtils.fromByteArray` returns null for them.
pub fn uid_from_bytes(b: &[u8]) -> Option<String> {
    let u = uuid::Uuid::from_slice(b).ok()?;
    let mut buf = uuid::Uuid::encode_buffer();
    Some(u.hyphenated().encode_upper(&mut buf).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uids() {
        let id = new_uid();
        assert!(is_uid(&id), "{id}");
        assert_eq!(id.as_bytes()[14], b'4');
        assert!(!is_uid(&id.to_lowercase()));
        assert!(!is_uid("nil"));
        let b = uid_to_bytes("7B0ACE2B-1F4E-4C8D-A3E1-0D5F6A7B8C9D").unwrap();
        assert_eq!(b[0], 0x7B);
        assert_eq!(b[15], 0x9D);
        assert_eq!(
            uid_from_bytes(&b).unwrap(),
            "7B0ACE2B-1F4E-4C8D-A3E1-0D5F6A7B8C9D"
        );
        assert_eq!(uid_from_bytes(&b[..15]), None);
    }
}
