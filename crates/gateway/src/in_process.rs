//! The gateway without HTTP: AMF packets in, AMF packets out, in the same
//! process. For fast tests of Flex behaviour, and for embedding the
//! gateway behind another HTTP server.

use crate::endpoint::{self, EndpointError};
use crate::publisher::Publisher;
use crate::session::Session;
use crate::state::State;
use crate::status::Snapshot;
use bytes::Bytes;
use flexgate_broker::{AnyStore, Broker};
use std::sync::Arc;

/// A gateway that answers AMF packets handed to it directly, as its HTTP
/// channels would (see [`Gateway::in_process`](crate::Gateway::in_process)).
/// No listener, no background purge of expired messages and idle clients.
pub struct InProcess {
    state: Arc<State>,
}

impl InProcess {
    pub(crate) fn new(state: Arc<State>) -> Self {
        InProcess { state }
    }

    /// Answers one request packet as it arrived on channel `channel` (a
    /// channel id of the configuration, e.g. `"my-amf"`) with the HTTP
    /// session `session`: the encoded reply packet, or why there is none
    /// (the HTTP channel then answers 400).
    pub async fn handle(
        &self,
        channel: &str,
        session: &Session,
        packet: Bytes,
    ) -> Result<Vec<u8>, EndpointError> {
        // No peer address: in-process requests are throttled per session only.
        endpoint::handle(&self.state, channel, session, None, packet, None, None).await
    }

    /// A handle for server-side publishing.
    pub fn publisher(&self) -> Publisher {
        Publisher::new(self.state.broker.clone())
    }

    /// What the status pages show now.
    pub async fn snapshot(&self) -> Snapshot {
        Snapshot::take(&self.state).await
    }

    /// Long polls parked now, server-wide.
    pub fn waiting_polls(&self) -> usize {
        self.state.waiting.total()
    }

    /// The broker, for tests and benchmarks that set up or inspect store
    /// state directly. Not a stable API.
    #[doc(hidden)]
    pub fn broker(&self) -> &Arc<Broker<AnyStore>> {
        &self.state.broker
    }
}

impl std::fmt::Debug for InProcess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InProcess").finish_non_exhaustive()
    }
}
