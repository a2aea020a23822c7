//! Flex messaging over AMF: CommandMessages (ping, login, subscribe, poll
//! ...), AsyncMessage publishes and RemotingMessage calls, each answered
//! with an AcknowledgeMessage or an ErrorMessage as BlazeDS answers them.

use crate::auth::{decode_credentials, Principal};
use crate::config::{ChannelConfig, ChannelKind, DestinationConfig, DestinationKind};
use crate::request::{Outcome, RequestContext};
use crate::limits;
use crate::remoting::{Call, Service};
use crate::state::{principal_of, uses_small_messages, State, WaitRefused};
use flexgate_amf::Value;
use flexgate_broker::{BrokerError, Connection, Delivery, Payload};
use flexgate_messages::headers as h;
use flexgate_messages::{
    ack_for, error_for, uid, AbstractMessage, AsyncMessage, CommandMessage, CommandOperation,
    Fault, FaultCode, Form, Message, MessageError, RemotingMessage,
};
use std::time::Duration;
use tokio::time::Instant;

/// The messaging version flexgate speaks (small messages supported).
const MESSAGING_VERSION: f64 = 1.0;

/// A reply and whether it may go in small form.
struct Reply {
    message: Message,
    small: bool,
}

/// Handles one Flex message.
pub(crate) async fn handle(state: &State, ctx: &RequestContext<'_>, request: Message) -> Outcome {
    record_request(&request);
    let result = match session(state, ctx, &request).await {
        Ok(client) => {
            tracing::Span::current().record("client_id", client.id.as_str());
            dispatch(state, ctx, &request, client).await
        }
        Err(fault) => Err(fault),
    };
    match result {
        Ok(reply) => {
            let form = if reply.small { Form::Small } else { Form::Full };
            Outcome::Result(reply.message.to_value(form))
        }
        Err(fault) => {
            tracing::info!(code = fault.code.as_str(), reason = %fault.string, "request failed");
            Outcome::Status(Message::Error(error_for(&request, fault)).to_value(Form::Full))
        }
    }
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

/// The reply to a body that is not a Flex message nor a legacy call.
pub(crate) fn undecodable(e: MessageError) -> Outcome {
    let fault = Fault::new(
        FaultCode::MessageEncoding,
        format!("Cannot read the message: {e}"),
    );
    let request = Message::Async(AsyncMessage::default());
    Outcome::Status(Message::Error(error_for(&request, fault)).to_value(Form::Full))
}

/// The Flex client (`DSId`) of a request, created when it is new. `connect`
/// also records the activity, so no separate touch is needed.
async fn session(
    state: &State,
    ctx: &RequestContext<'_>,
    request: &Message,
) -> Result<Connection, Fault> {
    let ds_id = request
        .header(h::DS_ID)
        .and_then(Value::as_str)
        .filter(|id| *id != "nil" && !id.is_empty());
    let client = state
        .broker
        .connect(ds_id, ctx.channel)
        .await
        .map_err(fault_from)?;
    crate::session::admit(state, &client, ctx.session).await?;
    Ok(client)
}

async fn dispatch(
    state: &State,
    ctx: &RequestContext<'_>,
    request: &Message,
    client: Connection,
) -> Result<Reply, Fault> {
    let small = uses_small_messages(&client);
    match request {
        Message::Command(c) => command(state, ctx, request, c, client).await,
        Message::Async(m) => {
            publish(state, ctx, m, &client).await?;
            Ok(Reply {
                message: ack(request),
                small,
            })
        }
        Message::Remoting(r) => {
            let result = remoting(state, ctx, r, &client).await?;
            let mut ack = ack(request);
            ack.base_mut().body = result;
            Ok(Reply {
                message: ack,
                small,
            })
        }
        Message::Acknowledge(_) | Message::Error(_) => Err(Fault::new(
            FaultCode::ServerProcessing,
            format!("A client cannot send a {}.", request.class_alias()),
        )),
    }
}

/// An acknowledgement; like BlazeDS, a request without a clientId gets a
/// fresh one in its reply.
fn ack(request: &Message) -> Message {
    let mut ack = Message::Acknowledge(ack_for(request));
    if ack.base().client_id.is_none() {
        ack.base_mut().client_id = Some(uid::new_uid());
    }
    ack
}

async fn command(
    state: &State,
    ctx: &RequestContext<'_>,
    request: &Message,
    c: &CommandMessage,
    client: Connection,
) -> Result<Reply, Fault> {
    let mut small = uses_small_messages(&client);
    let mut reply = ack(request);
    match c.operation {
        CommandOperation::ClientPing => {
            let version = request
                .header(h::DS_MESSAGING_VERSION)
                .and_then(Value::as_f64);
            if version.is_some_and(|v| v >= MESSAGING_VERSION) && !small {
                state
                    .set_small_messages(&client.id)
                    .await
                    .map_err(fault_from)?;
                small = true;
            }
            let headers = &mut reply.base_mut().headers;
            headers.set(h::DS_ID, client.id.as_str());
            headers.set(h::DS_MESSAGING_VERSION, MESSAGING_VERSION);
        }
        CommandOperation::Login => {
            login(state, request, &client).await?;
            let base = reply.base_mut();
            base.body = Value::from("success");
            base.headers.set(h::DS_ID, client.id.as_str());
            base.headers.set(h::DS_MESSAGING_VERSION, MESSAGING_VERSION);
        }
        CommandOperation::Logout => {
            state
                .set_principal(&client.id, None)
                .await
                .map_err(fault_from)?;
            reply.base_mut().body = Value::from("success");
        }
        CommandOperation::Subscribe => {
            let consumer = consumer_id(request, &mut reply);
            let dest = messaging_destination(state, ctx.channel, request, &client)?;
            let subtopic = request.header(h::DS_SUBTOPIC).and_then(Value::as_str);
            let selector = request.header(h::DS_SELECTOR).and_then(Value::as_str);
            limits::check_subscriptions(
                state,
                &client.id,
                &consumer,
                dest,
                &[(subtopic, selector)],
            )
            .await?;
            state
                .broker
                .subscribe(&client.id, &consumer, dest, subtopic, selector)
                .await
                .map_err(fault_from)?;
        }
        CommandOperation::Unsubscribe => {
            let consumer = consumer_id(request, &mut reply);
            let dest = request.destination().unwrap_or_default();
            let subtopic = request.header(h::DS_SUBTOPIC).and_then(Value::as_str);
            let selector = request.header(h::DS_SELECTOR).and_then(Value::as_str);
            // Unsubscribing what is not subscribed is acknowledged: after a
            // server restart the client's view is stale, and that is fine.
            let removed = match (subtopic, selector) {
                (None, None) => {
                    state
                        .broker
                        .unsubscribe_all(&client.id, &consumer, dest)
                        .await
                }
                _ => {
                    state
                        .broker
                        .unsubscribe(&client.id, &consumer, dest, subtopic, selector)
                        .await
                }
            };
            removed.map_err(fault_from)?;
        }
        CommandOperation::MultiSubscribe => {
            let consumer = consumer_id(request, &mut reply);
            let dest = messaging_destination(state, ctx.channel, request, &client)?;
            let adds = sub_specs(request, h::DS_ADD_SUB);
            let filters: Vec<limits::Filter<'_>> = adds
                .iter()
                .map(|(st, sel)| (st.as_deref(), sel.as_deref()))
                .collect();
            limits::check_subscriptions(state, &client.id, &consumer, dest, &filters).await?;
            for (subtopic, selector) in adds {
                state
                    .broker
                    .subscribe(
                        &client.id,
                        &consumer,
                        dest,
                        subtopic.as_deref(),
                        selector.as_deref(),
                    )
                    .await
                    .map_err(fault_from)?;
            }
            for (subtopic, selector) in sub_specs(request, h::DS_REM_SUB) {
                state
                    .broker
                    .unsubscribe(
                        &client.id,
                        &consumer,
                        dest,
                        subtopic.as_deref(),
                        selector.as_deref(),
                    )
                    .await
                    .map_err(fault_from)?;
            }
        }
        CommandOperation::Poll => return poll(state, ctx, request, &client).await,
        CommandOperation::Disconnect => {
            state
                .broker
                .disconnect(&client.id)
                .await
                .map_err(fault_from)?;
        }
        CommandOperation::TriggerConnect
        | CommandOperation::ClientSync
        | CommandOperation::ClusterRequest
        | CommandOperation::SubscriptionInvalidate => {}
        other => return Err(Fault::unknown_command(other)),
    }
    Ok(Reply {
        message: reply,
        small,
    })
}

/// The consumer's id: the CommandMessage's clientId, or a fresh one that
/// the reply carries back.
fn consumer_id(request: &Message, reply: &mut Message) -> String {
    match request.client_id() {
        Some(id) if !id.is_empty() => id.to_owned(),
        _ => reply.base().client_id.clone().unwrap_or_else(uid::new_uid),
    }
}

/// `DSAddSub`/`DSRemSub` entries: `subtopic_;_selector`, each part optional.
fn sub_specs(request: &Message, header: &str) -> Vec<(Option<String>, Option<String>)> {
    let Some(Value::Array(entries)) = request.header(header) else {
        return Vec::new();
    };
    let part = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    entries
        .dense
        .iter()
        .filter_map(Value::as_str)
        .map(|e| match e.split_once(h::SUBTOPIC_SEPARATOR) {
            Some((subtopic, selector)) => (part(subtopic), part(selector)),
            None => (part(e), None),
        })
        .collect()
}

async fn login(state: &State, request: &Message, client: &Connection) -> Result<(), Fault> {
    let body = request.body().as_str().ok_or_else(|| {
        Fault::new(
            FaultCode::ClientAuthentication,
            "Invalid credential format.",
        )
    })?;
    let utf8 = request
        .header(h::DS_CREDENTIALS_CHARSET)
        .and_then(Value::as_str)
        .is_some_and(|c| c.eq_ignore_ascii_case("UTF-8"));
    let (user, password) = decode_credentials(body, utf8)
        .map_err(|e| Fault::new(FaultCode::ClientAuthentication, e.to_string()))?;
    let principal = state
        .authenticator
        .authenticate(&user, &password)
        .ok_or_else(|| Fault::new(FaultCode::ClientAuthentication, "Invalid login."))?;
    tracing::info!(user = %principal.name, "login");
    state
        .set_principal(&client.id, Some(&principal))
        .await
        .map_err(fault_from)
}

async fn poll(
    state: &State,
    ctx: &RequestContext<'_>,
    request: &Message,
    client: &Connection,
) -> Result<Reply, Fault> {
    let small = uses_small_messages(client);
    let channel = channel_config(state, ctx.channel)?;
    if channel.kind == ChannelKind::Streaming {
        return Err(Fault::new(
            FaultCode::PollNotSupported,
            "Channel endpoint does not support polling.",
        ));
    }
    state.metrics.count_poll();
    let mut deliveries = state.broker.poll(&client.id).await.map_err(fault_from)?;
    let mut poll_wait = None;
    if deliveries.is_empty() && channel.kind == ChannelKind::LongPolling && !ctx.batched {
        match state.waiting.try_acquire(
            &client.id,
            channel.max_waiting_polls,
            channel.max_waiting_polls_per_client,
        ) {
            Ok(_slot) => {
                let deadline = Instant::now() + Duration::from_millis(channel.wait_interval_ms);
                tokio::select! {
                    waited = state.broker.wait_for_messages(&client.id, deadline) => {
                        deliveries = waited.map_err(fault_from)?;
                    }
                    () = state.shutdown_signal() => {}
                }
            }
            Err(WaitRefused::ClientBusy) => {
                // Another poll of this client is parked: tell this one not
                // to schedule a follow-up (BlazeDS's DSNoOpPoll).
                let mut sync = client_sync(Vec::new());
                sync.base_mut().headers.set(h::DS_NO_OP_POLL, true);
                return Ok(Reply {
                    message: sync,
                    small: false,
                });
            }
            Err(WaitRefused::ServerBusy) => {
                tracing::warn!(waiting = state.waiting.total(), "long-poll limit reached");
                poll_wait = Some(channel.busy_poll_wait_ms);
            }
        }
    }
    let deliveries = limits::cap_queue(
        deliveries,
        state.config.limits.max_queued_messages_per_client,
        &client.id,
    );
    let mut reply = if deliveries.is_empty() {
        ack(request)
    } else {
        client_sync(deliveries.iter().map(delivered_message).collect())
    };
    if let Some(ms) = poll_wait {
        reply
            .base_mut()
            .headers
            .set(h::DS_POLL_WAIT, i32::try_from(ms).unwrap_or(i32::MAX));
    }
    // A CLIENT_SYNC has no small form; an empty poll's ack does.
    let small = small && matches!(reply, Message::Acknowledge(_));
    Ok(Reply {
        message: reply,
        small,
    })
}

/// BlazeDS answers a poll that found messages with a CLIENT_SYNC command
/// whose body is the array of messages.
fn client_sync(messages: Vec<Value>) -> Message {
    Message::Command(CommandMessage {
        base: AbstractMessage {
            body: Value::array(messages),
            message_id: Some(uid::new_uid()),
            timestamp: chrono::Utc::now().timestamp_millis(),
            ..AbstractMessage::default()
        },
        correlation_id: None,
        operation: CommandOperation::ClientSync,
    })
}

/// The message a consumer receives: the published AsyncMessage with its
/// clientId set to the consumer's id and the sender's routing headers
/// removed, as BlazeDS delivers it.
pub(crate) fn delivered_message(d: &Delivery) -> Value {
    let m = &d.message;
    let mut delivered = match &m.payload {
        Payload::Message(v) => match Message::from_value(v) {
            Ok(Message::Async(a)) => a,
            _ => AsyncMessage {
                base: AbstractMessage {
                    body: v.clone(),
                    ..AbstractMessage::default()
                },
                correlation_id: None,
            },
        },
        Payload::Body(body) => {
            let mut a = AsyncMessage::default();
            a.base.body = body.clone();
            for (k, v) in &m.headers {
                a.base.headers.set(k.as_str(), v.clone());
            }
            if let Some(st) = &m.subtopic {
                a.base.headers.set(h::DS_SUBTOPIC, st.as_str());
            }
            a
        }
    };
    let base = &mut delivered.base;
    base.client_id = Some(d.client_id.clone());
    base.destination = Some(m.destination.clone());
    if base.message_id.is_none() {
        base.message_id = Some(m.id.clone());
    }
    base.timestamp = i64::try_from(m.timestamp_ms).unwrap_or(i64::MAX);
    base.time_to_live = i64::try_from(m.ttl_ms).unwrap_or(i64::MAX);
    base.headers.remove(h::DS_ID);
    base.headers.remove(h::DS_ENDPOINT);
    Message::Async(delivered).to_value(Form::Full)
}

async fn publish(
    state: &State,
    ctx: &RequestContext<'_>,
    m: &AsyncMessage,
    client: &Connection,
) -> Result<(), Fault> {
    let request = Message::Async(m.clone());
    let dest = messaging_destination(state, ctx.channel, &request, client)?;
    let mut out =
        flexgate_broker::Message::new(dest, Payload::Message(request.to_value(Form::Full)));
    if let Some(id) = &m.base.message_id {
        out = out.with_id(id.as_str());
    }
    if let Some(st) = m.base.headers.get_str(h::DS_SUBTOPIC) {
        out = out.with_subtopic(st);
    }
    if let Some(target) = m.base.headers.get_str(h::DS_DST_CLIENT_ID) {
        out = out.with_target(target);
    }
    for (name, value) in m.base.headers.iter() {
        // Selectors only see scalar headers.
        if matches!(
            value,
            Value::String(_) | Value::Integer(_) | Value::Number(_) | Value::Bool(_)
        ) {
            out = out.with_header(name, value.clone());
        }
    }
    out = out
        .with_ttl_ms(u64::try_from(m.base.time_to_live).unwrap_or(0))
        .with_sender(client.id.as_str());
    state
        .broker
        .publish_message(out)
        .await
        .map_err(fault_from)?;
    Ok(())
}

async fn remoting(
    state: &State,
    ctx: &RequestContext<'_>,
    r: &RemotingMessage,
    client: &Connection,
) -> Result<Value, Fault> {
    let destination = r.base.destination.as_deref().unwrap_or_default();
    let principal = principal_of(client);
    let caller = Some(client.id.clone());
    call_remoting(
        state,
        ctx.channel,
        destination,
        &r.operation,
        &r.base.body,
        principal,
        caller,
    )
    .await
}

/// Calls `method` of the service behind remoting `destination`, once the
/// destination is checked for this channel and principal. `args` is the
/// argument array (a lone value is one argument).
pub(crate) async fn call_remoting(
    state: &State,
    channel: &str,
    destination: &str,
    method: &str,
    args: &Value,
    principal: Option<Principal>,
    client_id: Option<String>,
) -> Result<Value, Fault> {
    let (service, _) = authorize_remoting(state, channel, destination, principal.as_ref())?;
    let args = match args {
        Value::Array(a) => a.dense.clone(),
        Value::Null | Value::Undefined => Vec::new(),
        other => vec![other.clone()],
    };
    let call = Call {
        args,
        principal: principal.map(|p| p.name),
        client_id,
    };
    service.invoke(method, call).await
}

fn channel_config<'s>(state: &'s State, channel: &str) -> Result<&'s ChannelConfig, Fault> {
    state.config.channels.get(channel).ok_or_else(|| {
        Fault::new(
            FaultCode::ServerProcessing,
            format!("Unknown channel '{channel}'."),
        )
    })
}

