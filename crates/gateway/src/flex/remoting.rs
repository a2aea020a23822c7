//! The remoting service: a RemoteObject's RemotingMessage, or a legacy
//! NetConnection call, runs a registered Rust method or goes to the
//! destination's HTTP backend.

use super::access::{self, RemotingTarget};
use crate::auth::Principal;
use crate::backends::{BackendCall, TraceParent};
use crate::config::ListEncoding;
use crate::remoting::Call;
use crate::request::RequestContext;
use crate::state::{principal_of, State};
use flexgate_amf::Value;
use flexgate_broker::Connection;
use flexgate_messages::{arrays_as_collections, CollectionForm, Fault, Headers, RemotingMessage};

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
    /// The RemotingMessage's headers (none for a legacy call).
    pub(crate) headers: Option<&'a Headers>,
    /// The RemotingMessage's id.
    pub(crate) message_id: Option<&'a str>,
    /// The HTTP request's trace, continued by a backend call.
    pub(crate) trace: Option<&'a TraceParent>,
}

/// Runs a RemotingMessage for Flex client `client`: its result value.
pub(super) async fn remoting_message(
    state: &State,
    ctx: &RequestContext<'_>,
    r: &RemotingMessage,
    client: &Connection,
) -> Result<Value, Fault> {
    let destination = r.base.destination.as_deref().unwrap_or_default();
    let result = invoke(
        state,
        Invocation {
            channel: ctx.channel,
            destination,
            method: &r.operation,
            args: &r.base.body,
            principal: principal_of(client),
            client_id: Some(client.id.clone()),
            headers: Some(&r.base.headers),
            message_id: r.base.message_id.as_deref(),
            trace: ctx.trace,
        },
    )
    .await?;
    // A Flex message is AMF3, whatever the envelope.
    Ok(with_lists(
        state,
        destination,
        result,
        CollectionForm::External,
    ))
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
    let args = flexgate_messages::convert::argument_list(call.args);
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
                    trace: call.trace,
                })
                .await
        }
    }
}

/// A result of remoting `destination` as its `lists` setting sends it:
/// dense arrays as they are, or as ArrayCollections written in `form`
/// (walked no deeper than the decoder's depth limit).
pub(crate) fn with_lists(
    state: &State,
    destination: &str,
    result: Value,
    form: CollectionForm,
) -> Value {
    let lists = state
        .config
        .destinations
        .get(destination)
        .map_or(ListEncoding::Array, |d| d.lists);
    match lists {
        ListEncoding::Array => result,
        ListEncoding::ArrayCollection => {
            arrays_as_collections(&result, form, state.decode_limits.max_depth)
        }
    }
}
