//! The remoting service: a RemoteObject's RemotingMessage, or a legacy
//! NetConnection call, runs a registered Rust method or goes to the
//! destination's HTTP backend.

use super::access::{self, RemotingTarget};
use crate::auth::Principal;
use crate::backends::BackendCall;
use crate::remoting::Call;
use crate::request::RequestContext;
use crate::state::{principal_of, State};
use flexgate_amf::Value;
use flexgate_broker::Connection;
use flexgate_messages::{Fault, Headers, RemotingMessage};

/// One remoting call, as either entry sees it.
pub(crate) struct Invocation<'a> {
    /// The channel it came in on.
    pub(crate) channel: &'a str,
    /// The remoting destination.
    pub(crate) destination: &'a str,
    /// The method.
    pub(crate) method: &'a str,
    /// The argument array (a lone value is one argument).
    pub(crate) args: &'a Value,
    /// The logged-in user, if any.
    pub(crate) principal: Option<Principal>,
    /// The Flex client (DSId), if known.
    pub(crate) client_id: Option<String>,
    /// The RemotingMessage's headers and id (none for a legacy call).
    pub(crate) headers: Option<&'a Headers>,
    /// The RemotingMessage's id.
    pub(crate) message_id: Option<&'a str>,
}

/// Runs a RemotingMessage for Flex client `client`: its result value.
pub(super) async fn remoting_message(
    state: &State,
    ctx: &RequestContext<'_>,
    r: &RemotingMessage,
    client: &Connection,
) -> Result<Value, Fault> {
    invoke(
        state,
        Invocation {
            channel: ctx.channel,
            destination: r.base.destination.as_deref().unwrap_or_default(),
            method: &r.operation,
            args: &r.base.body,
            principal: principal_of(client),
            client_id: Some(client.id.clone()),
            headers: Some(&r.base.headers),
            message_id: r.base.message_id.as_deref(),
        },
    )
    .await
}

/// The one remoting entry, for RemoteObject and NetConnection alike: calls
/// the method of the service or backend behind the remoting destination,
/// once the destination is checked for this channel and principal.
pub(crate) async fn invoke(state: &State, call: Invocation<'_>) -> Result<Value, Fault> {
    let target = access::remoting_target(
        state,
        call.channel,
        call.destination,
        call.principal.as_ref(),
    )?;
    let args = match call.args {
        Value::Array(a) => a.dense.clone(),
        Value::Null | Value::Undefined => Vec::new(),
        other => vec![other.clone()],
    };
    match target {
        RemotingTarget::Service(service) => {
            let rust_call = Call {
                args,
                principal: call.principal.map(|p| p.name),
                client_id: call.client_id,
            };
            service.invoke(call.method, rust_call).await
        }
        RemotingTarget::Http(backend) => {
            backend
                .call(&BackendCall {
                    destination: call.destination,
                    operation: call.method,
                    args: &args,
                    principal: call.principal.as_ref(),
                    headers: call.headers,
                    message_id: call.message_id,
                })
                .await
        }
    }
}
