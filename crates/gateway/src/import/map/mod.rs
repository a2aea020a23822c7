//! services-config.xml → [`Imported`](crate::import::out::Imported): the
//! sections in BlazeDS's order (security before the channels and services
//! that refer to it), every other section reported.

mod channel;
mod messaging;
mod security;
mod service;

use crate::import::context::{Ctx, Node};
use crate::import::error::ImportError;

/// Seconds in BlazeDS's minutes.
const SECS_PER_MINUTE: u64 = 60;

/// Maps a `<services-config>` root.
pub(crate) fn services_config(ctx: &mut Ctx<'_>, root: &Node<'_>) -> Result<(), ImportError> {
    ctx.other_attributes(root, &[]);
    if let Some(s) = root.child("security") {
        security::section(ctx, &s)?;
    }
    if let Some(c) = root.child("channels") {
        channel::section(ctx, &c)?;
    }
    if let Some(s) = root.child("services") {
        let defaults = match s.child("default-channels") {
            Some(d) => service::channel_refs(ctx, &d)?,
            None => Vec::new(),
        };
        service::section(ctx, &s, &defaults)?;
    }
    for c in root.children() {
        match c.el.name.as_str() {
            "security" | "channels" | "services" => {}
            "flex-client" => flex_client(ctx, &c)?,
            "logging" => ctx.unmapped(&c, "flexgate logs through tracing, filtered by RUST_LOG"),
            _ => ctx.unmapped(&c, "no flexgate setting"),
        }
    }
    Ok(())
}

/// `<flex-client><timeout-minutes>` → `client_timeout_secs`.
fn flex_client(ctx: &mut Ctx<'_>, node: &Node<'_>) -> Result<(), ImportError> {
    ctx.other_attributes(node, &[]);
    for c in node.children() {
        if c.el.name != "timeout-minutes" {
            ctx.unmapped(&c, "no flexgate setting");
            continue;
        }
        match ctx.number(&c)? {
            Some(m) if m > 0 => {
                let minutes = u64::try_from(m).unwrap_or(0);
                ctx.out.client_timeout_secs = Some(minutes.saturating_mul(SECS_PER_MINUTE));
            }
            Some(_) => ctx.unmapped(
                &c,
                "0 (the client lives as long as its sessions): flexgate drops idle clients after client_timeout_secs (default 1800)",
            ),
            None => {}
        }
    }
    Ok(())
}
