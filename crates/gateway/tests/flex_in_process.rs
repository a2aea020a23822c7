//! Flex protocol behaviour without HTTP: request packets go straight to
//! [`InProcess::handle`] and the reply packets are decoded. The same
//! behaviour over real HTTP is covered by the root crate's tests/.

use bytes::Bytes;
use flexgate_amf::{Body, Header, Object, Packet, Str, Value, Version, NULL_TARGET};
use flexgate_gateway::config::{Config, DestinationConfig, DestinationKind, UserConfig};
use flexgate_gateway::session::Session;
use flexgate_gateway::{EndpointError, Gateway, InProcess};
use flexgate_messages::headers as h;
use flexgate_messages::{
    registry, uid, AbstractMessage, AsyncMessage, CommandMessage, CommandOperation, Form, Message,
    RemotingMessage,
};

const AMF: &str = "my-amf";

/// One Flex client: its DSId once pinged, its HTTP session, `/N` counter.
struct Client<'g> {
    gateway: &'g InProcess,
    session: Session,
    ds_id: Option<String>,
    next: u32,
}

/// One reply body: its target and the message in it.
#[derive(Debug)]
struct Reply {
    target: String,
    message: Message,
}

impl Reply {
    fn is_result(&self) -> bool {
        self.target.ends_with("/onResult")
    }

    fn fault_code(&self) -> Option<&str> {
        match &self.message {
            Message::Error(e) => e.fault_code.as_deref(),
            _ => None,
        }
    }
}

impl<'g> Client<'g> {
    fn new(gateway: &'g InProcess) -> Self {
        Client {
            gateway,
            session: Session::fresh(),
            ds_id: None,
            next: 1,
        }
    }

    async fn raw(&self, packet: &Packet) -> Result<Packet, EndpointError> {
        let bytes = packet.encode_request().expect("request encodes");
        let reply = self
            .gateway
            .handle(AMF, &self.session, Bytes::from(bytes))
            .await?;
        Ok(Packet::decode(Bytes::from(reply), registry()).expect("reply decodes"))
    }