/// The destination config, if it exists with this kind and is reachable
/// over this channel by this principal.
fn destination<'s>(
    state: &'s State,
    channel: &str,
    id: &str,
    kind: DestinationKind,
    principal: Option<&Principal>,
) -> Result<&'s DestinationConfig, Fault> {
    let d = state
        .config
        .destinations
        .get(id)
        .filter(|d| d.kind == kind)
        .ok_or_else(|| Fault::unknown_destination(id))?;
    if !d.channels.is_empty() && !d.channels.iter().any(|c| c == channel) {
        return Err(Fault::new(
            FaultCode::ServerProcessing,
            format!("Destination '{id}' not accessible over channel '{channel}'."),
        ));
    }
    if !d.roles.is_empty() {
        let p = principal
            .ok_or_else(|| Fault::new(FaultCode::ClientAuthentication, "Login required."))?;
        if !p.roles.iter().any(|r| d.roles.contains(r)) {
            return Err(Fault::new(
                FaultCode::ClientAuthorization,
                "Access denied. User not authorized.",
            ));
        }
    }
    Ok(d)
}

/// The messaging destination a Consumer/Producer message names, checked.
fn messaging_destination<'r>(
    state: &State,
    channel: &str,
    request: &'r Message,
    client: &Connection,
) -> Result<&'r str, Fault> {
    let id = request.destination().unwrap_or_default();
    destination(
        state,
        channel,
        id,
        DestinationKind::Messaging,
        principal_of(client).as_ref(),
    )?;
    Ok(id)
}

/// The service behind a remoting destination, checked.
fn authorize_remoting<'s>(
    state: &'s State,
    channel: &str,
    id: &str,
    principal: Option<&Principal>,
) -> Result<(&'s Service, &'s DestinationConfig), Fault> {
    let d = destination(state, channel, id, DestinationKind::Remoting, principal)?;
    let name = d.source.as_deref().unwrap_or(id);
    let service = state.services.get(name).ok_or_else(|| {
        Fault::new(
            FaultCode::ResourceNotFound,
            format!("No service '{name}' is registered for destination '{id}'."),
        )
    })?;
    Ok((service, d))
}

/// A broker failure as the fault BlazeDS would send.
fn fault_from(e: BrokerError) -> Fault {
    match &e {
        BrokerError::UnknownDestination(d) => Fault::unknown_destination(d),
        BrokerError::TooManyConnections(max) => Fault::new(
            FaultCode::ServerProcessing,
            format!("The server has its maximum of {max} Flex clients; try again later."),
        ),
        _ => Fault::new(FaultCode::ServerProcessing, e.to_string()),
    }
}
