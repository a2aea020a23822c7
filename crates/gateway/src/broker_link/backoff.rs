//! The waits of a link, for every broker: between reconnect attempts, and
//! of a Producer's message for a link that is reconnecting.

use std::time::Duration;

/// How long a Producer's message waits for a link that is reconnecting
/// before the Producer gets a fault: a broker restart is usually this
/// short, and the HTTP request must not be held for longer.
pub(super) const SEND_WAIT: Duration = Duration::from_secs(5);

/// Upper bound of the wait between reconnect attempts: shorter than the
/// time a Producer's message waits for a reconnecting link, so that once
/// the broker is back a Producer gets through instead of a fault.
const MAX_RECONNECT_DELAY: Duration = Duration::from_secs(4);

const _: () = assert!(MAX_RECONNECT_DELAY.as_millis() < SEND_WAIT.as_millis());

/// Doubles from 100 ms up to [`MAX_RECONNECT_DELAY`].
pub(super) fn reconnect_delay(attempts: usize) -> Duration {
    let shift = u32::try_from(attempts.min(10)).unwrap_or(10);
    Duration::from_millis(100u64 << shift).min(MAX_RECONNECT_DELAY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delay_doubles_up_to_the_bound() {
        assert_eq!(reconnect_delay(0), Duration::from_millis(100));
        assert_eq!(reconnect_delay(3), Duration::from_millis(800));
        assert_eq!(reconnect_delay(usize::MAX), MAX_RECONNECT_DELAY);
    }
}
