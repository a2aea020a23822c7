//! `<channels>`: each `channel-definition` (and `channel-include`) → a
//! `[channels.<id>]` of kind amf, long-polling or streaming, with the
//! endpoint properties flexgate has settings for.

use crate::config::ChannelKind;
use crate::import::context::{included, Ctx, Node};
use crate::import::error::ImportError;
use crate::import::out::Channel;
use crate::import::url::channel_path;

/// What an endpoint class (or, without one, a client channel class) is.
enum Family {
    /// AMF over HTTP: `amf`, or `long-polling` when polls wait.
    Amf,
    /// The streaming AMF protocol.
    Streaming,
    /// Not served by flexgate, with the reason.
    Unsupported(&'static str),
}

/// The family of a class name, and whether it is the HTTPS variant.
fn family(class: &str) -> (Family, bool) {
    let short = class.rsplit('.').next().unwrap_or(class);
    let (short, secure) = match short.strip_prefix("Secure") {
        Some(rest) => (rest, true),
        None => (short, false),
    };
    let family = match short {
        "AMFEndpoint" | "AMFChannel" => Family::Amf,
        "StreamingAMFEndpoint" | "StreamingAMFChannel" => Family::Streaming,
        "HTTPEndpoint" | "StreamingHTTPEndpoint" | "HTTPChannel" | "StreamingHTTPChannel" => {
            Family::Unsupported("AMFX (HTTPChannel) is not served: flexgate speaks AMF only")
        }
        "NIOAMFEndpoint" | "NIOHTTPEndpoint" | "RTMPEndpoint" | "RTMPChannel" => {
            Family::Unsupported("LiveCycle Data Services' NIO/RTMP endpoints are not served")
        }
        _ => Family::Unsupported("not a BlazeDS AMF endpoint class"),
    };
    (family, secure)
}

/// Reads `<channels>`.
pub(crate) fn section(ctx: &mut Ctx<'_>, node: &Node<'_>) -> Result<(), ImportError> {
    ctx.other_attributes(node, &[]);
    for c in node.children() {
        match c.el.name.as_str() {
            "channel-definition" => definition(ctx, &c)?,
            "channel-include" => {
                for doc in ctx.include(&c, "channels", "channel-definition")? {
                    for d in included(ctx, &doc, "channel-definition") {
                        definition(ctx, &d)?;
                    }
                }
            }
            _ => ctx.unmapped(&c, "no flexgate setting"),
        }
    }
    Ok(())
}

/// Channel-level settings read from `<properties>`, before the kind is known.
#[derive(Default)]
struct Props {
    wait_interval_ms: Option<i64>,
    max_waiting_polls: Option<i64>,
}

fn definition(ctx: &mut Ctx<'_>, node: &Node<'_>) -> Result<(), ImportError> {
    let id = node.required("id")?.to_owned();
    if ctx.out.channels.contains_key(&id) || ctx.dropped_channels.contains(&id) {
        return Err(node.invalid(format!("channel '{id}' is defined twice")));
    }
    ctx.other_attributes(node, &["id", "class"]);
    let endpoint = node
        .child("endpoint")
        .ok_or_else(|| node.invalid("needs an <endpoint>"))?;
    ctx.other_attributes(&endpoint, &["url", "uri", "class"]);
    let class = endpoint
        .el
        .attribute_or_child("class")
        .or_else(|| node.el.attribute_or_child("class"))
        .ok_or_else(|| endpoint.invalid("needs a `class` (on the endpoint or the channel)"))?;
    let (family, secure) = family(class);
    if let Family::Unsupported(why) = family {
        ctx.unmapped(node, format!("{class}: {why}; the channel is left out"));
        ctx.dropped_channels.insert(id);
        return Ok(());
    }
    let raw_url = endpoint
        .el
        .attribute_or_child("url")
        .or_else(|| endpoint.el.attribute_or_child("uri"))
        .ok_or_else(|| endpoint.invalid("needs a `url`"))?;
    let Some(url) = ctx.value(&endpoint, raw_url) else {
        ctx.dropped_channels.insert(id);
        return Ok(());
    };
    let (path, replaced) =
        channel_path(&url, &ctx.options.context_root).map_err(|e| endpoint.invalid(e))?;
    ctx.context_root_replaced |= replaced;
    if let Some((other, _)) = ctx.out.channels.iter().find(|(_, c)| c.path == path) {
        return Err(endpoint.invalid(format!("path {path} is channel '{other}''s too")));
    }
    if secure {
        ctx.note(
            &endpoint,
            "an HTTPS endpoint: serve flexgate behind a TLS proxy and set [session] secure = true",
        );
    }
    let kind = match family {
        Family::Streaming => ChannelKind::Streaming,
        _ => ChannelKind::Amf,
    };
    let mut channel = Channel::new(kind, path);
    let mut props = Props::default();
    let mut polling: Vec<Node<'_>> = Vec::new();
    for c in node.children() {
        match c.el.name.as_str() {
            "id" | "class" | "endpoint" => {}
            "properties" => properties(ctx, &c, &mut channel, &mut props, &mut polling)?,
            "security" => ctx.unmapped(
                &c,
                "flexgate has no per-channel security: put the roles on the destinations",
            ),
            _ => ctx.unmapped(&c, "no flexgate setting"),
        }
    }
    waiting(ctx, &mut channel, &props, &polling);
    ctx.out.channels.insert(id, channel);
    Ok(())
}

/// Long polling: BlazeDS holds polls when `max-waiting-poll-requests` > 0
/// and `wait-interval-millis` is -1 (forever) or > 0.
fn waiting(ctx: &mut Ctx<'_>, channel: &mut Channel, props: &Props, polling: &[Node<'_>]) {
    let waits = props.max_waiting_polls.unwrap_or(0) > 0
        && props.wait_interval_ms.is_some_and(|w| w == -1 || w > 0);
    if channel.kind == ChannelKind::Amf && waits {
        channel.kind = ChannelKind::LongPolling;
        channel.max_waiting_polls = props.max_waiting_polls.and_then(|n| u64::try_from(n).ok());
        channel.wait_interval_ms = props.wait_interval_ms.and_then(|n| u64::try_from(n).ok());
    }
    for p in polling {
        let name = p.el.name.as_str();
        let zero_interval = name == "polling-interval-millis" && p.el.text.trim() == "0";
        match (name, channel.kind) {
            ("polling-enabled", ChannelKind::LongPolling) => {}
            // What flexgate tells clients of a long-polling channel anyway.
            (_, ChannelKind::LongPolling) if zero_interval => {}
            ("wait-interval-millis", ChannelKind::LongPolling) if p.el.text.trim() == "-1" => {
                ctx.unmapped(
                    p,
                    "-1 (wait forever): flexgate's polls wait wait_interval_ms (default 30000)",
                );
            }
            ("wait-interval-millis" | "max-waiting-poll-requests", ChannelKind::LongPolling) => {}
            ("polling-enabled", ChannelKind::Amf)
                if p.el.text.trim().eq_ignore_ascii_case("false") => {}
            (
                "polling-enabled" | "polling-interval-millis" | "polling-interval-seconds",
                ChannelKind::Amf,
            ) => {
                ctx.unmapped(p, "client-side polling: the interval is the client's (compiled into the SWF); flexgate answers each poll at once");
            }
            ("wait-interval-millis" | "max-waiting-poll-requests", ChannelKind::Amf) => {
                ctx.unmapped(p, "polls do not wait here (BlazeDS needs max-waiting-poll-requests > 0 and wait-interval-millis -1 or > 0)");
            }
            _ => ctx.unmapped(p, "no flexgate setting for this channel kind"),
        }
    }
}

