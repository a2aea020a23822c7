//! Latency percentiles.

use std::time::Duration;

/// Sorted latency samples.
pub(crate) struct Latencies(Vec<Duration>);

impl Latencies {
    /// Sorts `samples`.
    pub(crate) fn new(mut samples: Vec<Duration>) -> Latencies {
        samples.sort_unstable();
        Latencies(samples)
    }

    /// Number of samples.
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    /// The `p`-th percentile (nearest rank), zero when empty.
    pub(crate) fn pct(&self, p: f64) -> Duration {
        if self.0.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((p / 100.0) * self.0.len() as f64).ceil() as usize;
        self.0[rank.clamp(1, self.0.len()) - 1]
    }

    /// "p50 x ms, p99 y ms, max z ms".
    pub(crate) fn summary(&self) -> String {
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        format!(
            "p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            ms(self.pct(50.0)),
            ms(self.pct(99.0)),
            ms(self.pct(100.0))
        )
    }
}
