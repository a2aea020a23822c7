//! The wait between reconnect attempts, for every broker.

use std::time::Duration;

/// Upper bound of the wait between reconnect attempts: shorter than the
/// time a Producer's message waits for a reconnecting link, so that once
/// the broker is back a Producer gets through instead of a fault.
const MAX_RECONNECT_DELAY: Duration = Duration::from_secs(4);

const _: () = assert!(MAX_RECONNECT_DELAY.as_millis() < super::SEND_WAIT.as_millis());

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
