//! The open streams of the streaming channel: how many, and how to end
//! one on `command=close`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::oneshot;

/// Open streams, server-wide.
#[derive(Default)]
pub(crate) struct Streams {
    open: AtomicUsize,
    closers: Mutex<HashMap<String, oneshot::Sender<()>>>,
}

impl Streams {
    /// Registers stream `id` if fewer than `max` are open; the returned
    /// slot frees its place when dropped, and its receiver fires on
    /// [`Streams::close`].
    pub(crate) fn try_open(
        self: &Arc<Self>,
        id: &str,
        max: usize,
    ) -> Option<(StreamSlot, oneshot::Receiver<()>)> {
        if self.open.fetch_add(1, Ordering::AcqRel) >= max {
            self.open.fetch_sub(1, Ordering::AcqRel);
            return None;
        }
        let (tx, rx) = oneshot::channel();
        self.lock().insert(id.to_owned(), tx);
        let slot = StreamSlot {
            streams: self.clone(),
            id: id.to_owned(),
        };
        Some((slot, rx))
    }

    /// Ends stream `id`; `false` when no such stream is open.
    pub(crate) fn close(&self, id: &str) -> bool {
        self.lock().remove(id).is_some_and(|tx| tx.send(()).is_ok())
    }

    /// Streams open now.
    pub(crate) fn open(&self) -> usize {
        self.open.load(Ordering::Acquire)
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, oneshot::Sender<()>>> {
        // Inserts and removes cannot leave the map half-updated.
        self.closers.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// One open stream's place; released when dropped.
pub(crate) struct StreamSlot {
    streams: Arc<Streams>,
    id: String,
}

impl StreamSlot {
    /// The stream id.
    pub(crate) fn id(&self) -> &str {
        &self.id
    }
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        self.streams.lock().remove(&self.id);
        self.streams.open.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_bounded_and_come_back() {
        let s = Arc::new(Streams::default());
        let (a, _rx) = s.try_open("A", 1).expect("one stream");
        assert!(s.try_open("B", 1).is_none());
        assert_eq!(s.open(), 1);
        drop(a);
        assert_eq!(s.open(), 0);
        assert!(s.try_open("B", 1).is_some());
    }

    #[test]
    fn close_fires_the_receiver() {
        let s = Arc::new(Streams::default());
        let (_slot, mut rx) = s.try_open("A", 1).expect("one stream");
        assert!(s.close("A"));
        assert!(rx.try_recv().is_ok());
        assert!(!s.close("A"));
    }
}
