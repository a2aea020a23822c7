//! Connections: opening, touching, updating and closing them.

use crate::connection::{new_connection_id, Connection, ConnectionUpdate};
use crate::error::{BrokerError, StoreError};
use crate::store::{Create, MessageStore, Opened};
use crate::wake::WakeEvent;

use super::Broker;

impl<S: MessageStore> Broker<S> {
    /// Returns the connection with `id`, creating it when absent (a Flex
    /// ping with an unknown or no `DSId`); an existing one is touched.
    /// `None` generates a new id. A created connection has the short
    /// `new_client_timeout` until its next request.
    pub async fn connect(
        &self,
        id: Option<&str>,
        channel: &str,
    ) -> Result<Connection, BrokerError> {
        let id = id.map_or_else(new_connection_id, str::to_owned);
        let conn = self.new_connection(id, channel);
        let conn = match self.store.open_connection(conn, Create::IfAbsent).await? {
            Opened::Existing(conn) => return Ok(conn),
            Opened::Created(conn) => conn,
            Opened::Absent => {
                return Err(StoreError::new("the store did not create a connection").into())
            }
        };
        // Counted after creating, so a known client costs nothing extra; two
        // racing creations may both be undone, never both kept past the limit.
        if self.store.connection_count().await? > self.config.max_connections {
            self.store.remove_connection(&conn.id).await?;
            return Err(BrokerError::TooManyConnections(self.config.max_connections));
        }
        tracing::debug!(connection = %conn.id, channel, "connection created");
        Ok(conn)
    }

    /// Returns and touches the existing connection `id`, never creating
    /// one: [`BrokerError::NotConnected`] when the store does not know it
    /// (expired, or lost in a store restart), so that a poll carrying an
    /// old `DSId` is not answered as if nothing had happened.
    pub async fn connect_existing(&self, id: &str) -> Result<Connection, BrokerError> {
        let conn = self.new_connection(id.to_owned(), "");
        match self.store.open_connection(conn, Create::No).await? {
            Opened::Existing(conn) | Opened::Created(conn) => Ok(conn),
            Opened::Absent => Err(BrokerError::NotConnected(id.to_owned())),
        }
    }

    fn new_connection(&self, id: String, channel: &str) -> Connection {
        let ms = |d: std::time::Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        Connection::new(
            id,
            channel,
            self.now_ms(),
            ms(self.config.connection_idle_timeout),
        )
        .with_first_timeout_ms(ms(self.config.new_client_timeout))
    }

    /// The connection with `id`.
    pub async fn connection(&self, id: &str) -> Result<Connection, BrokerError> {
        self.store
            .connection(id)
            .await?
            .ok_or_else(|| BrokerError::NotConnected(id.to_owned()))
    }

    /// Records activity on a connection.
    pub async fn touch(&self, id: &str) -> Result<(), BrokerError> {
        self.update_connection(
            id,
            ConnectionUpdate::Touch {
                now_ms: self.now_ms(),
            },
        )
        .await
    }

    /// Applies an update (principal, attribute, timeout) to a connection.
    pub async fn update_connection(
        &self,
        id: &str,
        update: ConnectionUpdate,
    ) -> Result<(), BrokerError> {
        if self.store.update_connection(id, update).await? {
            Ok(())
        } else {
            Err(BrokerError::NotConnected(id.to_owned()))
        }
    }

    /// Removes a connection with its subscriptions and undelivered
    /// messages, and wakes its waiting polls (which then fail with
    /// [`BrokerError::NotConnected`]). `false` if it did not exist.
    pub async fn disconnect(&self, id: &str) -> Result<bool, BrokerError> {
        let removed = self.store.remove_connection(id).await?.is_some();
        if removed {
            tracing::debug!(connection = id, "connection removed");
            self.announce(WakeEvent::Connection(id.to_owned()));
        }
        Ok(removed)
    }
}