/// `<properties>` of a channel.
fn properties<'a>(
    ctx: &mut Ctx<'_>,
    node: &Node<'a>,
    channel: &mut Channel,
    props: &mut Props,
    polling: &mut Vec<Node<'a>>,
) -> Result<(), ImportError> {
    let streaming = channel.kind == ChannelKind::Streaming;
    for p in node.children() {
        let name = p.el.name.as_str();
        match name {
            "polling-enabled" | "polling-interval-millis" | "polling-interval-seconds"
                if streaming =>
            {
                ctx.unmapped(&p, "a streaming channel does not poll");
            }
            "polling-enabled" | "polling-interval-millis" | "polling-interval-seconds" => {
                polling.push(p);
            }
            "wait-interval-millis" | "max-waiting-poll-requests" if !streaming => {
                let n = ctx.number(&p)?;
                if name == "wait-interval-millis" {
                    props.wait_interval_ms = n;
                } else {
                    props.max_waiting_polls = n;
                }
                polling.push(p);
            }
            "server-to-client-heartbeat-millis" if streaming => match ctx.number(&p)? {
                Some(ms) if ms > 0 => channel.heartbeat_ms = u64::try_from(ms).ok(),
                Some(_) => ctx.unmapped(
                    &p,
                    "no heartbeat: flexgate always sends one (heartbeat_ms, default 5000)",
                ),
                None => {}
            },
            "max-streaming-clients" if streaming => {
                if let Some(n) = ctx.number(&p)? {
                    channel.max_streaming_clients = Some(u64::try_from(n.max(0)).unwrap_or(0));
                }
            }
            "serialization" => serialization(ctx, &p, channel),
            _ => ctx.unmapped(&p, "no flexgate setting"),
        }
    }
    Ok(())
}

/// `<serialization>`: only `enable-small-messages` has a setting.
fn serialization(ctx: &mut Ctx<'_>, node: &Node<'_>, channel: &mut Channel) {
    for s in node.children() {
        match s.el.name.as_str() {
            "enable-small-messages" => channel.enable_small_messages = ctx.boolean(&s),
            "legacy-collection" => {
                // BlazeDS decides per endpoint from the Java type (List or
                // array); flexgate per destination (`lists`).
                ctx.unmapped(
                    &s,
                    "per destination in flexgate: set `lists` on remoting destinations",
                );
            }
            _ => ctx.unmapped(&s, "no flexgate setting"),
        }
    }
}
