//! Legacy NetConnection calls: target `Service.method`, arguments as an
//! array, result as the bare value; faults as BlazeDS writes them for
//! legacy clients, `{message, code, details, rootCause}` on `/N/onStatus`,
//! plus the `level` and `description` an AS2 `mx.remoting` client reads.

use crate::auth::Principal;
use crate::config::DestinationKind;
use crate::flex::remoting;
use crate::request::{Outcome, RequestContext};
use crate::state::State;
use flexgate_amf::{Object, Value, Version};
use flexgate_messages::{CollectionForm, Fault, FaultCode};

/// The packet header a NetConnection sends from `setCredentials`.
pub(crate) const CREDENTIALS_HEADER: &str = "Credentials";

/// Calls `target` (`a.b.Service.method`, split at the last dot).
pub(crate) async fn call(
    state: &State,
    ctx: &RequestContext<'_>,
    target: &str,
    args: &Value,
) -> Outcome {
    match invoke(state, ctx, target, args).await {
        Ok(v) => Outcome::Result(v),
        Err(fault) => {
            tracing::info!(target, code = fault.code.as_str(), "legacy call failed");
            Outcome::Status(status_object(fault))
        }
    }
}

async fn invoke(
    state: &State,
    ctx: &RequestContext<'_>,
    target: &str,
    args: &Value,
) -> Result<Value, Fault> {
    let (destination, method) = split_target(state, target).ok_or_else(|| {
        Fault::new(
            FaultCode::ServerProcessing,
            format!("Target '{target}' is not of the form Service.method."),
        )
    })?;
    let principal = credentials(state, ctx).await?;
    let call = remoting::Invocation {
        channel: ctx.channel,
        destination,
        method,
        args,
        principal,
        client_id: None,
        headers: None,
        message_id: None,
        trace: ctx.trace,
    };
    let result = remoting::invoke(state, call).await?;
    Ok(remoting::with_lists(
        state,
        destination,
        result,
        collection_form(ctx.version),
    ))
}

/// How a legacy result's ArrayCollections are written: in AMF3 to an AMF3
/// NetConnection; to an AMF0 one as BlazeDS's Amf0Output writes them, a
/// typed object with a `source` member.
fn collection_form(version: Version) -> CollectionForm {
    match version {
        Version::Amf3 => CollectionForm::External,
        Version::Amf0 | Version::Amf1 => CollectionForm::Amf0Object,
    }
}

/// The destination and method a target names: `a.b.Service.method` split
/// at the last dot, or a bare `Service` whose remoting destination has a
/// `default_method`.
fn split_target<'t>(state: &'t State, target: &'t str) -> Option<(&'t str, &'t str)> {
    if let Some(split) = target.rsplit_once('.') {
        return Some(split);
    }
    let d = state.config.destinations.get(target)?;
    if d.kind != DestinationKind::Remoting {
        return None;
    }
    d.default_method.as_deref().map(|m| (target, m))
}

/// Logs in with the packet's `Credentials` header, if there is one.
async fn credentials(state: &State, ctx: &RequestContext<'_>) -> Result<Option<Principal>, Fault> {
    let Some(h) = ctx.headers.iter().find(|h| h.name == CREDENTIALS_HEADER) else {
        return Ok(None);
    };
    let field = |name| {
        h.value
            .as_object()
            .and_then(|o| o.get(name))
            .and_then(Value::as_str)
    };
    let (Some(user), Some(password)) = (field("userid"), field("password")) else {
        return Err(Fault::new(
            FaultCode::ClientAuthentication,
            "Invalid credential format.",
        ));
    };
    state
        .logins
        .login(user, password, ctx.peer_ip())
        .await
        .map(Some)
        .map_err(|e| Fault::new(FaultCode::ClientAuthentication, e.to_string()))
}

/// The reply to a call whose arguments could not be decoded.
pub(crate) fn undecodable(e: &flexgate_amf::DecodeError) -> Outcome {
    let fault = Fault::new(
        FaultCode::MessageEncoding,
        format!("Cannot read the arguments: {e}"),
    );
    Outcome::Status(status_object(fault))
}

/// The `level` of every legacy fault status object (an AS2 NetConnection
/// status info object's severity; a fault is always an error).
const STATUS_LEVEL_ERROR: &str = "error";

/// BlazeDS's four members (LegacyFilter) and `level` and `description`
/// (= faultString), which BlazeDS omits but AS2 clients display.
fn status_object(fault: Fault) -> Value {
    let opt = |s: Option<String>| s.map(Value::from).unwrap_or(Value::Null);
    Value::object(Object::anonymous([
        ("level", Value::from(STATUS_LEVEL_ERROR)),
        ("description", Value::from(fault.string.as_str())),
        ("message", Value::from(fault.string)),
        ("code", Value::from(fault.code.as_str())),
        ("details", opt(fault.detail)),
        ("rootCause", fault.root_cause),
    ]))
}
