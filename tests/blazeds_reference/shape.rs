//! The shape of an HTTP reply: what a Flex client depends on (status,
//! content type, cookie, reply targets, message class and form, fault
//! code and string, header names, ids present or not, echoed values), with
//! what changes from run to run (ids, timestamps) left out. The same
//! function reads BlazeDS's recorded replies and flexgate's live ones, so
//! the two compare with `==`.

use bytes::Bytes;
use flexgate_amf::{Packet, Value};
use flexgate_messages::{registry, ArrayCollection, Message};

/// Packet headers whose presence another piece of work decides: BlazeDS
/// sends `AppendToGatewayUrl` on a session's first reply (URL-rewriting
/// for cookie-less clients), which belongs to the hosting work.
const HOSTING_HEADERS: &[&str] = &["AppendToGatewayUrl"];

/// One HTTP reply.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct HttpShape {
    pub(crate) status: u16,
    /// `Content-Type`, for 200 replies.
    pub(crate) content_type: Option<String>,
    /// Whether a session cookie was set.
    pub(crate) sets_cookie: bool,
    /// The AMF reply, for 200 replies with a body.
    pub(crate) packet: Option<PacketShape>,
}

/// An AMF reply packet.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PacketShape {
    pub(crate) version: u16,
    /// Header names, less [`HOSTING_HEADERS`].
    pub(crate) headers: Vec<String>,
    pub(crate) bodies: Vec<BodyShape>,
}

/// One reply body.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct BodyShape {
    /// `/1/onResult`, `/1/onStatus`, `/onStatus`, ...
    pub(crate) target: String,
    pub(crate) value: ValueShape,
}

/// A reply value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ValueShape {
    /// A Flex message.
    Message(Box<MessageShape>),
    /// A legacy (NetConnection) status object: code, message, details.
    Status {
        code: Option<String>,
        message: Option<String>,
        details: Option<String>,
    },
    /// Anything else, as its `Debug` text (echoed values; NaN equals NaN).
    Plain(String),
}

/// A Flex message.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MessageShape {
    /// The class alias as sent: `DSK` (small form) or the full name.
    pub(crate) class: String,
    /// CommandMessage operation.
    pub(crate) operation: Option<String>,
    pub(crate) fault_code: Option<String>,
    pub(crate) fault_string: Option<String>,
    pub(crate) fault_detail: Option<String>,
    /// Header names, sorted.
    pub(crate) headers: Vec<String>,
    pub(crate) client_id: bool,
    pub(crate) correlation_id: bool,
    pub(crate) destination: Option<String>,
    pub(crate) time_to_live: i64,
    pub(crate) body: BodyValue,
}

/// A message body.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum BodyValue {
    Null,
    /// An array of messages (a poll reply).
    Messages(Vec<MessageShape>),
    /// Anything else, as its `Debug` text.
    Plain(String),
}

/// A value as text, with what a Flex client cannot tell apart made equal:
/// an anonymous object's members sorted by name whether sent sealed
/// (BlazeDS writes a Java map so) or dynamic.
fn render(v: &Value) -> String {
    match v {
        Value::Object(o) => {
            let mut members: Vec<(String, String)> = o
                .members()
                .map(|(k, v)| (k.to_string(), render(v)))
                .collect();
            members.sort();
            let members: Vec<String> = members.iter().map(|(k, v)| format!("{k}: {v}")).collect();
            format!("{}{{{}}}", o.class(), members.join(", "))
        }
        Value::Array(a) => {
            let mut items: Vec<String> = a.dense.iter().map(render).collect();
            items.extend(a.assoc.iter().map(|(k, v)| format!("{k}: {}", render(v))));
            format!("[{}]", items.join(", "))
        }
        Value::External(e) => match v.as_external::<ArrayCollection>() {
            Some(c) => format!("{}({})", e.class_name(), render(&c.source)),
            None => format!("{v:?}"),
        },
        other => format!("{other:?}"),
    }
}

/// The alias a value was sent under.
fn class_of(v: &Value) -> Option<String> {
    match v {
        Value::Object(o) => Some(o.class().to_owned()),
        Value::External(e) => Some(e.class_name().to_owned()),
        _ => None,
    }
}

