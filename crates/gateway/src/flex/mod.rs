//! Flex messaging over AMF: a decoded Flex message is routed to the
//! service that handles it, as BlazeDS's MessageBroker routes to its
//! services, and answered with an AcknowledgeMessage or an ErrorMessage.
//!
//! * [`client`]: the Flex client of a request; ping, login, logout, disconnect.
//! * [`messaging`]: subscribe, unsubscribe, multi-subscribe, poll, publish.
//! * [`receive`]: `Consumer.receive()`, a poll for one consumer.
//! * [`remoting`]: RemotingMessage calls (and legacy NetConnection calls).
//! * [`access`]: destination, channel and role checks, in one place.
//! * [`fault`]: broker failures as Flex faults, in one place.
//! * [`delivery`]: what a consumer receives.
//! * [`channel_config`]: the channel description a `DSNeedsConfig` ping gets.

pub(crate) mod access;
mod bounds;
mod channel_config;
mod client;
pub(crate) mod delivery;
pub(crate) mod fault;
mod messaging;
mod receive;
pub(crate) mod remoting;
mod reply;

use crate::request::{Outcome, RequestContext};
use crate::state::State;
use flexgate_broker::Connection;
use flexgate_messages::{
    error_for, AsyncMessage, CommandOperation, Fault, FaultCode, Form, Message,
};
use reply::{ack, Reply};

/// Handles one Flex message.
pub(crate) async fn handle(state: &State, ctx: &RequestContext<'_>, request: Message) -> Outcome {
    // Before anything stores, logs or echoes what the message names.
    if let Err(fault) = bounds::check(&state.config.limits, &request) {
        tracing::info!(code = fault.code.as_str(), reason = %fault.string, "request refused");
        let echo = bounds::echoable(&state.config.limits, &request);
        return Outcome::Status(Message::Error(error_for(&echo, fault)).to_value(Form::Full));
    }
    record_request(&request);
    // As BlazeDS's MessageBrokerFilter, which gives every request but a
    // general poll a clientId once its Flex client is set up, so that an
    // ErrorMessage from the service names one too.
    let mut names_client = false;
    let result = if is_poll(&request) {
        // A poll never creates its Flex client: it looks it up itself.
        messaging::poll(state, ctx, &request).await
    } else {
        match client::connect(state, ctx, &request).await {
            Ok(client) => {
                tracing::Span::current().record("client_id", client.id.as_str());
                names_client = true;
                route(state, ctx, &request, &client).await
            }
            Err(fault) => Err(fault),
        }
    };
    match result {
        // A handler may answer with an ErrorMessage (a refused login, as
        // BlazeDS's MessageBroker returns it): that goes on onStatus.
        Ok(reply) if matches!(reply.message, Message::Error(_)) => {
            Outcome::Status(reply.message.to_value(Form::Full))
        }
        Ok(reply) => Outcome::Result(reply.message.to_value(reply.form(ctx.small_messages))),
        Err(fault) => {
            tracing::info!(code = fault.code.as_str(), reason = %fault.string, "request failed");
            let error = if names_client {
                reply::error(&request, fault)
            } else {
                Message::Error(error_for(&request, fault))
            };
            Outcome::Status(error.to_value(Form::Full))
        }
    }
}

/// A FlexClient-wide POLL command (answered without `client::connect`,
/// see [`handle`]); a poll naming a consumer is `Consumer.receive()`,
/// which BlazeDS's MessageService serves like any other command.
fn is_poll(request: &Message) -> bool {
    matches!(request, Message::Command(c) if c.operation == CommandOperation::Poll)
        && receive::receiving_consumer(request).is_none()
}

/// Names the operation and destination on the request's span.
fn record_request(request: &Message) {
    let span = tracing::Span::current();
    match request {
        Message::Command(c) => span.record("operation", tracing::field::debug(c.operation)),
        Message::Remoting(r) => span.record("operation", r.operation.as_str()),
        Message::Async(_) => span.record("operation", "publish"),
        _ => span.record("operation", request.class_alias()),
    };
    if let Some(d) = request.destination().filter(|d| !d.is_empty()) {
        span.record("destination", d);
    }
}

/// The reply to a body that is not a Flex message nor a legacy call, or
/// whose value could not be decoded.
pub(crate) fn undecodable(e: impl std::fmt::Display) -> Outcome {
    let fault = Fault::new(
        FaultCode::MessageEncoding,
        format!("Cannot read the message: {e}"),
    );
    let request = Message::Async(AsyncMessage::default());
    Outcome::Status(Message::Error(error_for(&request, fault)).to_value(Form::Full))
}

/// Routes a message of a known client to the service for its kind.
async fn route(
    state: &State,
    ctx: &RequestContext<'_>,
    request: &Message,
    client: &Connection,
) -> Result<Reply, Fault> {
    match request {
        Message::Command(c) => match c.operation {
            CommandOperation::ClientPing => client::ping(state, ctx, request, client).await,
            CommandOperation::Login => client::login(state, ctx, request, client).await,
            CommandOperation::Logout => client::logout(state, request, client).await,
            CommandOperation::Disconnect => client::disconnect(state, request, client).await,
            CommandOperation::Subscribe => messaging::subscribe(state, ctx, request, client).await,
            CommandOperation::Unsubscribe => messaging::unsubscribe(state, request, client).await,
            CommandOperation::MultiSubscribe => {
                messaging::multi_subscribe(state, ctx, request, client).await
            }
            CommandOperation::Poll => match receive::receiving_consumer(request) {
                Some(consumer) => receive::receive(state, ctx, request, client, consumer).await,
                // Looks its client up itself; `handle` sends these there first.
                None => messaging::poll(state, ctx, request).await,
            },
            // Acknowledged and otherwise ignored, as BlazeDS does.
            CommandOperation::TriggerConnect
            | CommandOperation::ClientSync
            | CommandOperation::ClusterRequest
            | CommandOperation::SubscriptionInvalidate => Ok(Reply {
                message: ack(request),
                small: crate::state::uses_small_messages(client),
            }),
            other => Err(Fault::unknown_command(other)),
        },
        Message::Async(m) => messaging::publish(state, ctx, request, m, client).await,
        Message::Remoting(r) => {
            let result = remoting::remoting_message(state, ctx, r, client).await?;
            let mut message = ack(request);
            message.base_mut().body = result;
            Ok(Reply {
                message,
                small: crate::state::uses_small_messages(client),
            })
        }
        Message::Acknowledge(_) | Message::Error(_) => Err(Fault::new(
            FaultCode::ServerProcessing,
            format!("A client cannot send a {}.", request.class_alias()),
        )),
    }
}
