//! Gateway-side counters and the per-second rate history behind the
//! status page's chart.
//!
//! Publishes and deliveries are counted by the broker (so server-side
//! publishes from Rust services count too); this module adds what only the
//! HTTP side sees, and samples the totals once a second into a ring buffer.
//! Requests only bump atomics; the history's mutex is taken once a second
//! by the sampler and by readers of the status page, never by a request.

use flexgate_broker::{Broker, BrokerCounters, MessageStore};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::task::JoinHandle;

/// Seconds of history kept for the chart: five minutes.
pub const HISTORY_SECONDS: usize = 300;

/// Counters of the HTTP side, plus the rate history.
#[derive(Debug)]
pub(crate) struct Metrics {
    polls: AtomicU64,
    started_ms: u64,
    history: Mutex<RateHistory>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            polls: AtomicU64::new(0),
            started_ms: epoch_ms(),
            history: Mutex::new(RateHistory::new(HISTORY_SECONDS)),
        }
    }
}

impl Metrics {
    /// Counts one poll request (a Flex POLL command, answered or waiting).
    pub(crate) fn count_poll(&self) {
        self.polls.fetch_add(1, Ordering::Relaxed);
    }

    /// Poll requests so far.
    pub(crate) fn polls(&self) -> u64 {
        self.polls.load(Ordering::Relaxed)
    }

    /// When the gateway started, epoch milliseconds.
    pub(crate) fn started_ms(&self) -> u64 {
        self.started_ms
    }

    /// The recorded per-second rates, oldest first.
    pub(crate) fn history(&self) -> Vec<RateSample> {
        self.lock_history().samples.iter().copied().collect()
    }

    fn lock_history(&self) -> std::sync::MutexGuard<'_, RateHistory> {
        // A push cannot leave the ring half-updated, so a poisoned lock is usable.
        self.history.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Messages in and out during one second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct RateSample {
    /// End of the second, epoch milliseconds.
    pub at_ms: u64,
    /// Messages published during it.
    #[serde(rename = "in")]
    pub published: u64,
    /// Deliveries during it.
    #[serde(rename = "out")]
    pub delivered: u64,
}

/// A bounded ring of samples and the totals the last one was taken from.
#[derive(Debug)]
struct RateHistory {
    samples: VecDeque<RateSample>,
    capacity: usize,
    last: Option<BrokerCounters>,
}

impl RateHistory {
    fn new(capacity: usize) -> Self {
        RateHistory {
            samples: VecDeque::with_capacity(capacity),
            capacity,
            last: None,
        }
    }

    /// Records the totals at `at_ms`; the first call only sets the baseline.
    fn record(&mut self, at_ms: u64, now: BrokerCounters) {
        if let Some(prev) = self.last {
            if self.samples.len() == self.capacity {
                self.samples.pop_front();
            }
            self.samples.push_back(RateSample {
                at_ms,
                published: now.published.saturating_sub(prev.published),
                delivered: now.delivered.saturating_sub(prev.delivered),
            });
        }
        self.last = Some(now);
    }
}

/// The once-a-second sampler; stops when dropped.
#[derive(Debug)]
pub(crate) struct Sampler(JoinHandle<()>);

impl Sampler {
    /// Samples `broker`'s counters into `metrics` every second.
    pub(crate) fn spawn<S: MessageStore>(broker: Arc<Broker<S>>, metrics: Arc<Metrics>) -> Self {
        Sampler(tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            // After a stall, one sample covers the gap rather than a burst of
            // catch-up ticks each recording nothing.
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let counters = broker.counters();
                metrics.lock_history().record(epoch_ms(), counters);
            }
        }))
    }
}

impl Drop for Sampler {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Now, in epoch milliseconds.
pub(crate) fn epoch_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counters(published: u64, delivered: u64) -> BrokerCounters {
        BrokerCounters {
            published,
            delivered,
            ..BrokerCounters::default()
        }
    }

    #[test]
    fn history_records_differences_and_keeps_the_newest() {
        let mut h = RateHistory::new(3);
        h.record(1_000, counters(5, 7));
        assert!(h.samples.is_empty(), "the first reading is the baseline");
        for (i, (p, d)) in [(6, 9), (6, 9), (10, 9), (20, 30)].into_iter().enumerate() {
            h.record(2_000 + i as u64 * 1_000, counters(p, d));
        }
        let got: Vec<_> = h
            .samples
            .iter()
            .map(|s| (s.at_ms, s.published, s.delivered))
            .collect();
        assert_eq!(got, [(3_000, 0, 0), (4_000, 4, 0), (5_000, 10, 21)]);
    }

    #[tokio::test(start_paused = true)]
    async fn sampler_fills_the_history_from_the_broker() {
        let broker = Arc::new(Broker::new(
            flexgate_broker::MemoryStore::new(),
            flexgate_broker::BrokerConfig::default()
                .with_destination("news", flexgate_broker::DestinationConfig::default()),
        ));
        let metrics = Arc::new(Metrics::default());
        let sampler = Sampler::spawn(broker.clone(), metrics.clone());
        // The first tick is immediate: the baseline.
        tokio::time::sleep(Duration::from_millis(500)).await;
        for _ in 0..4 {
            broker
                .publish(
                    "news",
                    None,
                    flexgate_amf::Value::Null,
                    Vec::<(String, _)>::new(),
                )
                .await
                .expect("publishes");
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
        let published: Vec<u64> = metrics.history().iter().map(|s| s.published).collect();
        assert_eq!(published, [4, 0]);
        drop(sampler);
    }
}