fn message_shape(v: &Value) -> Option<MessageShape> {
    let m = Message::from_value(v).ok()?;
    let (operation, fault) = match &m {
        Message::Command(c) => (Some(format!("{:?}", c.operation)), None),
        Message::Error(e) => (None, Some(e)),
        _ => (None, None),
    };
    let mut headers: Vec<String> = m.base().headers.iter().map(|(k, _)| k.to_owned()).collect();
    headers.sort();
    let body = m.body();
    let body = if body.is_null() {
        BodyValue::Null
    } else {
        let messages: Option<Vec<MessageShape>> = body
            .as_array()
            .filter(|a| !a.dense.is_empty())
            .and_then(|a| a.dense.iter().map(message_shape).collect());
        messages.map_or_else(|| BodyValue::Plain(render(body)), BodyValue::Messages)
    };
    Some(MessageShape {
        class: class_of(v).unwrap_or_default(),
        operation,
        fault_code: fault.and_then(|e| e.fault_code.clone()),
        fault_string: fault.and_then(|e| e.fault_string.clone()),
        fault_detail: fault.and_then(|e| e.fault_detail.clone()),
        headers,
        client_id: m.client_id().is_some_and(|s| !s.is_empty()),
        correlation_id: m.correlation_id().is_some_and(|s| !s.is_empty()),
        destination: m.destination().map(str::to_owned),
        time_to_live: m.base().time_to_live,
        body,
    })
}

fn value_shape(v: &Value) -> ValueShape {
    if let Some(m) = message_shape(v) {
        return ValueShape::Message(Box::new(m));
    }
    if let Some(o) = v.as_object().filter(|o| o.get("code").is_some()) {
        let member = |n: &str| o.get(n).and_then(Value::as_str).map(str::to_owned);
        return ValueShape::Status {
            code: member("code"),
            message: member("message"),
            details: member("details"),
        };
    }
    ValueShape::Plain(render(v))
}

/// The shape of a decodable AMF packet; `Err` names what did not decode.
pub(crate) fn packet_shape(body: &Bytes) -> Result<PacketShape, String> {
    let p = Packet::decode(Bytes::clone(body), registry()).map_err(|e| e.to_string())?;
    Ok(PacketShape {
        version: p.version.code(),
        headers: p
            .headers
            .iter()
            .map(|h| h.name.to_string())
            .filter(|n| !HOSTING_HEADERS.contains(&n.as_str()))
            .collect(),
        bodies: p
            .bodies
            .iter()
            .map(|b| BodyShape {
                target: b.target.to_string(),
                value: value_shape(&b.value),
            })
            .collect(),
    })
}

/// The shape of a whole reply: an AMF packet when the status is 200 and
/// the body is not empty.
pub(crate) fn http_shape(
    status: u16,
    content_type: Option<&str>,
    sets_cookie: bool,
    body: &Bytes,
) -> HttpShape {
    let ok = status == 200;
    HttpShape {
        status,
        content_type: content_type
            .filter(|_| ok && !body.is_empty())
            .map(str::to_owned),
        sets_cookie,
        packet: if ok && !body.is_empty() {
            Some(packet_shape(body).unwrap_or_else(|e| panic!("reply does not decode: {e}")))
        } else {
            None
        },
    }
}

/// Reads a recorded `.blazeds.http` file: status line, then headers.
pub(crate) fn recorded_head(text: &str) -> (u16, Option<String>, bool) {
    let mut lines = text.lines();
    let status = lines
        .next()
        .and_then(|l| l.trim().parse().ok())
        .expect("a status line");
    let mut content_type = None;
    let mut cookie = false;
    for line in lines {
        if let Some((name, value)) = line.split_once(':') {
            match name.trim().to_ascii_lowercase().as_str() {
                "content-type" => content_type = Some(value.trim().to_owned()),
                "set-cookie" => cookie = true,
                _ => {}
            }
        }
    }
    (status, content_type, cookie)
}

impl HttpShape {
    /// The message of reply body `i`.
    pub(crate) fn message(&mut self, i: usize) -> &mut MessageShape {
        match self.body(i).map(|b| &mut b.value) {
            Some(ValueShape::Message(m)) => m,
            other => panic!("body {i} is no message: {other:?}"),
        }
    }

    /// Reply body `i`.
    pub(crate) fn body(&mut self, i: usize) -> Option<&mut BodyShape> {
        self.packet.as_mut().and_then(|p| p.bodies.get_mut(i))
    }

    /// Answered with an HTTP error and no AMF body.
    pub(crate) fn http_error(&mut self, status: u16) {
        *self = HttpShape {
            status,
            content_type: None,
            sets_cookie: false,
            packet: None,
        };
    }
}

impl MessageShape {
    /// Turned into a fault with this code and string.
    pub(crate) fn fault(&mut self, code: &str, string: &str) {
        self.class = "flex.messaging.messages.ErrorMessage".into();
        self.fault_code = Some(code.into());
        self.fault_string = Some(string.into());
    }
}
