//! The messaging service: Consumer subscribe, unsubscribe and
//! multi-subscribe, polls (plain and long), and Producer publishes.

use super::access;
use super::delivery::{client_sync, delivered_value};
use super::fault;
use super::reply::{ack, Reply};
use crate::config::ChannelKind;
use crate::consumers::ClaimError;
use crate::limits;
use crate::request::RequestContext;
use crate::state::{uses_small_messages, State, WaitRefused};
use flexgate_amf::Value;
use flexgate_broker::{Connection, DrainScope, IfUnsubscribed, Payload};
use flexgate_messages::convert::list_items;
use flexgate_messages::headers as h;
use flexgate_messages::{uid, AsyncMessage, Fault, FaultCode, Form, Message};
use std::time::Duration;
use tokio::time::Instant;

/// A subscription filter as a request spells it: subtopic and selector.
type Spec = (Option<String>, Option<String>);

/// SUBSCRIBE: one consumer filter (subtopic and selector headers).
pub(super) async fn subscribe(
    state: &State,
    ctx: &RequestContext<'_>,
    request: &Message,
    client: &Connection,
) -> Result<Reply, Fault> {
    let mut message = ack(request);
    let consumer = consumer_id(request, &mut message);
    let dest = access::messaging_destination(state, ctx.channel, request, client)?;
    let subtopic = request.header(h::DS_SUBTOPIC).and_then(Value::as_str);
    let selector = request.header(h::DS_SELECTOR).and_then(Value::as_str);
    limits::check_subscriptions(state, &client.id, &consumer, dest, &[(subtopic, selector)])
        .await?;
    claim(state, &client.id, &consumer, dest).await?;
    state
        .broker
        .subscribe_over(ctx.channel, &client.id, &consumer, dest, subtopic, selector)
        .await
        .map_err(fault::from_broker)?;
    Ok(acknowledged(message, client))
}

