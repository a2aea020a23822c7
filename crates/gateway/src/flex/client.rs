//! The Flex client's own commands: the client (`DSId`) a request belongs
//! to, ping, login, logout and disconnect.

use super::access;
use super::fault;
use super::reply::{ack, error, Reply};
use crate::auth::decode_credentials;
use crate::request::RequestContext;
use crate::state::{uses_small_messages, State};
use flexgate_amf::Value;
use flexgate_broker::{BrokerError, Connection};
use flexgate_messages::headers as h;
use flexgate_messages::{CommandOperation, Fault, FaultCode, Message};
use tokio::time::Instant;

/// The messaging version flexgate speaks (small messages supported).
const MESSAGING_VERSION: f64 = 1.0;

/// The Flex client id (`DSId` header) a message names, if it names one
/// (`"nil"` and empty mean none yet).
pub(super) fn ds_id(request: &Message) -> Option<&str> {
    request
        .header(h::DS_ID)
        .and_then(Value::as_str)
        .filter(|id| *id != h::DS_ID_UNASSIGNED && !id.is_empty())
}

/// The Flex client (`DSId`) of a request, admitted for the request's HTTP
/// session, or a new one when the session and peer may create one.
///
/// A known client is read without touching it, admitted, and only then
/// touched, so that a request refused by the session binding does not
/// keep the victim's client alive. A poll is not touched here: the
/// broker's drain records the activity itself. Store calls: read + touch
/// (or read + drain for a poll); a new client: read + create + count +
/// bind.
pub(super) async fn connect(
    state: &State,
    ctx: &RequestContext<'_>,
    request: &Message,
) -> Result<Connection, Fault> {
    let ds_id = ds_id(request);
    if let Some(id) = ds_id {
        match state.broker.connection(id).await {
            Ok(client) => {
                crate::session::admit(state, &client, ctx.session).await?;
                if !records_activity(request) {
                    state
                        .broker
                        .touch(&client.id)
                        .await
                        .map_err(fault::from_broker)?;
                }
                return Ok(client);
            }
            Err(BrokerError::NotConnected(_)) => {}
            Err(e) => return Err(fault::from_broker(e)),
        }
    }
    state
        .admission
        .admit(ctx.session.token(), ctx.peer_ip(), Instant::now())
        .map_err(|e| {
            tracing::warn!(peer = ?ctx.peer_ip(), "new Flex client refused: {e}");
            Fault::new(FaultCode::ServerProcessing, e.to_string())
        })?;
    let client = state
        .broker
        .connect(ds_id, ctx.channel)
        .await
        .map_err(fault::from_broker)?;
    crate::session::admit(state, &client, ctx.session).await?;
    Ok(client)
}

/// Requests whose own store call records the client's activity (a poll's
/// drain) or ends the client (a disconnect), so need no touch first.
fn records_activity(request: &Message) -> bool {
    matches!(
        request,
        Message::Command(c)
            if matches!(c.operation, CommandOperation::Poll | CommandOperation::Disconnect)
    )
}

/// CLIENT_PING: announces the client id and messaging version; a client
/// that advertises small-message support gets small replies from now on.
/// With `DSNeedsConfig` the body describes the channel, as BlazeDS's.
pub(super) async fn ping(
    state: &State,
    ctx: &RequestContext<'_>,
    request: &Message,
    client: &Connection,
) -> Result<Reply, Fault> {
    let small = record_messaging_version(state, ctx, request, client).await?;
    let mut message = ack(request);
    describe_if_asked(state, ctx, request, &mut message);
    name_client(&mut message, client);
    Ok(Reply { message, small })
}

/// With `DSNeedsConfig: true` on a ping or a login, the reply's body
/// becomes the channel's description, replacing a login's `"success"` and
/// also on a refused login's ErrorMessage, as BlazeDS's
/// MessageBroker.routeCommandToService sets it on either reply.
fn describe_if_asked(
    state: &State,
    ctx: &RequestContext<'_>,
    request: &Message,
    reply: &mut Message,
) {
    let needs_config = request
        .header(h::DS_NEEDS_CONFIG)
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if let Some(channel) = state
        .config
        .channels
        .get(ctx.channel)
        .filter(|_| needs_config)
    {
        reply.base_mut().body = super::channel_config::describe(ctx.channel, channel);
    }
}

