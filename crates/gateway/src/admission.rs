//! Client admission: how many new Flex clients one HTTP session and one
//! peer address may create per minute (`[limits]
//! new_clients_per_session_per_minute`, `new_clients_per_peer_per_minute`),
//! so that a flood of pings cannot fill `max_clients` and lock everyone
//! else out until the one-shot clients expire.
//!
//! Fixed one-minute windows per key, in a table bounded in count: when it
//! is full, records whose window is over go first, then the one with the
//! fewest admissions (a flood of fresh keys cannot wipe the record of the
//! key that is flooding). Time is passed in, not read, as in
//! [`login_throttle`](crate::login_throttle); the two tables differ in what
//! they count (admissions in a window there, failures with a back-off
//! here), so they share only their shape.

use crate::config::Limits;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// The window the per-minute limits count in.
const WINDOW: Duration = Duration::from_secs(60);

/// Most records (sessions and addresses) kept.
const MAX_RECORDS: usize = 100_000;

/// Why a new Flex client was not admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum AdmissionError {
    /// The session or the peer created its allowance of clients this minute.
    #[error("Too many new Flex clients; try again later.")]
    TooManyNewClients,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Session(String),
    Peer(IpAddr),
}

#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    admitted: u32,
}

/// New-client counts per session and per peer, shared by every request.
#[derive(Debug)]
pub(crate) struct Admission {
    per_session: u32,
    per_peer: u32,
    max_records: usize,
    windows: Mutex<HashMap<Key, Window>>,
}

impl Admission {
    /// Limits from `[limits]`.
    pub(crate) fn new(limits: &Limits) -> Self {
        Admission {
            per_session: limits.new_clients_per_session_per_minute,
            per_peer: limits.new_clients_per_peer_per_minute,
            max_records: MAX_RECORDS,
            windows: Mutex::default(),
        }
    }

    /// Counts one new client for `session` (its token) and `peer`, or
    /// refuses it (counting nothing) when either is at its limit.
    pub(crate) fn admit(
        &self,
        session: &str,
        peer: Option<IpAddr>,
        now: Instant,
    ) -> Result<(), AdmissionError> {
        let keys: Vec<(Key, u32)> =
            std::iter::once((Key::Session(session.to_owned()), self.per_session))
                .chain(peer.map(|p| (Key::Peer(p), self.per_peer)))
                .collect();
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        let over = keys.iter().any(|(key, limit)| {
            windows.get(key).is_some_and(|w| {
                now.saturating_duration_since(w.started) < WINDOW && w.admitted >= *limit
            })
        });
        if over {
            return Err(AdmissionError::TooManyNewClients);
        }
        for (key, _) in keys {
            if !windows.contains_key(&key) && windows.len() >= self.max_records {
                evict(&mut windows, now, self.max_records);
            }
            let w = windows.entry(key).or_insert(Window {
                started: now,
                admitted: 0,
            });
            if now.saturating_duration_since(w.started) >= WINDOW {
                *w = Window {
                    started: now,
                    admitted: 0,
                };
            }
            w.admitted = w.admitted.saturating_add(1);
        }
        Ok(())
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.windows.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

/// Makes room for one record.
fn evict(windows: &mut HashMap<Key, Window>, now: Instant, max: usize) {
    windows.retain(|_, w| now.saturating_duration_since(w.started) < WINDOW);
    if windows.len() < max {
        return;
    }
    if let Some(key) = windows
        .iter()
        .min_by_key(|(_, w)| (w.admitted, w.started))
        .map(|(k, _)| k.clone())
    {
        windows.remove(&key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PEER: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));

    fn admission(per_session: u32, per_peer: u32) -> Admission {
        Admission::new(&Limits {
            new_clients_per_session_per_minute: per_session,
            new_clients_per_peer_per_minute: per_peer,
            ..Limits::default()
        })
    }

    #[test]
    fn a_session_gets_its_allowance_per_window() {
        let a = admission(2, 100);
        let now = Instant::now();
        assert_eq!(a.admit("s", PEER, now), Ok(()));
        assert_eq!(a.admit("s", PEER, now), Ok(()));
        assert_eq!(
            a.admit("s", PEER, now),
            Err(AdmissionError::TooManyNewClients)
        );
        // Another session from the same peer is unaffected.
        assert_eq!(a.admit("t", PEER, now), Ok(()));
        // The next window starts afresh.
        assert_eq!(a.admit("s", PEER, now + WINDOW), Ok(()));
    }

    #[test]
    fn a_peer_is_limited_across_sessions_and_refusals_count_nothing() {
        let a = admission(100, 3);
        let now = Instant::now();
        for s in ["a", "b", "c"] {
            assert_eq!(a.admit(s, PEER, now), Ok(()));
        }
        assert_eq!(
            a.admit("d", PEER, now),
            Err(AdmissionError::TooManyNewClients)
        );
        // The refused session was not counted: alone it is far from its limit.
        let other = Some(IpAddr::from([192, 0, 2, 1]));
        assert_eq!(a.admit("d", other, now), Ok(()));
    }

    #[test]
    fn the_table_is_bounded_and_keeps_the_busiest() {
        let mut a = admission(1_000, 1_000);
        a.max_records = 10;
        let now = Instant::now();
        for _ in 0..5 {
            assert_eq!(a.admit("flooder", None, now), Ok(()));
        }
        for i in 0..100 {
            let _ = a.admit(&format!("fresh{i}"), None, now);
        }
        assert!(a.len() <= 10);
        assert!(a
            .windows
            .lock()
            .expect("lock")
            .contains_key(&Key::Session("flooder".into())));
    }
}