/// UNSUBSCRIBE: one filter, or the whole consumer without one.
pub(super) async fn unsubscribe(
    state: &State,
    request: &Message,
    client: &Connection,
) -> Result<Reply, Fault> {
    let mut message = ack(request);
    let consumer = consumer_id(request, &mut message);
    let dest = request.destination().unwrap_or_default();
    let subtopic = request.header(h::DS_SUBTOPIC).and_then(Value::as_str);
    let selector = request.header(h::DS_SELECTOR).and_then(Value::as_str);
    // Unsubscribing what is not subscribed is acknowledged: after a
    // server restart the client's view is stale, and that is fine.
    let removed = match (subtopic, selector) {
        (None, None) => {
            state.consumers.release(&client.id, &consumer, dest);
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
    removed.map_err(fault::from_broker)?;
    Ok(acknowledged(message, client))
}

/// MULTI_SUBSCRIBE: filters to add (`DSAddSub`) and to remove (`DSRemSub`).
pub(super) async fn multi_subscribe(
    state: &State,
    ctx: &RequestContext<'_>,
    request: &Message,
    client: &Connection,
) -> Result<Reply, Fault> {
    let mut message = ack(request);
    let consumer = consumer_id(request, &mut message);
    let dest = access::messaging_destination(state, ctx.channel, request, client)?;
    let adds = sub_specs(request, h::DS_ADD_SUB);
    let filters: Vec<limits::Filter<'_>> = adds
        .iter()
        .map(|(st, sel)| (st.as_deref(), sel.as_deref()))
        .collect();
    limits::check_subscriptions(state, &client.id, &consumer, dest, &filters).await?;
    if !adds.is_empty() {
        claim(state, &client.id, &consumer, dest).await?;
    }
    for (subtopic, selector) in &adds {
        state
            .broker
            .subscribe_over(
                ctx.channel,
                &client.id,
                &consumer,
                dest,
                subtopic.as_deref(),
                selector.as_deref(),
            )
            .await
            .map_err(fault::from_broker)?;
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
            .map_err(fault::from_broker)?;
    }
    Ok(acknowledged(message, client))
}

/// Binds `consumer` of `dest` to Flex client `client` (see
/// [`consumers`](crate::consumers)): `Server.Processing` when another
/// client holds it, as BlazeDS refuses it (errors.properties 10559).
async fn claim(state: &State, client: &str, consumer: &str, dest: &str) -> Result<(), Fault> {
    state
        .consumers
        .claim(&state.broker, client, consumer, dest)
        .await
        .map_err(|e| match e {
            ClaimError::Taken => Fault::new(FaultCode::ServerProcessing, e.to_string()),
            ClaimError::Broker(e) => fault::from_broker(e),
        })
}

/// An acknowledgement, small when the client reads small messages.
fn acknowledged(message: Message, client: &Connection) -> Reply {
    Reply {
        message,
        small: uses_small_messages(client),
    }
}

/// The consumer's id: the CommandMessage's clientId, or a fresh one that
/// the reply carries back.
fn consumer_id(request: &Message, reply: &mut Message) -> String {
    match request.client_id() {
        Some(id) if !id.is_empty() => id.to_owned(),
        _ => reply.base().client_id.clone().unwrap_or_else(uid::new_uid),
    }
}

/// `DSAddSub`/`DSRemSub` entries (an array or ArrayCollection of strings),
/// read as [`sub_spec`] reads each.
fn sub_specs(request: &Message, header: &str) -> Vec<Spec> {
    let Some(entries) = request.header(header).and_then(list_items) else {
        return Vec::new();
    };
    entries
        .iter()
        .filter_map(Value::as_str)
        .filter_map(sub_spec)
        .collect()
}

/// One entry, `subtopic_;_selector[_;_maxFrequency]` as
/// MultiTopicConsumer writes it (`""` for a null part): the subtopic ends
/// at the first separator, the selector at the next. maxFrequency is not
/// used (flexgate does not throttle per subscription), and never ends up
/// in the selector. An entry without a separator is ignored, as BlazeDS
/// ignores it.
fn sub_spec(entry: &str) -> Option<Spec> {
    let part = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    let (subtopic, rest) = entry.split_once(h::SUBTOPIC_SEPARATOR)?;
    let selector = rest
        .split_once(h::SUBTOPIC_SEPARATOR)
        .map_or(rest, |(selector, _max_frequency)| selector);
    Some((part(subtopic), part(selector)))
}

/// A producer's `DSSubtopic`: one string, or (MultiTopicProducer) an
/// array or ArrayCollection of them. `None` when it is a list without a
/// usable entry: BlazeDS routes such a message to nobody.
fn producer_subtopics(header: Option<&Value>) -> Option<Vec<String>> {
    let Some(value) = header else {
        return Some(Vec::new());
    };
    if let Some(one) = value.as_str() {
        return Some(vec![one.to_owned()]);
    }
    let Some(items) = list_items(value) else {
        return Some(Vec::new());
    };
    let many: Vec<String> = items
        .iter()
        .filter_map(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    (!many.is_empty()).then_some(many)
}

/// The Flex client a POLL names, looked up and never created: a `DSId`
/// the store does not know (never pinged, expired, lost in a store
/// restart) is answered `Server.Processing.NotSubscribed`, as BlazeDS
/// answers it, instead of an empty poll for a client nobody subscribed.
/// Admitted for the request's HTTP session as `client::connect` does.
async fn poll_client(
    state: &State,
    ctx: &RequestContext<'_>,
    request: &Message,
) -> Result<Connection, Fault> {
    let ds_id = super::client::ds_id(request).ok_or_else(|| fault::not_subscribed(ctx.channel))?;
    // Read without touching: a poll refused by the session binding must
    // not keep the client alive; the drain records the activity.
    let client = state
        .broker
        .connection(ds_id)
        .await
        .map_err(|e| fault::from_poll(e, ctx.channel))?;
    crate::session::admit(state, &client, ctx.session).await?;
    tracing::Span::current().record("client_id", client.id.as_str());
    Ok(client)
}

/// POLL: what arrived for the client's subscriptions made over this
/// channel (BlazeDS's FlexClient keeps an outbound queue per endpoint: what
/// was subscribed over another channel waits for that channel's polls); on
/// a long-polling channel an empty poll waits (within the channel's
/// limits). A client without subscriptions over this channel gets
/// `Server.Processing.NotSubscribed` at once, long poll or not, so that it
/// resubscribes (docs/protocol.md §6).
pub(super) async fn poll(
    state: &State,
    ctx: &RequestContext<'_>,
    request: &Message,
) -> Result<Reply, Fault> {
    let channel = access::channel(state, ctx.channel)?;
    if channel.kind == ChannelKind::Streaming {
        // Worded as BlazeDS's BaseStreamingHTTPEndpoint (10034 and its detail).
        return Err(Fault::new(
            FaultCode::PollNotSupported,
            "Channel endpoint does not support polling.",
        )
        .with_detail(
            "Client attempted to contact a server endpoint that does not support a polling channel.",
        ));
    }
    state.metrics.count_poll();
    let client = &poll_client(state, ctx, request).await?;
    let small = uses_small_messages(client);
    let budget = limits::drain_budget(state);
    let scope = DrainScope::Endpoint(ctx.channel.to_owned());
    let mut deliveries = state
        .broker
        .poll_in(&client.id, &scope, budget)
        .await
        .map_err(|e| fault::from_poll(e, ctx.channel))?;
    let mut poll_wait = None;
    if deliveries.is_empty() && channel.kind == ChannelKind::LongPolling && !ctx.batched {
        match state.waiting.try_acquire(
            &client.id,
            ctx.channel,
            channel.max_waiting_polls,
            channel.max_waiting_polls_per_client,
        ) {
            Ok(_slot) => {
                let deadline = Instant::now() + Duration::from_millis(channel.wait_interval_ms);
                tokio::select! {
                    // Unsubscribed or disconnected while parked: fault
                    // now rather than wait out the interval.
                    waited = state.broker.wait_in(
                        &client.id, &scope, deadline, budget, IfUnsubscribed::Fail,
                    ) => {
                        deliveries = waited.map_err(|e| fault::from_poll(e, ctx.channel))?;
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
    // Roles are checked again at delivery: a logout or another login may
    // have happened since the subscribe.
    deliveries.retain(|d| access::may_receive(state, client, &d.message.destination));
    let mut reply = if deliveries.is_empty() {
        ack(request)
    } else {
        client_sync(
            deliveries
                .iter()
                .map(|d| delivered_value(d, Form::Full))
                .collect(),
        )
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

/// A Producer's AsyncMessage: stored in its destination's log.
pub(super) async fn publish(
    state: &State,
    ctx: &RequestContext<'_>,
    request: &Message,
    m: &AsyncMessage,
    client: &Connection,
) -> Result<Reply, Fault> {
    let dest = access::messaging_destination(state, ctx.channel, request, client)?;
    // Credentials meant for this hop never reach the log or other clients.
    let mut m = m.clone();
    m.base
        .headers
        .retain(|name, _| !h::is_credentials_header(name));
    let stored = Message::Async(m);
    let base = stored.base();
    let mut out =
        flexgate_broker::Message::new(dest, Payload::Message(stored.to_value(Form::Full)));
    if let Some(id) = &base.message_id {
        out = out.with_id(id.as_str());
    }
    let Some(subtopics) = producer_subtopics(base.headers.get(h::DS_SUBTOPIC)) else {
        return Ok(acknowledged(ack(request), client));
    };
    out = out.with_subtopics(subtopics.clone());
    if let Some(target) = base.headers.get_str(h::DS_DST_CLIENT_ID) {
        out = out.with_target(target);
    }
    for (name, value) in base.headers.iter() {
        // Selectors only see scalar headers.
        if matches!(
            value,
            Value::String(_) | Value::Integer(_) | Value::Number(_) | Value::Bool(_)
        ) {
            out = out.with_header(name, value.clone());
        }
    }
    out = out
        .with_ttl_ms(u64::try_from(base.time_to_live).unwrap_or(0))
        .with_sender(client.id.as_str());
    if let Some(link) = state.links.get(dest) {
        // Out to the broker first, one message per subtopic: stored here
        // and acknowledged only once the broker has it.
        let subtopics: Vec<Option<&str>> = if subtopics.is_empty() {
            vec![None]
        } else {
            subtopics.iter().map(|s| Some(s.as_str())).collect()
        };
        for subtopic in subtopics {
            link.publish_out(subtopic, &base.body, &base.headers)
                .await
                .map_err(|e| fault::not_relayed(link.destination(), &e))?;
        }
    }
    state
        .broker
        .publish_message(out)
        .await
        .map_err(fault::from_broker)?;
    Ok(acknowledged(ack(request), client))
}
