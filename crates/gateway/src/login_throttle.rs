//! Login throttling: failed logins per user name and per peer address earn
//! an exponential back-off, during which further attempts are refused
//! without checking the password (so guessing runs at the back-off's pace,
//! not at the server's). A success clears the user's and the peer's record.
//!
//! The table is bounded: when full, records whose back-off is over and
//! whose last failure is older than the forget time go first, then the
//! ones with the fewest failures, so flooding it with fresh names cannot
//! wipe the record of a name under attack. Time is passed in, not read.

use serde::Deserialize;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// Longest user name kept as a key; longer ones are cut (a name is not
/// trusted to be small).
const MAX_NAME_BYTES: usize = 256;

/// `[login]`: the back-off after failed logins.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoginThrottleConfig {
    /// Failures of one user name allowed before the back-off starts.
    pub free_failures_per_user: u32,
    /// Failures from one peer address allowed before its back-off starts
    /// (higher: many users may share an address behind NAT).
    pub free_failures_per_peer: u32,
    /// The first back-off, in milliseconds; each further failure doubles it.
    pub backoff_ms: u64,
    /// The longest back-off, in seconds.
    pub max_backoff_secs: u64,
    /// A record with no failure for this long, and no back-off running, is
    /// forgotten first when the table is full.
    pub forget_secs: u64,
    /// Most records (user names and addresses) kept.
    pub max_records: usize,
}

