//! A Flex client over real HTTP, built from flexgate's own codec, for the
//! end-to-end tests: it sends what a Flash Player sends and reads replies.
//!
//! Every test crate compiles this whole module and uses part of it, hence
//! `dead_code`. Its items are `pub(crate)`: a test crate has no public API
//! (the workspace's `unreachable_pub` lint holds here too).
#![allow(dead_code)]

pub(crate) mod backend;
pub(crate) mod browser;
pub(crate) mod links;
pub(crate) mod logs;
pub(crate) mod rabbit;
pub(crate) mod raw;
pub(crate) mod status;
pub(crate) mod stream;

use bytes::Bytes;
use flexgate_amf::{Body, Packet, Str, Value, Version};
use flexgate_gateway::config::Config;
use flexgate_gateway::{Gateway, Running};
use flexgate_messages::headers as h;
use flexgate_messages::{
    registry, uid, AbstractMessage, AsyncMessage, CommandMessage, CommandOperation, Form, Message,
    RemotingMessage,
};
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request, StatusCode};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;
use std::path::Path;

/// A gateway on an ephemeral port.
pub(crate) struct TestServer {
    pub(crate) running: Running,
    pub(crate) base: String,
}

impl TestServer {
    pub(crate) async fn start(mut config: Config) -> TestServer {
        config.listen = "127.0.0.1:0".parse().expect("address");
        Self::start_gateway(Gateway::new(config)).await
    }

