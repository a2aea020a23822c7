//! The background task that purges expired messages and idle connections.

use std::sync::{Arc, Weak};
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;

use crate::broker::Broker;
use crate::store::MessageStore;

/// Handle of a running cleaner. Dropping it also stops the task (at its
/// next wake-up); [`Cleaner::stop`] stops it and waits for it to finish.
#[derive(Debug)]
pub struct Cleaner {
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl Cleaner {
    /// Spawns a task that runs [`Broker::purge`] every `interval` (the
    /// first pass after one interval). It holds only a weak reference, so
    /// it also ends when the broker is dropped.
    pub fn spawn<S: MessageStore>(broker: &Arc<Broker<S>>, interval: Duration) -> Cleaner {
        let weak: Weak<Broker<S>> = Arc::downgrade(broker);
        let (stop, mut stopped) = oneshot::channel::<()>();
        let interval = interval.max(Duration::from_millis(1));
        let task = tokio::spawn(async move {
            let mut ticker =
                tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
            ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = &mut stopped => break,
                    _ = ticker.tick() => {}
                }
                let Some(broker) = weak.upgrade() else { break };
                match broker.purge().await {
                    Ok(stats) if stats != Default::default() => {
                        tracing::debug!(
                            messages = stats.messages,
                            connections = stats.connections,
                            "purged"
                        );
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "purge failed"),
                }
            }
        });
        Cleaner {
            stop: Some(stop),
            task,
        }
    }

    /// Stops the task and waits until it has ended.
    pub async fn stop(self) {
        let Cleaner { stop, task } = self;
        if let Some(tx) = stop {
            // An error means the task already ended; nothing to signal.
            let _ = tx.send(());
        }
        if let Err(e) = task.await {
            tracing::warn!(error = %e, "cleaner task ended abnormally");
        }
    }
}
