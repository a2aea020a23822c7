//! Deleting a test's keys: every key under its prefix, from a guard that
//! does so when dropped (also when the test panics).

use super::resp::{Conn, Reply, RespError};

/// Deletes every key under `ARGV[1]` (a glob) in one round trip: SCAN by
/// cursor inside the script, DEL each page. Scripts may write after SCAN
/// since Redis 5 (effects replication).
const DELETE_SCRIPT: &str = "local n, cursor = 0, '0'
repeat
  local page = redis.call('SCAN', cursor, 'MATCH', ARGV[1], 'COUNT', 500)
  cursor = page[1]
  for _, key in ipairs(page[2]) do n = n + redis.call('DEL', key) end
until cursor == '0'
return n";

/// Deletes every key that starts with `prefix` in the Redis at `url`
/// (`redis://[[user]:password@]host[:port][/db]`) and returns how many.
pub fn delete_prefix(url: &str, prefix: &str) -> Result<u64, RespError> {
    let pattern = format!("{}*", escape_glob(prefix));
    let mut conn = Conn::open(url)?;
    match conn.command(&[b"EVAL", DELETE_SCRIPT.as_bytes(), b"0", pattern.as_bytes()])? {
        Reply::Int(n) => u64::try_from(n).map_err(|_| RespError::Reply(n.to_string())),
        Reply::Status(s) => Err(RespError::Reply(s)),
    }
}

/// `prefix` as a literal in a SCAN MATCH glob.
fn escape_glob(prefix: &str) -> String {
    let mut out = String::with_capacity(prefix.len());
    for c in prefix.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Deletes a test's keys ([`delete_prefix`]) when dropped, also on
/// panic. Synchronous, so it needs no runtime; a failure is printed, not
/// raised (a panic in a drop during unwinding would abort).
#[derive(Debug)]
pub struct KeyCleanup {
    url: String,
    prefix: String,
}

impl KeyCleanup {
    /// A guard for the keys under `prefix` in the Redis at `url`.
    pub fn new(url: &str, prefix: &str) -> KeyCleanup {
        KeyCleanup {
            url: url.to_owned(),
            prefix: prefix.to_owned(),
        }
    }
}

impl Drop for KeyCleanup {
    fn drop(&mut self) {
        if let Err(e) = delete_prefix(&self.url, &self.prefix) {
            eprintln!("could not delete the test keys under {}: {e}", self.prefix);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redis::resp::Target;
    use crate::redis::RedisServer;

    fn set(url: &str, key: &str) {
        let reply = Conn::open(url)
            .and_then(|mut c| c.command(&[b"SET", key.as_bytes(), b"v"]))
            .expect("SET");
        assert_eq!(reply, Reply::Status("OK".into()));
    }

    fn exists(url: &str, key: &str) -> bool {
        let reply = Conn::open(url)
            .and_then(|mut c| c.command(&[b"EXISTS", key.as_bytes()]))
            .expect("EXISTS");
        reply == Reply::Int(1)
    }

    #[test]
    #[cfg_attr(
        not(flexgate_redis_server),
        ignore = "needs redis-server on the PATH (scripts/test installs it)"
    )]
    fn only_the_prefix_keys_go_even_with_glob_characters_in_it() {
        let server = RedisServer::start_on_free_port().expect("server starts");
        let url = server.url();
        for key in ["t:a*b:1", "t:a*b:2", "t:aXb:1", "other"] {
            set(&url, key);
        }
        assert_eq!(delete_prefix(&url, "t:a*b:").expect("deleted"), 2);
        assert!(!exists(&url, "t:a*b:1") && !exists(&url, "t:a*b:2"));
        assert!(
            exists(&url, "t:aXb:1"),
            "the glob matched a key off the prefix"
        );
        assert!(exists(&url, "other"));
        assert_eq!(delete_prefix(&url, "t:a*b:").expect("nothing left"), 0);
    }

    #[test]
    #[cfg_attr(
        not(flexgate_redis_server),
        ignore = "needs redis-server on the PATH (scripts/test installs it)"
    )]
    fn the_guard_deletes_on_drop_and_on_panic() {
        let server = RedisServer::start_on_free_port().expect("server starts");
        let url = server.url();
        set(&url, "g:1:a");
        drop(KeyCleanup::new(&url, "g:1:"));
        assert!(!exists(&url, "g:1:a"));

        set(&url, "g:2:a");
        let panicked = std::panic::catch_unwind(|| {
            let _cleanup = KeyCleanup::new(&url, "g:2:");
            panic!("the test fails");
        });
        assert!(panicked.is_err());
        assert!(!exists(&url, "g:2:a"));
    }

    #[test]
    #[cfg_attr(
        not(flexgate_redis_server),
        ignore = "needs redis-server on the PATH (scripts/test installs it)"
    )]
    fn a_redis_error_is_returned() {
        let server = RedisServer::start_on_free_port().expect("server starts");
        let url = format!("redis://127.0.0.1:{}/99999", server.port());
        let err = delete_prefix(&url, "x:").expect_err("no such database");
        assert!(
            matches!(&err, RespError::Server(m) if m.starts_with("ERR")),
            "{err}"
        );
    }

    #[test]
    fn urls_parse() {
        let t = Target::parse("redis://127.0.0.1:7000/3").expect("parses");
        assert_eq!((t.host.as_str(), t.port, t.db), ("127.0.0.1", 7000, 3));
        assert_eq!((t.user, t.password), (None, None));
        let t = Target::parse("redis://:secret@h").expect("parses");
        assert_eq!((t.host.as_str(), t.port, t.db), ("h", 6379, 0));
        assert_eq!(t.password.as_deref(), Some("secret"));
        let t = Target::parse("redis://me:pw@[::1]:7001/").expect("parses");
        assert_eq!((t.host.as_str(), t.port), ("::1", 7001));
        assert_eq!(
            (t.user.as_deref(), t.password.as_deref()),
            (Some("me"), Some("pw"))
        );
        for bad in [
            "rediss://h",
            "redis://",
            "redis://h:port",
            "redis://h/db",
            "h:6379",
        ] {
            assert!(
                matches!(Target::parse(bad), Err(RespError::Url(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn glob_characters_are_escaped() {
        assert_eq!(escape_glob(r"a*b?c[d]\e:"), r"a\*b\?c\[d\]\\e:");
    }
}
