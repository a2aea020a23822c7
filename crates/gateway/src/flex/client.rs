//! The Flex client's own commands: the client (`DSId`) a request belongs
//! to, ping, login, logout and disconnect.

use super::fault;
use super::reply::{ack, Reply};
use crate::auth::decode_credentials;
use crate::request::RequestContext;
use crate::state::{uses_small_messages, State};
use flexgate_amf::Value;
use flexgate_broker::Connection;
use flexgate_messages::headers as h;
use flexgate_messages::{Fault, FaultCode, Message};

/// The messaging version flexgate speaks (small messages supported).
const MESSAGING_VERSION: f64 = 1.0;

/// The Flex client (`DSId`) of a request, created when it is new and
/// admitted for the request's HTTP session. `connect` also records the
/// activity, so no separate touch is needed.
pub(super) async fn connect(
    state: &State,
    ctx: &RequestContext<'_>,
    request: &Message,
) -> Result<Connection, Fault> {
    let ds_id = request
        .header(h::DS_ID)
        .and_then(Value::as_str)
        .filter(|id| *id != h::DS_ID_UNASSIGNED && !id.is_empty());
    let client = state
        .broker
        .connect(ds_id, ctx.channel)
        .await
        .map_err(fault::from_broker)?;
    crate::session::admit(state, &client, ctx.session).await?;
    Ok(client)
}

/// CLIENT_PING: announces the client id and messaging version; a client
/// that advertises small-message support gets small replies from now on.
pub(super) async fn ping(
    state: &State,
    request: &Message,
    client: &Connection,
) -> Result<Reply, Fault> {
    let mut small = uses_small_messages(client);
    let version = request
        .header(h::DS_MESSAGING_VERSION)
        .and_then(Value::as_f64);
    if version.is_some_and(|v| v >= MESSAGING_VERSION) && !small {
        state
            .set_small_messages(&client.id)
            .await
            .map_err(fault::from_broker)?;
        small = true;
    }
    let mut message = ack(request);
    let headers = &mut message.base_mut().headers;
    headers.set(h::DS_ID, client.id.as_str());
    headers.set(h::DS_MESSAGING_VERSION, MESSAGING_VERSION);
    Ok(Reply { message, small })
}

/// LOGIN (`ChannelSet.login`): checks the credentials and records the
/// principal on the client.
pub(super) async fn login(
    state: &State,
    request: &Message,
    client: &Connection,
) -> Result<Reply, Fault> {
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
        .map_err(fault::from_broker)?;
    let mut message = ack(request);
    let base = message.base_mut();
    base.body = Value::from("success");
    base.headers.set(h::DS_ID, client.id.as_str());
    base.headers.set(h::DS_MESSAGING_VERSION, MESSAGING_VERSION);
    Ok(Reply {
        message,
        small: uses_small_messages(client),
    })
}

/// LOGOUT: forgets the client's principal.
pub(super) async fn logout(
    state: &State,
    request: &Message,
    client: &Connection,
) -> Result<Reply, Fault> {
    state
        .set_principal(&client.id, None)
        .await
        .map_err(fault::from_broker)?;
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
