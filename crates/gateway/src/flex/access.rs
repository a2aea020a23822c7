//! Security and reachability checks, all in one place as BlazeDS keeps
//! them in its destination/security layer: does the destination exist with
//! this kind, may this channel reach it, may this principal use it.

use crate::auth::Principal;
use crate::config::{ChannelConfig, DestinationConfig, DestinationKind};
use crate::remoting::Service;
use crate::state::{principal_of, State};
use flexgate_broker::Connection;
use flexgate_messages::{Fault, FaultCode, Message};

/// The configuration of the channel a request came in on.
pub(crate) fn channel<'s>(state: &'s State, channel: &str) -> Result<&'s ChannelConfig, Fault> {
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

/// The messaging destination a Consumer/Producer message names, checked
/// for the client's channel and principal.
pub(crate) fn messaging_destination<'r>(
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

/// The service behind a remoting destination, checked for the channel and
/// principal.
pub(crate) fn remoting_service<'s>(
    state: &'s State,
    channel: &str,
    id: &str,
    principal: Option<&Principal>,
) -> Result<&'s Service, Fault> {
    let d = destination(state, channel, id, DestinationKind::Remoting, principal)?;
    let name = d.source.as_deref().unwrap_or(id);
    state.services.get(name).ok_or_else(|| {
        Fault::new(
            FaultCode::ResourceNotFound,
            format!("No service '{name}' is registered for destination '{id}'."),
        )
    })
}