/// The headers BlazeDS puts on every ping and login reply, failed logins
/// included: the client id (`DSId`, which the Flex channel adopts from
/// any of these replies) and the messaging version.
fn name_client(reply: &mut Message, client: &Connection) {
    let headers = &mut reply.base_mut().headers;
    headers.set(h::DS_ID, client.id.as_str());
    headers.set(h::DS_MESSAGING_VERSION, MESSAGING_VERSION);
}

/// Whether the client reads small messages after this ping or login: as
/// BlazeDS's endpoint, a `DSMessagingVersion` of at least ours turns them
/// on for good, unless the channel disables them.
async fn record_messaging_version(
    state: &State,
    ctx: &RequestContext<'_>,
    request: &Message,
    client: &Connection,
) -> Result<bool, Fault> {
    let small = uses_small_messages(client);
    let enabled = state
        .config
        .channels
        .get(ctx.channel)
        .is_some_and(|c| c.enable_small_messages);
    let version = request
        .header(h::DS_MESSAGING_VERSION)
        .and_then(Value::as_f64);
    if small || !enabled || !version.is_some_and(|v| v >= MESSAGING_VERSION) {
        return Ok(small);
    }
    state
        .set_small_messages(&client.id)
        .await
        .map_err(fault::from_broker)?;
    Ok(true)
}

/// LOGIN (`ChannelSet.login`): checks the credentials (throttled, see
/// [`Logins`](crate::auth::Logins)) and records the principal on the
/// client; subscriptions the new principal may not hold are dropped. A
/// refused login changes nothing and is answered, as BlazeDS answers it,
/// with an ErrorMessage that still names the client (`DSId`).
pub(super) async fn login(
    state: &State,
    ctx: &RequestContext<'_>,
    request: &Message,
    client: &Connection,
) -> Result<Reply, Fault> {
    let (mut message, small) = match authenticate(state, ctx, request, client).await {
        Ok(small) => {
            let mut message = ack(request);
            message.base_mut().body = Value::from("success");
            (message, small)
        }
        Err(fault) => {
            tracing::info!(code = fault.code.as_str(), reason = %fault.string, "login refused");
            (error(request, fault), uses_small_messages(client))
        }
    };
    describe_if_asked(state, ctx, request, &mut message);
    name_client(&mut message, client);
    Ok(Reply { message, small })
}

/// Checks a LOGIN's credentials and records the principal on `client`;
/// whether the client reads small messages from now on.
async fn authenticate(
    state: &State,
    ctx: &RequestContext<'_>,
    request: &Message,
    client: &Connection,
) -> Result<bool, Fault> {
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
        .logins
        .login(&user, &password, ctx.peer_ip())
        .await
        .map_err(|e| Fault::new(FaultCode::ClientAuthentication, e.to_string()))?;
    tracing::info!(user = %principal.name, "login");
    let small = record_messaging_version(state, ctx, request, client).await?;
    state
        .set_principal(&client.id, Some(&principal))
        .await
        .map_err(fault::from_broker)?;
    access::drop_unauthorized_subscriptions(state, &client.id, Some(&principal)).await?;
    Ok(small)
}

/// LOGOUT: forgets the client's principal and ends its subscriptions to
/// secured destinations.
pub(super) async fn logout(
    state: &State,
    request: &Message,
    client: &Connection,
) -> Result<Reply, Fault> {
    state
        .set_principal(&client.id, None)
        .await
        .map_err(fault::from_broker)?;
    access::drop_unauthorized_subscriptions(state, &client.id, None).await?;
    let mut message = ack(request);
    message.base_mut().body = Value::from("success");
    Ok(Reply {
        message,
        small: uses_small_messages(client),
    })
}

/// DISCONNECT: drops the client with its subscriptions.
pub(super) async fn disconnect(
    state: &State,
    request: &Message,
    client: &Connection,
) -> Result<Reply, Fault> {
    state
        .broker
        .disconnect(&client.id)
        .await
        .map_err(fault::from_broker)?;
    Ok(Reply {
        message: ack(request),
        small: uses_small_messages(client),
    })
}
