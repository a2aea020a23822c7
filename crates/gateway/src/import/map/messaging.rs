//! A messaging destination's `<properties>`: `<server>` settings the
//! broker has, `<network>` ones it does not.

use crate::import::context::{Ctx, Node};
use crate::import::error::ImportError;
use crate::import::out::Destination;

/// Reads `<properties>` into `d`.
pub(crate) fn properties(
    ctx: &mut Ctx<'_>,
    node: &Node<'_>,
    d: &mut Destination,
) -> Result<(), ImportError> {
    for p in node.children() {
        match p.el.name.as_str() {
            "server" => server(ctx, &p, d)?,
            "network" => network(ctx, &p),
            _ => ctx.unmapped(&p, "no flexgate setting"),
        }
    }
    Ok(())
}

fn server(ctx: &mut Ctx<'_>, node: &Node<'_>, d: &mut Destination) -> Result<(), ImportError> {
    for s in node.children() {
        match s.el.name.as_str() {
            "message-time-to-live" => match ctx.number(&s)? {
                // BlazeDS's -1: messages keep their own.
                Some(ms) if ms < 0 => {}
                Some(0) => ctx.unmapped(
                    &s,
                    "0 (never expire): flexgate caps a message's life at max_ttl_ms",
                ),
                Some(ms) => d.ttl_override_ms = u64::try_from(ms).ok(),
                None => {}
            },
            "allow-subtopics" => d.allow_subtopics = ctx.boolean(&s),
            "disallow-wildcard-subtopics" => d.disallow_wildcard_subtopics = ctx.boolean(&s),
            "subtopic-separator" => {
                if let Some(sep) = ctx.value(&s, &s.el.text).filter(|v| !v.is_empty()) {
                    d.subtopic_separator = Some(sep);
                }
            }
            "durable" | "message-priority" | "cluster-message-routing" | "max-cache-size" => {
                ctx.unmapped(&s, "no flexgate setting");
            }
            _ => ctx.unmapped(&s, "no flexgate setting"),
        }
    }
    Ok(())
}

fn network(ctx: &mut Ctx<'_>, node: &Node<'_>) {
    for n in node.children() {
        match n.el.name.as_str() {
            "subscription-timeout-minutes" | "session-timeout" => ctx.unmapped(
                &n,
                "flexgate has no per-destination subscription timeout: subscriptions end with their Flex client (client_timeout_secs)",
            ),
            "throttle-inbound" | "throttle-outbound" => {
                ctx.unmapped(&n, "flexgate does not throttle per destination");
            }
            "reliable" => ctx.unmapped(&n, "flexgate has no reliable messaging"),
            _ => ctx.unmapped(&n, "no flexgate setting"),
        }
    }
}
