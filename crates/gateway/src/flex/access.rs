//! Security and reachability checks, all in one place as BlazeDS keeps
//! them in its destination/security layer: does the destination exist with
//! this kind, may this channel reach it, may this principal use it.

use super::fault;
use crate::auth::Principal;
use crate::backends::HttpBackend;
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
        if !holds_role(d, Some(p)) {
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

/// What answers a remoting destination's calls.
pub(crate) enum RemotingTarget<'s> {
    /// A Rust service registered on the gateway.
    Service(&'s Service),
    /// An HTTP backend (`http = { url = … }`).
    Http(&'s HttpBackend),
}

/// The service or backend behind a remoting destination, checked for the
/// channel and principal.
pub(crate) fn remoting_target<'s>(
    state: &'s State,
    channel: &str,
    id: &str,
    principal: Option<&Principal>,
) -> Result<RemotingTarget<'s>, Fault> {
    let d = destination(state, channel, id, DestinationKind::Remoting, principal)?;
    if d.http.is_some() {
        return state
            .backends
            .get(id)
            .map(RemotingTarget::Http)
            .ok_or_else(|| {
                Fault::new(
                    FaultCode::ServerProcessing,
                    format!(
                        "The backend of destination '{id}' is not usable (see the gateway's log)."
                    ),
                )
            });
    }
    let name = d.source.as_deref().unwrap_or(id);
    state
        .services
        .get(name)
        .map(RemotingTarget::Service)
        .ok_or_else(|| {
            Fault::new(
                FaultCode::ResourceNotFound,
                format!("No service '{name}' is registered for destination '{id}'."),
            )
        })
}

/// Whether `principal` may use `d`: it has no roles, or the principal
/// holds one of them.
fn holds_role(d: &DestinationConfig, principal: Option<&Principal>) -> bool {
    d.roles.is_empty() || principal.is_some_and(|p| p.roles.iter().any(|r| d.roles.contains(r)))
}

/// Whether `principal` may receive from messaging `destination` (an
/// unconfigured one has no roles to hold).
fn may_receive_as(state: &State, destination: &str, principal: Option<&Principal>) -> bool {
    state
        .config
        .destinations
        .get(destination)
        .is_none_or(|d| holds_role(d, principal))
}

/// Whether Flex client `client`, as it is logged in now, may be handed a
/// message from `destination`. Polls and streams call it for every
/// delivery, so that a subscription made under an earlier login never
/// outlives it.
pub(crate) fn may_receive(state: &State, client: &Connection, destination: &str) -> bool {
    may_receive_as(state, destination, principal_of(client).as_ref())
}

/// Whether any destination has roles (otherwise no check can fail and no
/// store call is needed).
pub(crate) fn any_secured(state: &State) -> bool {
    state
        .config
        .destinations
        .values()
        .any(|d| !d.roles.is_empty())
}

/// Ends the subscriptions of Flex client `client` that `principal` (the
/// new login, or none after a logout) may not hold.
pub(crate) async fn drop_unauthorized_subscriptions(
    state: &State,
    client: &str,
    principal: Option<&Principal>,
) -> Result<(), Fault> {
    if !any_secured(state) {
        return Ok(());
    }
    let subscriptions = state
        .broker
        .subscriptions(client)
        .await
        .map_err(fault::from_broker)?;
    for s in subscriptions
        .iter()
        .filter(|s| !may_receive_as(state, &s.key.destination, principal))
    {
        state
            .broker
            .unsubscribe_all(client, &s.key.client_id, &s.key.destination)
            .await
            .map_err(fault::from_broker)?;
        state
            .consumers
            .release(client, &s.key.client_id, &s.key.destination);
    }
    Ok(())
}