impl Default for LoginThrottleConfig {
    fn default() -> Self {
        LoginThrottleConfig {
            free_failures_per_user: 3,
            free_failures_per_peer: 20,
            backoff_ms: 1_000,
            max_backoff_secs: 300,
            forget_secs: 900,
            max_records: 10_000,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    User(String),
    Peer(IpAddr),
}

#[derive(Debug, Clone, Copy)]
struct Record {
    failures: u32,
    last_failure: Instant,
    blocked_until: Instant,
}

/// Failed-login records, shared by every request.
#[derive(Debug)]
pub(crate) struct LoginThrottle {
    config: LoginThrottleConfig,
    records: Mutex<HashMap<Key, Record>>,
}

impl LoginThrottle {
    pub(crate) fn new(config: LoginThrottleConfig) -> Self {
        LoginThrottle {
            config,
            records: Mutex::default(),
        }
    }

    fn keys(user: &str, peer: Option<IpAddr>) -> impl Iterator<Item = Key> {
        let mut end = user.len().min(MAX_NAME_BYTES);
        while !user.is_char_boundary(end) {
            end -= 1;
        }
        std::iter::once(Key::User(user[..end].to_owned())).chain(peer.map(Key::Peer))
    }

    /// `Err(wait)` while the user or the peer is backing off.
    pub(crate) fn check(
        &self,
        user: &str,
        peer: Option<IpAddr>,
        now: Instant,
    ) -> Result<(), Duration> {
        let records = self.records.lock().unwrap_or_else(|e| e.into_inner());
        let wait = Self::keys(user, peer)
            .filter_map(|k| records.get(&k))
            .map(|r| r.blocked_until.saturating_duration_since(now))
            .max()
            .unwrap_or_default();
        if wait.is_zero() {
            Ok(())
        } else {
            Err(wait)
        }
    }

    /// Records a failed login.
    pub(crate) fn failed(&self, user: &str, peer: Option<IpAddr>, now: Instant) {
        let mut records = self.records.lock().unwrap_or_else(|e| e.into_inner());
        for key in Self::keys(user, peer) {
            if !records.contains_key(&key) && records.len() >= self.config.max_records {
                self.evict(&mut records, now);
            }
            let free = match key {
                Key::User(_) => self.config.free_failures_per_user,
                Key::Peer(_) => self.config.free_failures_per_peer,
            };
            let r = records.entry(key).or_insert(Record {
                failures: 0,
                last_failure: now,
                blocked_until: now,
            });
            r.failures = r.failures.saturating_add(1);
            r.last_failure = now;
            if r.failures > free {
                r.blocked_until = now + self.backoff(r.failures - free);
            }
        }
    }

    /// Records a successful login: the user and the peer start afresh.
    pub(crate) fn succeeded(&self, user: &str, peer: Option<IpAddr>) {
        let mut records = self.records.lock().unwrap_or_else(|e| e.into_inner());
        for key in Self::keys(user, peer) {
            records.remove(&key);
        }
    }

    /// The back-off after the `n`th failure past the free ones (n ≥ 1).
    fn backoff(&self, n: u32) -> Duration {
        let max = Duration::from_secs(self.config.max_backoff_secs);
        let doublings = (n - 1).min(32);
        Duration::from_millis(self.config.backoff_ms)
            .checked_mul(1u32 << doublings.min(31))
            .map_or(max, |d| d.min(max))
    }

    /// Makes room for one record.
    fn evict(&self, records: &mut HashMap<Key, Record>, now: Instant) {
        let forget = Duration::from_secs(self.config.forget_secs);
        records.retain(|_, r| {
            r.blocked_until > now || now.saturating_duration_since(r.last_failure) < forget
        });
        if records.len() < self.config.max_records {
            return;
        }
        // All are recent: give up the least suspicious one.
        if let Some(key) = records
            .iter()
            .min_by_key(|(_, r)| (r.failures, r.last_failure))
            .map(|(k, _)| k.clone())
        {
            records.remove(&key);
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.records.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PEER: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));

    fn throttle() -> LoginThrottle {
        LoginThrottle::new(LoginThrottleConfig::default())
    }

    #[test]
    fn free_failures_then_a_doubling_back_off() {
        let t = throttle();
        let now = Instant::now();
        for _ in 0..3 {
            assert_eq!(t.check("alice", PEER, now), Ok(()));
            t.failed("alice", PEER, now);
        }
        assert_eq!(t.check("alice", PEER, now), Ok(()));
        t.failed("alice", PEER, now);
        assert_eq!(t.check("alice", PEER, now), Err(Duration::from_secs(1)));
        let later = now + Duration::from_secs(1);
        assert_eq!(t.check("alice", PEER, later), Ok(()));
        t.failed("alice", PEER, later);
        assert_eq!(t.check("alice", PEER, later), Err(Duration::from_secs(2)));
        // Another user from another address is not affected.
        assert_eq!(t.check("bob", None, later), Ok(()));
    }

    #[test]
    fn the_back_off_is_capped_and_a_success_clears_it() {
        let t = throttle();
        let now = Instant::now();
        for _ in 0..100 {
            t.failed("alice", None, now);
        }
        assert_eq!(t.check("alice", None, now), Err(Duration::from_secs(300)));
        t.succeeded("alice", None);
        assert_eq!(t.check("alice", None, now), Ok(()));
    }

    #[test]
    fn a_peer_guessing_many_names_is_throttled() {
        let t = throttle();
        let now = Instant::now();
        for i in 0..21 {
            t.failed(&format!("user{i}"), PEER, now);
        }
        assert_eq!(
            t.check("someone-new", PEER, now),
            Err(Duration::from_secs(1))
        );
        assert_eq!(t.check("someone-new", None, now), Ok(()));
    }

    #[test]
    fn the_table_is_bounded_and_keeps_names_under_attack() {
        let t = LoginThrottle::new(LoginThrottleConfig {
            max_records: 10,
            ..LoginThrottleConfig::default()
        });
        let now = Instant::now();
        for _ in 0..10 {
            t.failed("victim", None, now);
        }
        for i in 0..1_000 {
            t.failed(&format!("noise{i}"), None, now);
        }
        assert_eq!(t.len(), 10);
        assert!(t.check("victim", None, now).is_err());
    }

    #[test]
    fn long_names_are_cut_at_a_character_boundary() {
        let t = throttle();
        let now = Instant::now();
        let long = "é".repeat(1_000);
        for _ in 0..4 {
            t.failed(&long, None, now);
        }
        assert!(t.check(&long, None, now).is_err());
    }
}
