//! Server-side publishing: Rust code pushing messages to Flex Consumers.

use flexgate_amf::Value;
use flexgate_broker::AnyStore;
use flexgate_broker::{Broker, BrokerError, Published};
use std::sync::Arc;

/// A handle for publishing to messaging destinations from Rust code (a
/// remoting method, a background task). Cheap to clone; it stays usable
/// for as long as the gateway runs.
///
/// ```no_run
/// # async fn run(running: flexgate_gateway::Running) -> Result<(), flexgate_gateway::BrokerError> {
/// use flexgate_amf::Value;
/// let publisher = running.publisher();
/// publisher
///     .publish("chat", Some("room.1"), Value::from("hello"), [("priority", Value::from(5))])
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Publisher {
    broker: Arc<Broker<AnyStore>>,
}

impl Publisher {
    pub(crate) fn new(broker: Arc<Broker<AnyStore>>) -> Self {
        Publisher { broker }
    }

    /// Publishes `body` to `destination` (on `subtopic`, if any) with
    /// `headers`, which selectors see. Consumers receive an AsyncMessage
    /// with that body and those headers. Fails when the destination is not
    /// a configured messaging destination, or the subtopic is not allowed
    /// there, or the store fails.
    pub async fn publish<I, K>(
        &self,
        destination: &str,
        subtopic: Option<&str>,
        body: Value,
        headers: I,
    ) -> Result<Published, BrokerError>
    where
        I: IntoIterator<Item = (K, Value)>,
        K: Into<String>,
    {
        self.broker
            .publish(destination, subtopic, body, headers)
            .await
    }
}

impl std::fmt::Debug for Publisher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Publisher").finish_non_exhaustive()
    }
}
