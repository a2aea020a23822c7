//! The remoting service: a RemoteObject's RemotingMessage, or a legacy
//! NetConnection call, runs a registered Rust method.

use super::access;
use crate::auth::Principal;
use crate::config::ListEncoding;
use crate::remoting::Call;
use crate::request::RequestContext;
use crate::state::{principal_of, State};
use flexgate_amf::Value;
use flexgate_broker::Connection;
use flexgate_messages::{arrays_as_collections, CollectionForm, Fault, RemotingMessage};

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
        ctx.channel,
        destination,
        &r.operation,
        &r.base.body,
        principal_of(client),
        Some(client.id.clone()),
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
