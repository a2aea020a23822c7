//! The streaming AMF channel, as BlazeDS's StreamingAMFEndpoint speaks it
//! (see docs/protocol.md §7).
//!
//! After a normal ping, the client posts `?command=open&version=1` with the
//! form body `DSId=<id>`. The response body is a sequence of chunks framed
//! inside the entity body: `<hex length>\r\n<one AMF3 value>\r\n`. The first
//! is an AcknowledgeMessage with correlationId `"open"` whose body is the
//! stream id; each pushed message is one chunk with fresh reference tables;
//! a single `0x00` byte between chunks is a heartbeat. `?command=close&
//! streamId=<id>` ends the stream.
//!
//! Some browsers first get padding (see [`kickstart`]); a second stream
//! for a Flex client that has one is refused with 400, as BlazeDS does.

mod kickstart;

use crate::flex::access;
use crate::flex::delivery::delivered_value;
use crate::response::{text, ResponseBody, AMF_CONTENT_TYPE};
use crate::session::Session;
use crate::state::{uses_small_messages, State};
use crate::streams::{OpenRefused, StreamSlot};
use bytes::{BufMut, Bytes, BytesMut};
use flexgate_amf::{to_amf3, Value};
use flexgate_broker::{BrokerError, Delivery, DrainScope, IfUnsubscribed};
use flexgate_messages::{
    uid, AbstractMessage, AcknowledgeMessage, CommandMessage, CommandOperation, Form, Message,
};
use http_body_util::BodyExt;
use hyper::body::{Body, Frame};
use hyper::header::{HeaderValue, CACHE_CONTROL, CONTENT_TYPE, EXPIRES, PRAGMA};
use hyper::{Response, StatusCode};
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

/// A streaming command from the query string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Command {
    /// `command=open`.
    Open,
    /// `command=close`, with the `streamId` parameter.
    Close(Option<String>),
    /// Anything else.
    Unknown(String),
}

/// The streaming command in a query string, if any.
pub(crate) fn command(query: Option<&str>) -> Option<Command> {
    let query = query?;
    Some(match form_value(query, "command")?.as_str() {
        "open" => Command::Open,
        "close" => Command::Close(form_value(query, "streamId")),
        other => Command::Unknown(other.to_owned()),
    })
}

/// Chunks queued per stream before the pump waits for the reader; the
/// broker keeps the rest, so a slow reader never blocks publishers.
const QUEUE: usize = 16;

/// What the HTTP request of a streaming command says besides its form.
pub(crate) struct Open<'a> {
    /// The HTTP session (cookie).
    pub(crate) session: &'a Session,
    /// The `User-Agent` header.
    pub(crate) user_agent: Option<&'a str>,
}

/// Handles a streaming command.
pub(crate) async fn handle(
    state: Arc<State>,
    channel: &str,
    request: Open<'_>,
    command: Command,
    body: &Bytes,
) -> Response<ResponseBody> {
    let form = std::str::from_utf8(body).unwrap_or_default();
    match command {
        Command::Open => open(state, channel, request, form).await,
        Command::Close(stream) => {
            if let Some(id) = stream {
                state.streams.close(&id);
            }
            text(StatusCode::OK, "")
        }
        Command::Unknown(c) => text(
            StatusCode::BAD_REQUEST,
            &format!("unknown streaming command '{c}'"),
        ),
    }
}

async fn open(
    state: Arc<State>,
    channel: &str,
    request: Open<'_>,
    form: &str,
) -> Response<ResponseBody> {
    let session = request.session;
    let Some(ds_id) = form_value(form, "DSId") else {
        return text(StatusCode::BAD_REQUEST, "DSId is required to open a stream");
    };
    let client = match state.broker.connection(&ds_id).await {
        Ok(c) => c,
        Err(_) => return text(StatusCode::BAD_REQUEST, "unknown DSId: ping first"),
    };
    // BlazeDS opens a stream only for a FlexClient of the current HTTP
    // session, and answers 400 otherwise.
    if state.config.session.bind_clients && !session.may_use(&client) {
        tracing::warn!(client_id = %client.id, "stream open from another HTTP session; refused");
        return text(
            StatusCode::BAD_REQUEST,
            "DSId is bound to another HTTP session",
        );
    }
    let Some(config) = state.config.channels.get(channel) else {
        return text(StatusCode::NOT_FOUND, "no such channel");
    };
    let heartbeat = Duration::from_millis(config.heartbeat_ms.max(1));
    let stream_id = uid::new_uid();
    let (slot, closed) =
        match state
            .streams
            .try_open(&stream_id, &client.id, config.max_streaming_clients)
        {
            Ok(opened) => opened,
            Err(e @ OpenRefused::Full) => {
                return text(StatusCode::SERVICE_UNAVAILABLE, &e.to_string())
            }
            // BlazeDS answers 400 after committing a 200; here it is a
            // clean 400 before any byte of a stream.
            Err(e @ OpenRefused::Duplicate) => {
                tracing::warn!(client_id = %client.id, "second stream for a Flex client; refused");
                return text(StatusCode::BAD_REQUEST, &e.to_string());
            }
        };
    tracing::Span::current().record("client_id", client.id.as_str());
    let small = uses_small_messages(&client) && config.enable_small_messages;
    let (tx, rx) = mpsc::channel(QUEUE);
    let padding = kickstart::padding(request.user_agent);
    let feed = Feed {
        client: client.id,
        scope: DrainScope::Endpoint(channel.to_owned()),
        form: if small { Form::Small } else { Form::Full },
        heartbeat,
    };
    let pump = pump(state, feed, slot, tx.clone(), closed);
    tokio::spawn(async move {
        // First on the wire, before the open acknowledgement; the
        // channel is empty, so this never waits.
        if let Some(p) = padding {
            if tx.send(p).await.is_err() {
                return;
            }
        }
        drop(tx);
        pump.await;
    });

    let mut r = Response::new(ChannelBody(rx).boxed());
    let h = r.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static(AMF_CONTENT_TYPE));
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(PRAGMA, HeaderValue::from_static("no-cache"));
    h.insert(
        EXPIRES,
        HeaderValue::from_static("Sat, 01 Jan 2000 00:00:00 GMT"),
    );
    r
}

