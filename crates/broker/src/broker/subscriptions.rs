//! Subscriptions: validating and storing subscribe and unsubscribe.

use std::sync::Arc;

use crate::destination::DestinationConfig;
use crate::error::BrokerError;
use crate::selector::Selector;
use crate::store::MessageStore;
use crate::subscription::{SubscribeOutcome, Subscription, SubscriptionKey, Unsubscribe};
use crate::subtopic::Subtopic;
use crate::wake::WakeEvent;

use super::Broker;

impl<S: MessageStore> Broker<S> {
    pub(super) fn parse_subtopic(
        &self,
        dest_id: &str,
        dest: &DestinationConfig,
        subtopic: Option<&str>,
    ) -> Result<Option<Subtopic>, BrokerError> {
        let Some(s) = subtopic.filter(|s| !s.is_empty()) else {
            return Ok(None);
        };
        if !dest.allow_subtopics {
            return Err(BrokerError::SubtopicsNotAllowed {
                destination: dest_id.to_owned(),
                subtopic: s.to_owned(),
            });
        }
        Ok(Some(Subtopic::parse(s, &dest.subtopic_separator)?))
    }

    /// Subscribes consumer `client_id` of `connection_id` to `destination`
    /// with an optional subtopic pattern and selector (empty strings mean
    /// none). Subscribing the same consumer again with another
    /// subtopic/selector adds a filter (`MultiTopicConsumer`). The
    /// subscription is not tied to an endpoint: every poll of the
    /// connection delivers it (see [`Broker::subscribe_over`]).
    pub async fn subscribe(
        &self,
        connection_id: &str,
        client_id: &str,
        destination: &str,
        subtopic: Option<&str>,
        selector: Option<&str>,
    ) -> Result<SubscribeOutcome, BrokerError> {
        self.subscribe_with(
            None,
            connection_id,
            client_id,
            destination,
            subtopic,
            selector,
        )
        .await
    }

    /// [`Broker::subscribe`] made over `endpoint` (a channel id): only
    /// polls over that endpoint deliver it ([`DrainScope::Endpoint`]).
    /// When the consumer was subscribed over another endpoint its whole
    /// subscription moves to this one (BlazeDS's
    /// `MessageClient.resetEndpoint`, a Flex ChannelSet failing over).
    ///
    /// [`DrainScope::Endpoint`]: crate::DrainScope::Endpoint
    pub async fn subscribe_over(
        &self,
        endpoint: &str,
        connection_id: &str,
        client_id: &str,
        destination: &str,
        subtopic: Option<&str>,
        selector: Option<&str>,
    ) -> Result<SubscribeOutcome, BrokerError> {
        self.subscribe_with(
            Some(endpoint),
            connection_id,
            client_id,
            destination,
            subtopic,
            selector,
        )
        .await
    }

    async fn subscribe_with(
        &self,
        endpoint: Option<&str>,
        connection_id: &str,
        client_id: &str,
        destination: &str,
        subtopic: Option<&str>,
        selector: Option<&str>,
    ) -> Result<SubscribeOutcome, BrokerError> {
        let dest = self.destination(destination)?;
        let subtopic = self.parse_subtopic(destination, dest, subtopic)?;
        if let Some(st) = &subtopic {
            if st.has_wildcard() && dest.disallow_wildcard_subtopics {
                return Err(BrokerError::WildcardSubtopicNotAllowed {
                    destination: destination.to_owned(),
                    subtopic: st.to_string(),
                });
            }
        }
        let selector = match selector.filter(|s| !s.trim().is_empty()) {
            Some(s) => Some(Selector::parse_bounded(s, self.config.max_selector_bytes)?),
            None => None,
        };
        let key = SubscriptionKey::new(connection_id, destination, client_id);
        let outcome = self
            .store
            .subscribe(key, endpoint.map(str::to_owned), subtopic, selector)
            .await?;
        match outcome {
            SubscribeOutcome::NotConnected => {
                return Err(BrokerError::NotConnected(connection_id.to_owned()))
            }
            SubscribeOutcome::AlreadySubscribed => {
                tracing::warn!(
                    connection = connection_id,
                    client_id,
                    destination,
                    "already subscribed"
                );
            }
            _ => tracing::debug!(
                connection = connection_id,
                client_id,
                destination,
                "subscribed"
            ),
        }
        // A poll already waiting must start listening to this destination.
        self.announce(WakeEvent::Connection(connection_id.to_owned()));
        Ok(outcome)
    }

    /// Removes one subtopic/selector filter of a consumer (its
    /// subscription goes with its last filter). `false` if it was not
    /// subscribed so.
    pub async fn unsubscribe(
        &self,
        connection_id: &str,
        client_id: &str,
        destination: &str,
        subtopic: Option<&str>,
        selector: Option<&str>,
    ) -> Result<bool, BrokerError> {
        let what = Unsubscribe::Filter {
            subtopic: subtopic.filter(|s| !s.is_empty()),
            selector: selector.filter(|s| !s.trim().is_empty()),
        };
        self.unsubscribe_with(connection_id, client_id, destination, what)
            .await
    }

    /// Removes a consumer's whole subscription to `destination`.
    pub async fn unsubscribe_all(
        &self,
        connection_id: &str,
        client_id: &str,
        destination: &str,
    ) -> Result<bool, BrokerError> {
        self.unsubscribe_with(connection_id, client_id, destination, Unsubscribe::All)
            .await
    }

    async fn unsubscribe_with(
        &self,
        connection_id: &str,
        client_id: &str,
        destination: &str,
        what: Unsubscribe<'_>,
    ) -> Result<bool, BrokerError> {
        let key = SubscriptionKey::new(connection_id, destination, client_id);
        let removed = self.store.unsubscribe(&key, what).await?;
        if removed {
            tracing::debug!(
                connection = connection_id,
                client_id,
                destination,
                "unsubscribed"
            );
            self.announce(WakeEvent::Connection(connection_id.to_owned()));
        }
        Ok(removed)
    }

    /// The subscriptions of a connection.
    pub async fn subscriptions(
        &self,
        connection_id: &str,
    ) -> Result<Vec<Arc<Subscription>>, BrokerError> {
        Ok(self.store.subscriptions(connection_id).await?)
    }
}