    /// Sends messages as the bodies of one packet; one reply each.
    async fn send(&mut self, messages: Vec<Message>) -> Vec<Reply> {
        let bodies = messages
            .into_iter()
            .map(|mut m| {
                let id = self
                    .ds_id
                    .clone()
                    .unwrap_or_else(|| h::DS_ID_UNASSIGNED.into());
                m.base_mut().headers.set(h::DS_ID, id.as_str());
                m.base_mut().message_id = Some(uid::new_uid());
                let response = format!("/{}", self.next);
                self.next += 1;
                Body {
                    target: Str::from_static(NULL_TARGET),
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
        let reply = self.raw(&packet).await.expect("a reply packet");
        reply
            .bodies
            .iter()
            .map(|b| Reply {
                target: b.target.to_string(),
                message: Message::from_value(&b.value).expect("a Flex message"),
            })
            .collect()
    }

    async fn send_one(&mut self, m: Message) -> Reply {
        self.send(vec![m]).await.pop().expect("one reply")
    }

    async fn ping(&mut self) -> Reply {
        let mut ping = command(CommandOperation::ClientPing, "");
        ping.base_mut().headers.set(h::DS_MESSAGING_VERSION, 1.0);
        let reply = self.send_one(ping).await;
        assert!(reply.is_result(), "{reply:?}");
        let id = reply.message.header(h::DS_ID).and_then(Value::as_str);
        self.ds_id = Some(id.expect("DSId").to_owned());
        reply
    }

    async fn poll(&mut self) -> Vec<Message> {
        let reply = self.send_one(command(CommandOperation::Poll, "")).await;
        match reply.message {
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
}

fn command(op: CommandOperation, destination: &str) -> Message {
    Message::Command(CommandMessage {
        base: AbstractMessage {
            destination: Some(destination.into()),
            ..AbstractMessage::default()
        },
        correlation_id: None,
        operation: op,
    })
}

fn subscribe(destination: &str, consumer: &str, subtopic: Option<&str>) -> Message {
    let mut m = command(CommandOperation::Subscribe, destination);
    m.base_mut().client_id = Some(consumer.into());
    if let Some(s) = subtopic {
        m.base_mut().headers.set(h::DS_SUBTOPIC, s);
    }
    m
}

fn publish(destination: &str, body: Value, subtopic: Option<&str>) -> Message {
    let mut m = AsyncMessage::default();
    m.base.destination = Some(destination.into());
    m.base.client_id = Some(uid::new_uid());
    m.base.body = body;
    if let Some(s) = subtopic {
        m.base.headers.set(h::DS_SUBTOPIC, s);
    }
    Message::Async(m)
}

fn remote(destination: &str, operation: &str, args: Vec<Value>) -> Message {
    let mut m = RemotingMessage::default();
    m.base.destination = Some(destination.into());
    m.base.body = Value::array(args);
    m.operation = operation.into();
    Message::Remoting(m)
}

async fn demo() -> InProcess {
    gateway(Config::default()).await
}

async fn gateway(config: Config) -> InProcess {
    Gateway::new(config)
        .in_process()
        .await
        .expect("memory store")
}

#[tokio::test]
async fn ping_assigns_a_client_id_and_answers_small() {
    let g = demo().await;
    let mut c = Client::new(&g);
    let reply = c.ping().await;
    assert_eq!(reply.target, "/1/onResult");
    let id = c.ds_id.clone().expect("DSId");
    assert_eq!(id.len(), 36);
    assert_eq!(
        reply
            .message
            .header(h::DS_MESSAGING_VERSION)
            .and_then(Value::as_f64),
        Some(1.0)
    );
    // The client advertised messaging version 1: the next ack is a DSK.
    let mut ping = command(CommandOperation::ClientPing, "");
    ping.base_mut().headers.set(h::DS_ID, id.as_str());
    let packet = Packet {
        version: Version::Amf3,
        headers: Vec::new(),
        bodies: vec![Body {
            target: Str::from_static(NULL_TARGET),
            response: "/9".into(),
            value: Value::array(vec![ping.to_value(Form::Full)]),
        }],
    };
    let reply = c.raw(&packet).await.expect("reply");
    let Value::External(e) = &reply.bodies[0].value else {
        panic!("not small: {:?}", reply.bodies[0].value);
    };
    assert_eq!(e.class_name(), "DSK");
    assert_eq!(reply.bodies[0].target.as_str(), "/9/onResult");
}

#[tokio::test]
async fn subtopics_route_and_unsubscribe_stops_delivery() {
    let g = demo().await;
    let mut c = Client::new(&g);
    c.ping().await;
    assert!(c
        .send_one(subscribe("chat", "ROOMS", Some("rooms.*")))
        .await
        .is_result());
    let mut p = Client::new(&g);
    p.ping().await;
    let replies = p
        .send(vec![
            publish("chat", Value::from("in lobby"), Some("rooms.lobby")),
            publish("chat", Value::from("elsewhere"), Some("news.today")),
        ])
        .await;
    assert!(replies.iter().all(Reply::is_result), "{replies:?}");
    let got = c.poll().await;
    let seen: Vec<_> = got.iter().map(|m| (m.client_id(), m.body())).collect();
    assert_eq!(seen, [(Some("ROOMS"), &Value::from("in lobby"))]);
    assert!(got[0].header(h::DS_ID).is_none(), "sender's DSId removed");

    let mut unsub = command(CommandOperation::Unsubscribe, "chat");
    unsub.base_mut().client_id = Some("ROOMS".into());
    assert!(c.send_one(unsub).await.is_result());
    p.send_one(publish("chat", Value::from("again"), Some("rooms.a")))
        .await;
    // Nothing delivered: the client's last subscription is gone.
    let after = c.send_one(command(CommandOperation::Poll, "")).await;
    assert_eq!(
        after.fault_code(),
        Some("Server.Processing.NotSubscribed"),
        "{after:?}"
    );
}

#[tokio::test]
async fn each_body_of_a_batch_is_answered_even_when_others_fail() {
    let g = demo().await;
    let mut c = Client::new(&g);
    c.ping().await;
    let replies = c
        .send(vec![
            subscribe("no-such-destination", "X", None),
            command(CommandOperation::Other(99), ""),
            remote("EchoService", "echo", vec![Value::from("hi")]),
        ])
        .await;
    let targets: Vec<&str> = replies.iter().map(|r| r.target.as_str()).collect();
    assert_eq!(targets, ["/2/onStatus", "/3/onStatus", "/4/onResult"]);
    assert_eq!(replies[0].fault_code(), Some("Server.Processing"));
    assert_eq!(replies[2].message.body(), &Value::from("hi"));
    assert!(replies.iter().all(|r| r.message.correlation_id().is_some()));
}

fn secured_config() -> Config {
    let mut config = Config::default();
    config.users.insert(
        "alice".into(),
        UserConfig::with_password("secret", &["traders"]),
    );
    config.destinations.insert(
        "EchoService".into(),
        DestinationConfig {
            kind: DestinationKind::Remoting,
            roles: vec!["traders".into()],
            ..DestinationConfig::default()
        },
    );
    config
}

#[tokio::test]
async fn remote_object_and_net_connection_share_the_access_checks() {
    let g = gateway(secured_config()).await;
    let mut c = Client::new(&g);
    c.ping().await;
    let denied = c.send_one(remote("EchoService", "echo", vec![])).await;
    assert_eq!(denied.fault_code(), Some("Client.Authentication"));

    // The same destination from a legacy NetConnection call.
    let legacy = |headers: Vec<Header>| Packet {
        version: Version::Amf0,
        headers,
        bodies: vec![Body {
            target: "EchoService.whoAmI".into(),
            response: "/1".into(),
            value: Value::array(vec![]),
        }],
    };
    let reply = c.raw(&legacy(Vec::new())).await.expect("reply");
    assert_eq!(reply.bodies[0].target.as_str(), "/1/onStatus");
    let status = reply.bodies[0].value.as_object().expect("status object");
    assert_eq!(
        status.get("code").and_then(Value::as_str),
        Some("Client.Authentication")
    );
    let credentials = Header {
        name: "Credentials".into(),
        must_understand: false,
        value: Value::object(Object::anonymous([
            ("userid", Value::from("alice")),
            ("password", Value::from("secret")),
        ])),
    };
    let reply = c.raw(&legacy(vec![credentials])).await.expect("reply");
    assert_eq!(reply.bodies[0].target.as_str(), "/1/onResult");
    assert_eq!(reply.bodies[0].value, Value::from("alice"));
}

#[tokio::test]
async fn another_session_cannot_use_a_client_id() {
    let g = demo().await;
    let mut owner = Client::new(&g);
    owner.ping().await;
    assert!(owner
        .send_one(subscribe("chat", "C", None))
        .await
        .is_result());
    let mut thief = Client::new(&g);
    thief.ds_id = owner.ds_id.clone();
    let refused = thief.send_one(command(CommandOperation::Poll, "")).await;
    assert_eq!(
        refused.fault_code(),
        Some("Server.Processing.DuplicateSessionDetected")
    );
    assert!(owner.poll().await.is_empty());
}

#[tokio::test]
async fn server_side_publishes_reach_consumers() {
    let g = demo().await;
    let mut c = Client::new(&g);
    c.ping().await;
    c.send_one(subscribe("chat", "C", Some("room.1"))).await;
    g.publisher()
        .publish(
            "chat",
            Some("room.1"),
            Value::from("from Rust"),
            [("priority", Value::from(5))],
        )
        .await
        .expect("published");
    let err = g
        .publisher()
        .publish("nope", None, Value::Null, Vec::<(String, Value)>::new())
        .await;
    assert!(err.is_err());
    let got = c.poll().await;
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].body(), &Value::from("from Rust"));
    assert_eq!(got[0].client_id(), Some("C"));
    assert_eq!(
        got[0].header(h::DS_SUBTOPIC).and_then(Value::as_str),
        Some("room.1")
    );
    assert_eq!(got[0].header("priority"), Some(&Value::from(5)));
}

#[tokio::test]
async fn broker_settings_of_a_destination_come_from_the_toml() {
    let config = Config::parse(
        "[channels.my-amf]\npath = \"/messagebroker/amf\"\n\
         [destinations.quiet]\necho_to_sender = false\ndisallow_wildcard_subtopics = true\n",
    )
    .expect("config");
    let g = gateway(config).await;
    let mut c = Client::new(&g);
    c.ping().await;
    let wildcard = c.send_one(subscribe("quiet", "W", Some("a.*"))).await;
    assert_eq!(
        wildcard.fault_code(),
        Some("Server.Processing"),
        "{wildcard:?}"
    );
    assert!(c.send_one(subscribe("quiet", "Q", None)).await.is_result());
    // The subscribed sender does not get its own message back...
    c.send_one(publish("quiet", Value::from("mine"), None))
        .await;
    assert!(c.poll().await.is_empty());
    // ...but gets another client's.
    let mut other = Client::new(&g);
    other.ping().await;
    other
        .send_one(publish("quiet", Value::from("theirs"), None))
        .await;
    let got = c.poll().await;
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].body(), &Value::from("theirs"));
}

#[tokio::test]
async fn a_packet_with_too_many_bodies_gets_no_reply() {
    let mut config = Config::default();
    config.limits.max_bodies = 1;
    let g = gateway(config).await;
    let c = Client::new(&g);
    let body = Body {
        target: Str::from_static(NULL_TARGET),
        response: "/1".into(),
        value: Value::array(vec![
            command(CommandOperation::ClientPing, "").to_value(Form::Full)
        ]),
    };
    let packet = Packet {
        version: Version::Amf3,
        headers: Vec::new(),
        bodies: vec![body.clone(), body],
    };
    let err = c.raw(&packet).await.expect_err("refused");
    assert!(matches!(err, EndpointError::TooManyBodies(2, 1)), "{err}");
}