/// What one stream carries and how.
struct Feed {
    /// The Flex client.
    client: String,
    /// Its subscriptions the stream delivers: those made over its channel.
    scope: DrainScope,
    /// Small messages or full ones.
    form: Form,
    /// How long the stream may stay silent.
    heartbeat: Duration,
}

/// Feeds one stream until the client goes, closes it, or the server stops.
async fn pump(
    state: Arc<State>,
    feed: Feed,
    slot: StreamSlot,
    tx: mpsc::Sender<Bytes>,
    mut closed: oneshot::Receiver<()>,
) {
    let Feed {
        client,
        scope,
        form,
        heartbeat,
    } = feed;
    let open = Message::Acknowledge(AcknowledgeMessage {
        base: AbstractMessage {
            body: Value::from(slot.id()),
            message_id: Some(uid::new_uid()),
            timestamp: chrono::Utc::now().timestamp_millis(),
            ..AbstractMessage::default()
        },
        correlation_id: Some("open".into()),
    });
    let mut alive = send_message(&tx, &open.to_value(form)).await;
    let shutdown = state.shutdown_signal();
    tokio::pin!(shutdown);
    while alive {
        let deadline = Instant::now() + heartbeat;
        let deliveries = tokio::select! {
            d = state.broker.wait_in(
                &client, &scope, deadline, crate::limits::drain_budget(&state), IfUnsubscribed::Wait,
            ) => d,
            _ = &mut closed => break,
            () = &mut shutdown => break,
            () = tx.closed() => break,
        };
        alive = match deliveries {
            Ok(list) if list.is_empty() => tx.send(Bytes::from_static(&[0])).await.is_ok(),
            Ok(list) => {
                let list = receivable(&state, &client, list).await;
                let mut ok = true;
                for d in &list {
                    ok = send_message(&tx, &delivered_value(d, form)).await;
                    if !ok {
                        break;
                    }
                }
                ok
            }
            Err(BrokerError::NotConnected(_)) => {
                // The Flex client expired or disconnected: tell it, as BlazeDS does.
                let disconnect = Message::Command(CommandMessage {
                    operation: CommandOperation::Disconnect,
                    ..CommandMessage::default()
                });
                let _ = send_message(&tx, &disconnect.to_value(Form::Full)).await;
                false
            }
            Err(e) => {
                tracing::warn!(error = %e, "stream stopped");
                false
            }
        };
    }
    let _ = tx.send(Bytes::from_static(b"0\r\n")).await;
    tracing::debug!(stream = %slot.id(), "stream ended");
}

/// The deliveries the client may receive as it is logged in now (the
/// principal can change while the stream is open); the connection is read
/// only when a secured destination is configured.
async fn receivable(state: &State, client: &str, mut list: Vec<Delivery>) -> Vec<Delivery> {
    if !access::any_secured(state) {
        return list;
    }
    match state.broker.connection(client).await {
        Ok(c) => list.retain(|d| access::may_receive(state, &c, &d.message.destination)),
        // Gone: the next wait reports it; deliver nothing meanwhile.
        Err(_) => list.clear(),
    }
    list
}

/// Sends one message as one chunk; `false` when the reader is gone.
async fn send_message(tx: &mpsc::Sender<Bytes>, v: &Value) -> bool {
    match to_amf3(v) {
        Ok(amf) => tx.send(chunk(&amf)).await.is_ok(),
        Err(e) => {
            tracing::error!(error = %e, "a pushed message could not be encoded");
            true
        }
    }
}

/// `<hex length>\r\n<data>\r\n`.
fn chunk(data: &[u8]) -> Bytes {
    let head = format!("{:x}\r\n", data.len());
    let mut b = BytesMut::with_capacity(head.len() + data.len() + 2);
    b.put_slice(head.as_bytes());
    b.put_slice(data);
    b.put_slice(b"\r\n");
    b.freeze()
}

/// A response body fed by a channel.
struct ChannelBody(mpsc::Receiver<Bytes>);

impl Body for ChannelBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        self.0.poll_recv(cx).map(|b| b.map(|b| Ok(Frame::data(b))))
    }
}

/// The value of `key` in a `application/x-www-form-urlencoded` string.
pub(crate) fn form_value(form: &str, key: &str) -> Option<String> {
    form.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (percent_decode(k) == key).then(|| percent_decode(v))
    })
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                match u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16)
                {
                    Ok(v) => {
                        out.push(v);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_and_forms() {
        assert_eq!(command(Some("command=open&version=1")), Some(Command::Open));
        assert_eq!(
            command(Some("version=1&command=close&streamId=AB%2DC")),
            Some(Command::Close(Some("AB-C".into())))
        );
        assert_eq!(command(Some("version=1")), None);
        assert_eq!(command(None), None);
        assert_eq!(form_value("DSId=X+Y%21", "DSId").as_deref(), Some("X Y!"));
        assert_eq!(form_value("a=1", "DSId"), None);
        assert_eq!(form_value("DSId=%4", "DSId").as_deref(), Some("%4"));
    }

    #[test]
    fn chunk_framing() {
        assert_eq!(&chunk(&[1; 26])[..4], b"1a\r\n");
        assert_eq!(&chunk(&[1; 26])[30..], b"\r\n");
    }
}