    pub(crate) async fn start_gateway(gateway: Gateway) -> TestServer {
        let running = gateway.start().await.expect("gateway starts");
        let base = format!("http://{}", running.local_addr());
        TestServer { running, base }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

pub(crate) const AMF: &str = "/messagebroker/amf";
pub(crate) const LONG_POLLING: &str = "/messagebroker/amflongpolling";
pub(crate) const STREAMING: &str = "/messagebroker/streamingamf";

pub(crate) fn http() -> Client<HttpConnector, Full<Bytes>> {
    Client::builder(TokioExecutor::new()).build_http()
}

/// POSTs `body` and returns status, content type and the whole body.
pub(crate) async fn post(
    url: &str,
    content_type: &str,
    body: Vec<u8>,
) -> (StatusCode, String, Bytes) {
    let r = post_with_cookie(url, content_type, body, None).await;
    (r.status, r.content_type, r.body)
}

/// A whole HTTP reply.
#[derive(Debug)]
pub(crate) struct HttpReply {
    pub(crate) status: StatusCode,
    pub(crate) content_type: String,
    /// The `Set-Cookie` header, if any.
    pub(crate) set_cookie: Option<String>,
    pub(crate) body: Bytes,
}

/// POSTs `body` with an optional `Cookie` header.
pub(crate) async fn post_with_cookie(
    url: &str,
    content_type: &str,
    body: Vec<u8>,
    cookie: Option<&str>,
) -> HttpReply {
    let cookie = cookie.map(|c| ("cookie", c));
    post_with_headers(url, content_type, body, cookie.as_slice()).await
}

/// POSTs `body` with `headers` (name, value) besides its content type.
pub(crate) async fn post_with_headers(
    url: &str,
    content_type: &str,
    body: Vec<u8>,
    headers: &[(&str, &str)],
) -> HttpReply {
    let mut req = Request::builder()
        .method(Method::POST)
        .uri(url)
        .header("content-type", content_type);
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    let req = req.body(Full::new(Bytes::from(body))).expect("request");
    let res = http().request(req).await.expect("server answers");
    let header = |name: &str| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let content_type = header("content-type").unwrap_or_default();
    let set_cookie = header("set-cookie");
    let status = res.status();
    let body = res.into_body().collect().await.expect("body").to_bytes();
    HttpReply {
        status,
        content_type,
        set_cookie,
        body,
    }
}

/// The `name=value` part of a `Set-Cookie` header.
pub(crate) fn cookie_pair(set_cookie: &str) -> String {
    set_cookie
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned()
}

/// Sends a packet as a request and decodes the reply packet.
pub(crate) async fn exchange(url: &str, packet: &Packet) -> Packet {
    exchange_with_cookie(url, packet, &mut None).await
}

/// Like [`exchange`], keeping a one-cookie jar as a browser would: sends
/// `cookie` and replaces it with the reply's `Set-Cookie`.
pub(crate) async fn exchange_with_cookie(
    url: &str,
    packet: &Packet,
    cookie: &mut Option<String>,
) -> Packet {
    exchange_with_headers(url, packet, cookie, &[]).await
}

/// Like [`exchange_with_cookie`], with more HTTP request headers.
pub(crate) async fn exchange_with_headers(
    url: &str,
    packet: &Packet,
    cookie: &mut Option<String>,
    extra: &[(String, String)],
) -> Packet {
    let mut headers: Vec<(&str, &str)> = extra
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    if let Some(c) = cookie.as_deref() {
        headers.push(("cookie", c));
    }
    let r = post_with_headers(
        url,
        "application/x-amf",
        packet.encode_request().expect("encodes"),
        &headers,
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    assert_eq!(r.content_type, "application/x-amf");
    if let Some(set) = &r.set_cookie {
        *cookie = Some(cookie_pair(set));
    }
    Packet::decode(r.body, registry()).expect("reply decodes")
}

/// Reads a fixture packet.
pub(crate) fn fixture(name: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// One reply body: its target suffix and the message in it.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) target: String,
    pub(crate) message: Message,
}

impl Reply {
    pub(crate) fn is_result(&self) -> bool {
        self.target.ends_with("/onResult")
    }

    /// The ErrorMessage's fault code.
    pub(crate) fn fault_code(&self) -> Option<&str> {
        match &self.message {
            Message::Error(e) => e.fault_code.as_deref(),
            _ => None,
        }
    }
}

/// The first body of an AMF reply off the wire: its target, and its fault
/// code and string, whether a Flex ErrorMessage or a legacy status object.
pub(crate) fn first_fault(body: Bytes) -> (String, Option<String>, Option<String>) {
    let packet = Packet::decode(body, registry()).expect("reply decodes");
    let first = packet.bodies.first().expect("a body");
    let target = first.target.as_str().to_owned();
    if let Ok(Message::Error(e)) = Message::from_value(&first.value) {
        return (target, e.fault_code, e.fault_string);
    }
    let member = |name: &str| {
        first
            .value
            .as_object()
            .and_then(|o| o.get(name))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    (target, member("code"), member("message"))
}

/// A Flex client: a DSId once pinged, its session cookie (the browser's
/// cookie jar), and a request counter for `/N`.
pub(crate) struct FlexClient {
    pub(crate) url: String,
    pub(crate) ds_id: Option<String>,
    /// The `name=value` session cookie the gateway set.
    pub(crate) cookie: Option<String>,
    /// More HTTP headers (name, value) sent with every request, as a
    /// proxy in front of the gateway may add them.
    pub(crate) http_headers: Vec<(String, String)>,
    next: u32,
}

impl FlexClient {
    pub(crate) fn new(url: String) -> FlexClient {
        FlexClient {
            url,
            ds_id: None,
            cookie: None,
            http_headers: Vec::new(),
            next: 1,
        }
    }

    /// A pinged client whose consumer `consumer` is subscribed to
    /// `destination` (no subtopic, no selector), as a Flex Consumer starts.
    pub(crate) async fn subscribed(url: String, destination: &str, consumer: &str) -> FlexClient {
        let mut c = FlexClient::new(url);
        c.ping().await;
        let r = c
            .send_one(subscribe(destination, consumer, None, None))
            .await;
        assert!(r.is_result(), "subscribe {destination}: {r:?}");
        c
    }

    /// Another client object in the same Flash Player: same DSId and
    /// cookies, possibly another channel URL (to run requests concurrently).
    pub(crate) fn same_session(&self, url: String) -> FlexClient {
        FlexClient {
            url,
            ds_id: self.ds_id.clone(),
            cookie: self.cookie.clone(),
            http_headers: self.http_headers.clone(),
            next: 1,
        }
    }

    /// Sends messages as the bodies of one packet; returns one reply each.
    pub(crate) async fn send(&mut self, messages: Vec<Message>) -> Vec<Reply> {
        let bodies = messages
            .into_iter()
            .map(|mut m| {
                let id = self.ds_id.clone().unwrap_or_else(|| "nil".into());
                m.base_mut().headers.set(h::DS_ID, id.as_str());
                if m.base().message_id.is_none() {
                    m.base_mut().message_id = Some(uid::new_uid());
                }
                let response = format!("/{}", self.next);
                self.next += 1;
                Body {
                    target: Str::from_static("null"),
                    response: response.into(),
                    value: Value::array(vec![m.to_value(Form::Full)]),
                }
            })
            .collect();
        let packet = Packet {
            version: Version::Amf3,
            headers: Vec::new(),
            bodies,
        };
        let reply =
            exchange_with_headers(&self.url, &packet, &mut self.cookie, &self.http_headers).await;
        reply
            .bodies
            .iter()
            .map(|b| Reply {
                target: b.target.to_string(),
                message: Message::from_value(&b.value).expect("reply is a Flex message"),
            })
            .collect()
    }

    pub(crate) async fn send_one(&mut self, m: Message) -> Reply {
        self.send(vec![m]).await.pop().expect("one reply")
    }

    /// CLIENT_PING: learns the DSId.
    pub(crate) async fn ping(&mut self) -> Reply {
        let mut ping = command(CommandOperation::ClientPing, "");
        ping.base_mut().headers.set(h::DS_MESSAGING_VERSION, 1.0);
        let reply = self.send_one(ping).await;
        assert!(reply.is_result(), "{reply:?}");
        let id = reply
            .message
            .header(h::DS_ID)
            .and_then(Value::as_str)
            .expect("DSId")
            .to_owned();
        self.ds_id = Some(id);
        reply
    }
}

/// A CommandMessage.
pub(crate) fn command(op: CommandOperation, destination: &str) -> Message {
    Message::Command(CommandMessage {
        base: AbstractMessage {
            destination: Some(destination.into()),
            body: Value::object(flexgate_amf::Object::anonymous(Vec::<(&str, Value)>::new())),
            ..AbstractMessage::default()
        },
        correlation_id: None,
        operation: op,
    })
}

/// A SUBSCRIBE from consumer `consumer`.
pub(crate) fn subscribe(
    destination: &str,
    consumer: &str,
    subtopic: Option<&str>,
    selector: Option<&str>,
) -> Message {
    let mut m = command(CommandOperation::Subscribe, destination);
    m.base_mut().client_id = Some(consumer.into());
    if let Some(s) = subtopic {
        m.base_mut().headers.set(h::DS_SUBTOPIC, s);
    }
    if let Some(s) = selector {
        m.base_mut().headers.set(h::DS_SELECTOR, s);
    }
    m
}

/// An AsyncMessage from a Producer.
pub(crate) fn publish(destination: &str, body: Value, subtopic: Option<&str>) -> Message {
    let mut m = AsyncMessage::default();
    m.base.destination = Some(destination.into());
    m.base.client_id = Some(uid::new_uid());
    m.base.body = body;
    if let Some(s) = subtopic {
        m.base.headers.set(h::DS_SUBTOPIC, s);
    }
    Message::Async(m)
}

/// A RemotingMessage.
pub(crate) fn remote(destination: &str, operation: &str, args: Vec<Value>) -> Message {
    let mut m = RemotingMessage::default();
    m.base.destination = Some(destination.into());
    m.base.body = Value::array(args);
    m.operation = operation.into();
    Message::Remoting(m)
}

/// The messages a poll reply carries (a CLIENT_SYNC body), or none (an ack).
pub(crate) fn polled(reply: &Reply) -> Vec<Message> {
    match &reply.message {
        Message::Command(c) if c.operation == CommandOperation::ClientSync => c
            .base
            .body
            .as_array()
            .expect("array body")
            .dense
            .iter()
            .map(|v| Message::from_value(v).expect("a message"))
            .collect(),
        Message::Acknowledge(_) => Vec::new(),
        other => panic!("not a poll reply: {other:?}"),
    }
}

/// Waits until `ready()` holds: a synchronisation point on server state
/// (e.g. a poll is parked), not a timing assertion; fails after 10 s.
pub(crate) async fn until(what: &str, mut ready: impl FnMut() -> bool) {
    let waited = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        while !ready() {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    })
    .await;
    assert!(waited.is_ok(), "never happened: {what}");
}

/// An UNSUBSCRIBE of one consumer's filter (or all of it without a subtopic).
pub(crate) fn unsubscribe(destination: &str, consumer: &str, subtopic: Option<&str>) -> Message {
    let mut m = command(CommandOperation::Unsubscribe, destination);
    m.base_mut().client_id = Some(consumer.into());
    if let Some(s) = subtopic {
        m.base_mut().headers.set(h::DS_SUBTOPIC, s);
    }
    m
}

/// Standard base64 with padding (login bodies, HTTP Basic).
pub(crate) fn base64(b: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in b.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            out.push(if i <= c.len() {
                char::from(A[((n >> (18 - 6 * i)) & 63) as usize])
            } else {
                '='
            });
        }
    }
    out
}

/// A LOGIN command (`ChannelSet.login`): the body is base64 of `user:password`.
pub(crate) fn login(user: &str, password: &str) -> Message {
    let mut m = command(CommandOperation::Login, "auth");
    m.base_mut().body = Value::from(base64(format!("{user}:{password}").as_bytes()));
    m
}

/// Adds a user of the built-in authenticator.
pub(crate) fn add_user(config: &mut Config, name: &str, password: &str, roles: &[&str]) {
    config.users.insert(
        name.into(),
        flexgate_gateway::config::UserConfig::with_password(password, roles),
    );
}

/// Adds a messaging destination that only users with one of `roles` may use.
pub(crate) fn add_secured_destination(config: &mut Config, id: &str, roles: &[&str]) {
    config.destinations.insert(
        id.into(),
        flexgate_gateway::config::DestinationConfig {
            roles: roles.iter().map(|r| (*r).to_owned()).collect(),
            ..flexgate_gateway::config::DestinationConfig::default()
        },
    );
}
