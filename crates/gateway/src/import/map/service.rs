//! `<services>`: service includes, default channels, and each remoting or
//! messaging service's destinations → `[destinations.<id>]`.

use crate::config::DestinationKind;
use crate::import::context::{included, Constraint, Ctx, Node};
use crate::import::error::ImportError;
use crate::import::map::{messaging, security};
use crate::import::out::Destination;

/// BlazeDS's channel list delimiters (`channels="a,b"`).
const LIST_DELIMITERS: [char; 3] = [',', ';', ':'];

/// What one service gives its destinations.
struct ServiceDefaults {
    kind: DestinationKind,
    channels: Vec<String>,
    constraint: Option<Constraint>,
}

/// Reads `<services>` (or an included file's `<services>` root);
/// `defaults` are the application's default channels.
pub(crate) fn section(
    ctx: &mut Ctx<'_>,
    node: &Node<'_>,
    defaults: &[String],
) -> Result<(), ImportError> {
    ctx.other_attributes(node, &[]);
    for c in node.children() {
        match c.el.name.as_str() {
            // Read by the caller first: they apply to every service.
            "default-channels" => {}
            "service" => service(ctx, &c, defaults)?,
            "service-include" => {
                for doc in ctx.include(&c, "services", "service")? {
                    let root = Node::root(&doc);
                    if doc.root.name == "services" {
                        section(ctx, &root, defaults)?;
                    } else {
                        service(ctx, &root, defaults)?;
                    }
                }
            }
            _ => ctx.unmapped(&c, "no flexgate setting"),
        }
    }
    Ok(())
}

/// The `ref`s of a `<default-channels>` (or a destination's `<channels>`).
pub(crate) fn channel_refs(ctx: &mut Ctx<'_>, node: &Node<'_>) -> Result<Vec<String>, ImportError> {
    ctx.other_attributes(node, &[]);
    let mut refs = Vec::new();
    for c in node.children() {
        if c.el.name == "channel" {
            ctx.other_attributes(&c, &["ref"]);
            refs.push(c.required("ref")?.to_owned());
        } else {
            ctx.unmapped(&c, "no flexgate setting");
        }
    }
    Ok(refs)
}

fn service(ctx: &mut Ctx<'_>, node: &Node<'_>, app_defaults: &[String]) -> Result<(), ImportError> {
    let class = node.required("class")?;
    let kind = match class.rsplit('.').next().unwrap_or(class) {
        "RemotingService" => DestinationKind::Remoting,
        "MessageService" => DestinationKind::Messaging,
        _ => {
            ctx.unmapped(node, format!("{class}: flexgate serves remoting and messaging only; its destinations are left out"));
            return Ok(());
        }
    };
    ctx.other_attributes(node, &["id", "class"]);
    let channels = match node.child("default-channels") {
        Some(d) => channel_refs(ctx, &d)?,
        None => app_defaults.to_vec(),
    };
    let constraint = security::service_default(ctx, node)?;
    let defaults = ServiceDefaults {
        kind,
        channels,
        constraint,
    };
    for c in node.children() {
        match c.el.name.as_str() {
            "id" | "class" | "default-channels" | "default-security-constraint" => {}
            "destination" => destination(ctx, &c, &defaults)?,
            "destination-include" => {
                for doc in ctx.include(&c, "destinations", "destination")? {
                    for d in included(ctx, &doc, "destination") {
                        destination(ctx, &d, &defaults)?;
                    }
                }
            }
            "adapters" => ctx.unmapped(
                &c,
                "flexgate has no adapters: remoting calls the Rust service registered under the destination's id (or `source`), messaging is built in",
            ),
            _ => ctx.unmapped(&c, "no flexgate setting"),
        }
    }
    Ok(())
}

/// A destination's channels: the `channels` attribute, else `<channels>`,
/// else the service's defaults; channels that were left out are dropped.
fn channels(
    ctx: &mut Ctx<'_>,
    node: &Node<'_>,
    defaults: &ServiceDefaults,
) -> Result<Vec<String>, ImportError> {
    let refs = match node.el.attribute("channels").map(str::trim) {
        Some(list) if !list.is_empty() => list
            .split(LIST_DELIMITERS)
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_owned)
            .collect(),
        _ => match node.child("channels") {
            Some(c) => channel_refs(ctx, &c)?,
            None => defaults.channels.clone(),
        },
    };
    let mut kept = Vec::new();
    for r in refs {
        if ctx.out.channels.contains_key(&r) {
            if !kept.contains(&r) {
                kept.push(r);
            }
        } else if ctx.dropped_channels.contains(&r) {
            ctx.note(
                node,
                format!("channel '{r}' was left out, so the destination is not on it"),
            );
        } else {
            return Err(node.invalid(format!("no channel '{r}'")));
        }
    }
    Ok(kept)
}

fn destination(
    ctx: &mut Ctx<'_>,
    node: &Node<'_>,
    defaults: &ServiceDefaults,
) -> Result<(), ImportError> {
    let id = node.required("id")?.to_owned();
    if ctx.out.destinations.contains_key(&id) {
        return Err(node.invalid(format!("destination '{id}' is defined twice")));
    }
    ctx.other_attributes(node, &["id", "channels", "security-constraint"]);
    let channels = channels(ctx, node, defaults)?;
    let constraint = security::destination(ctx, node, defaults.constraint.as_ref())?;
    let mut d = Destination::new(defaults.kind, channels);
    for c in node.children() {
        match c.el.name.as_str() {
            "id" | "channels" | "security" => {}
            "properties" => match defaults.kind {
                DestinationKind::Messaging => messaging::properties(ctx, &c, &mut d)?,
                DestinationKind::Remoting => remoting_properties(ctx, &c, &id),
            },
            "adapter" => ctx.unmapped(&c, "flexgate has no adapters"),
            _ => ctx.unmapped(&c, "no flexgate setting"),
        }
    }
    if defaults.kind == DestinationKind::Messaging && d.allow_subtopics.is_none() {
        // BlazeDS's default; flexgate's is true.
        d.allow_subtopics = Some(false);
    }
    if d.channels.is_empty() {
        // An empty list would mean every channel in flexgate.
        ctx.unmapped(
            node,
            "none of its channels is served by flexgate; the destination is left out",
        );
        return Ok(());
    }
    match constraint {
        Some(Constraint { roles: Some(roles) }) => d.roles = roles,
        Some(Constraint { roles: None }) => {
            // Leaving it open would drop a login requirement.
            ctx.unmapped(node, "its security constraint requires a login but names no role, which flexgate cannot express; the destination is left out");
            return Ok(());
        }
        None => {}
    }
    ctx.out.destinations.insert(id, d);
    Ok(())
}

/// A remoting destination's `<properties>`: the Java class has no
/// counterpart; the Rust service is found by the destination id.
fn remoting_properties(ctx: &mut Ctx<'_>, node: &Node<'_>, id: &str) {
    for p in node.children() {
        if p.el.name == "source" {
            let class = p.el.text.trim().to_owned();
            ctx.unmapped(&p, format!("the Java class {class}: register a Rust service named '{id}' (Gateway::service), or set `source` to its name"));
        } else {
            ctx.unmapped(&p, "no flexgate setting");
        }
    }
}
