//! Loopback ports for the servers tests start.

use std::net::{Ipv4Addr, TcpListener};
use std::sync::atomic::{AtomicU16, Ordering};

/// Where [`restartable_port`] looks: below Linux's default ephemeral range
/// (32768–60999), above the usual service ports.
const STABLE_PORTS: std::ops::Range<u16> = 20_000..32_000;

/// A port nothing listens on right now, from the ephemeral range: good for
/// a server that keeps it for its whole life.
pub fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("no free loopback port: {e}"))
}

/// A port nothing listens on right now, outside the ephemeral range: for a
/// server a test kills and starts again on the same port. While it is down,
/// clients retrying their connection take ephemeral ports, and one retrying
/// towards an ephemeral port can even connect to itself (a TCP
/// simultaneous open), so an ephemeral port may be taken when the server
/// comes back. Ports outside the range are handed out by nothing else.
pub fn restartable_port() -> u16 {
    // Spread over the range by process, so parallel test processes rarely
    // probe the same ports.
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let width = STABLE_PORTS.end - STABLE_PORTS.start;
    let start = u16::try_from(std::process::id() % u32::from(width)).unwrap_or(0);
    for _ in 0..width {
        let offset = (start + NEXT.fetch_add(1, Ordering::Relaxed)) % width;
        let port = STABLE_PORTS.start + offset;
        if TcpListener::bind((Ipv4Addr::LOCALHOST, port)).is_ok() {
            return port;
        }
    }
    panic!("no free loopback port in {STABLE_PORTS:?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restartable_ports_are_outside_the_ephemeral_range_and_distinct() {
        let a = restartable_port();
        let b = restartable_port();
        assert!(STABLE_PORTS.contains(&a) && STABLE_PORTS.contains(&b));
        assert_ne!(a, b);
        assert!(TcpListener::bind((Ipv4Addr::LOCALHOST, a)).is_ok());
    }
}
