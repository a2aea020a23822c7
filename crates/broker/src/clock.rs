//! Time source.

use std::time::{SystemTime, UNIX_EPOCH};

use tokio::time::Instant;

/// Epoch milliseconds that advance with tokio's clock: wall-clock time
/// when the clock was made plus tokio-monotonic elapsed time. Monotonic in
/// production and controllable in tests (`start_paused`, `advance`).
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    base_epoch_ms: u64,
    base: Instant,
}

impl Clock {
    /// A clock starting at the current wall-clock time.
    pub fn system() -> Self {
        let base_epoch_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        Clock {
            base_epoch_ms,
            base: Instant::now(),
        }
    }

    /// Milliseconds since the Unix epoch.
    pub fn now_ms(&self) -> u64 {
        let elapsed = u64::try_from(self.base.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.base_epoch_ms.saturating_add(elapsed)
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::system()
    }
}
