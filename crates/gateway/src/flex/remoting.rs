//! The remoting service: a RemoteObject's RemotingMessage, or a legacy
//! NetConnection call, runs a registered Rust method.

use super::access;
use crate::auth::Principal;
use crate::remoting::Call;
use crate::request::RequestContext;
use crate::state::{principal_of, State};
use flexgate_amf::Value;
use flexgate_broker::Connection;
use flexgate_messages::{Fault, RemotingMessage};

/// Runs a RemotingMessage for Flex client `client`: its result value.
pub(super) async fn remoting_message(
    state: &State,
    ctx: &RequestContext<'_>,
    r: &RemotingMessage,
    client: &Connection,
) -> Result<Value, Fault> {
    let destination = r.base.destination.as_deref().unwrap_or_default();
    invoke(
        state,
        ctx.channel,
        destination,
        &r.operation,
        &r.base.body,
        principal_of(client),
        Some(client.id.clone()),
    )
    .await
}

/// The one remoting entry, for RemoteObject and NetConnection alike: calls
/// `method` of the service behind remoting `destination`, once the
/// destination is checked for this channel and principal. `args` is the
/// argument array (a lone value is one argument).
pub(crate) async fn invoke(
    state: &State,
    channel: &str,
    destination: &str,
    method: &str,
    args: &Value,
    principal: Option<Principal>,
    client_id: Option<String>,
) -> Result<Value, Fault> {
    let service = access::remoting_service(state, channel, destination, principal.as_ref())?;
    let call = Call {
        args: flexgate_messages::convert::argument_list(args),
        principal: principal.map(|p| p.name),
        client_id,
    };
    service.invoke(method, call).await
}
