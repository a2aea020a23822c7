//! The open streams of the streaming channel: how many, one per Flex
//! client, and how to end one on `command=close`.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::oneshot;

/// Open streams, server-wide.
#[derive(Default)]
pub(crate) struct Streams {
    open: AtomicUsize,
    registry: Mutex<Registry>,
}

/// The open streams' closers and their Flex clients (at most one stream
/// each; both bounded by the stream count).
#[derive(Default)]
struct Registry {
    closers: HashMap<String, oneshot::Sender<()>>,
    clients: HashSet<String>,
}

/// Why a stream could not open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum OpenRefused {
    /// `max` streams are open already.
    #[error("too many streaming clients")]
    Full,
    /// This Flex client has a stream open already (BlazeDS keeps that one
    /// and refuses the new one).
    #[error("this Flex client has a stream open already")]
    Duplicate,
}

impl Streams {
    /// Registers stream `id` of Flex client `client` if fewer than `max`
    /// are open and the client has none; the returned slot frees its place
    /// when dropped, and its receiver fires on [`Streams::close`].
    pub(crate) fn try_open(
        self: &Arc<Self>,
        id: &str,
        client: &str,
        max: usize,
    ) -> Result<(StreamSlot, oneshot::Receiver<()>), OpenRefused> {
        let mut registry = self.lock();
        if registry.clients.contains(client) {
            return Err(OpenRefused::Duplicate);
        }
        if self.open.fetch_add(1, Ordering::AcqRel) >= max {
            self.open.fetch_sub(1, Ordering::AcqRel);
            return Err(OpenRefused::Full);
        }
        let (tx, rx) = oneshot::channel();
        registry.closers.insert(id.to_owned(), tx);
        registry.clients.insert(client.to_owned());
        let slot = StreamSlot {
            streams: self.clone(),
            id: id.to_owned(),
            client: client.to_owned(),
        };
        Ok((slot, rx))
    }

    /// Ends stream `id`; `false` when no such stream is open.
    pub(crate) fn close(&self, id: &str) -> bool {
        self.lock()
            .closers
            .remove(id)
            .is_some_and(|tx| tx.send(()).is_ok())
    }

    /// Streams open now.
    pub(crate) fn open(&self) -> usize {
        self.open.load(Ordering::Acquire)
    }

    fn lock(&self) -> MutexGuard<'_, Registry> {
        // Inserts and removes cannot leave the maps half-updated.
        self.registry.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// One open stream's place; released when dropped.
pub(crate) struct StreamSlot {
    streams: Arc<Streams>,
    id: String,
    client: String,
}

impl StreamSlot {
    /// The stream id.
    pub(crate) fn id(&self) -> &str {
        &self.id
    }
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut registry = self.streams.lock();
        registry.closers.remove(&self.id);
        registry.clients.remove(&self.client);
        self.streams.open.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_bounded_and_come_back() {
        let s = Arc::new(Streams::default());
        let (a, _rx) = s.try_open("A", "c1", 1).expect("one stream");
        assert_eq!(s.try_open("B", "c2", 1).err(), Some(OpenRefused::Full));
        assert_eq!(s.open(), 1);
        drop(a);
        assert_eq!(s.open(), 0);
        assert!(s.try_open("B", "c2", 1).is_ok());
    }

    #[test]
    fn one_stream_per_client() {
        let s = Arc::new(Streams::default());
        let (a, _rx) = s.try_open("A", "c1", 5).expect("one stream");
        assert_eq!(s.try_open("B", "c1", 5).err(), Some(OpenRefused::Duplicate));
        assert_eq!(s.open(), 1);
        drop(a);
        assert!(s.try_open("B", "c1", 5).is_ok());
    }

    #[test]
    fn close_fires_the_receiver() {
        let s = Arc::new(Streams::default());
        let (_slot, mut rx) = s.try_open("A", "c1", 1).expect("one stream");
        assert!(s.close("A"));
        assert!(rx.try_recv().is_ok());
        assert!(!s.close("A"));
    }
}
