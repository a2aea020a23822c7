//! `Consumer.receive()`: a POLL that names one consumer by its clientId.
//!
//! Flex sends it (mx.messaging.AbstractConsumer.receive) with the
//! consumer's clientId and destination; BlazeDS's MessageService answers it
//! from that consumer's queue only, never parks it, and sets no
//! `DSPollWait`. A consumer it does not know gets
//! `Server.Processing.NotSubscribed` (errors.properties 10551).

use super::access;
use super::delivery::{client_sync, delivered_value};
use super::fault;
use super::reply::{ack, Reply};
use crate::limits;
use crate::request::RequestContext;
use crate::state::{uses_small_messages, State};
use flexgate_broker::{BrokerError, Connection};
use flexgate_messages::{Fault, Form, Message};

/// The consumer a POLL names: its non-empty clientId. A poll without one
/// is a FlexClient-wide poll (`messaging::poll`).
pub(super) fn receiving_consumer(request: &Message) -> Option<&str> {
    request.client_id().filter(|id| !id.is_empty())
}

/// Answers a receive poll of `consumer` at once: a CLIENT_SYNC with what
/// arrived for it since its last poll or receive, or an acknowledgement.
pub(super) async fn receive(
    state: &State,
    ctx: &RequestContext<'_>,
    request: &Message,
    client: &Connection,
    consumer: &str,
) -> Result<Reply, Fault> {
    let dest = access::messaging_destination(state, ctx.channel, request, client)?;
    state.metrics.count_poll();
    let mut deliveries = state
        .broker
        .receive(&client.id, dest, consumer, limits::drain_budget(state))
        .await
        .map_err(|e| match e {
            BrokerError::NotSubscribed(_) | BrokerError::NotConnected(_) => {
                fault::not_subscribed_to(dest)
            }
            other => fault::from_broker(other),
        })?;
    // Roles as at any delivery: a logout may have happened since the
    // subscribe.
    deliveries.retain(|d| access::may_receive(state, client, &d.message.destination));
    if deliveries.is_empty() {
        return Ok(Reply {
            message: ack(request),
            small: uses_small_messages(client),
        });
    }
    let mut sync = client_sync(
        deliveries
            .iter()
            .map(|d| delivered_value(d, Form::Full))
            .collect(),
    );
    // Unlike a general poll's reply, BlazeDS's MessageBroker correlates
    // this one with the request and names the consumer.
    if let Message::Command(c) = &mut sync {
        c.correlation_id = request.base().message_id.clone();
        c.base.client_id = Some(consumer.to_owned());
    }
    // A CLIENT_SYNC has no small form.
    Ok(Reply {
        message: sync,
        small: false,
    })
}
