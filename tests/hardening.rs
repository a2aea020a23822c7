//! Security hardening over real HTTP: throttled logins on every path,
//! subscriptions that end with the login they were made under, consumer
//! ids bound to their Flex client, credentials stripped from published
//! messages, refused requests that do not keep a client alive, admission
//! of new Flex clients, and length bounds on what a message names.

mod common;

use common::*;
use flexgate_amf::{Body, Header, Object, Packet, Str, Value, Version};
use flexgate_broker::MessageStore;
use flexgate_gateway::config::Config;
use flexgate_messages::headers as h;
use flexgate_messages::{CommandOperation, Message};
use hyper::{Method, Request, StatusCode};
use std::time::Duration;

const THROTTLED: &str = "Too many failed logins";
const TOO_MANY_CLIENTS: &str = "Too many new Flex clients; try again later.";

fn poll() -> Message {
    command(CommandOperation::Poll, "")
}

fn fault_string(r: &Reply) -> String {
    match &r.message {
        Message::Error(e) => e.fault_string.clone().unwrap_or_default(),
        _ => String::new(),
    }
}

fn secured_config() -> Config {
    let mut config = Config::default();
    add_user(&mut config, "alice", "secret", &["traders", "operator"]);
    add_user(&mut config, "bob", "hunter2", &["guests"]);
    add_secured_destination(&mut config, "prices", &["traders"]);
    // All test clients are 127.0.0.1: throttle per user only.
    config.login.free_failures_per_peer = 100_000;
    config
}

async fn connections(server: &TestServer) -> usize {
    server
        .running
        .broker()
        .store()
        .connection_count()
        .await
        .expect("count")
}

#[tokio::test]
async fn login_guesses_are_throttled_on_every_path() {
    let mut config = secured_config();
    config.status.role = Some("operator".into());
    let server = TestServer::start(config).await;
    let mut c = FlexClient::new(server.url(AMF));
    c.ping().await;
    for _ in 0..4 {
        let r = c.send_one(login("alice", "guess")).await;
        assert_eq!(r.fault_code(), Some("Client.Authentication"));
        assert_eq!(fault_string(&r), "Invalid login.");
    }
    // Backing off: the right password is refused without being checked.
    let r = c.send_one(login("alice", "secret")).await;
    assert_eq!(r.fault_code(), Some("Client.Authentication"));
    assert!(fault_string(&r).starts_with(THROTTLED), "{r:?}");

    // Another user, from another session, is unaffected.
    let mut other = FlexClient::new(server.url(AMF));
    other.ping().await;
    assert!(other.send_one(login("bob", "hunter2")).await.is_result());

    // The legacy Credentials header and the status page's Basic auth go
    // through the same throttle.
    let packet = Packet {
        version: Version::Amf0,
        headers: vec![Header {
            name: "Credentials".into(),
            must_understand: false,
            value: Value::object(Object::anonymous([
                ("userid", Value::from("alice")),
                ("password", Value::from("secret")),
            ])),
        }],
        bodies: vec![Body {
            target: "EchoService.echo".into(),
            response: Str::from_static("/1"),
            value: Value::array(vec![Value::from(1)]),
        }],
    };
    let r = exchange(&server.url(AMF), &packet).await;
    let message = r.bodies[0]
        .value
        .as_object()
        .and_then(|o| o.get("message"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    assert!(message.starts_with(THROTTLED), "{message}");
    let req = Request::builder()
        .method(Method::GET)
        .uri(server.url("/status.json"))
        .header(
            "authorization",
            format!("Basic {}", base64(b"alice:secret")),
        )
        .body(http_body_util::Full::new(bytes::Bytes::new()))
        .expect("request");
    let res = http().request(req).await.expect("answers");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    // 200 guesses in one packet: all but none get the throttle answer
    // (before the throttle every one was checked: ~3,400 per second).
    let guesses = (0..200).map(|_| login("alice", "guess")).collect();
    let replies = c.send(guesses).await;
    let throttled = replies
        .iter()
        .filter(|r| fault_string(r).starts_with(THROTTLED))
        .count();
    assert_eq!(throttled, 200);
    server.running.shutdown().await;
}

#[tokio::test]
async fn logout_relogin_and_failed_login_govern_secured_subscriptions() {
    let server = TestServer::start(secured_config()).await;
    let mut producer = FlexClient::new(server.url(AMF));
    producer.ping().await;
    assert!(producer
        .send_one(login("alice", "secret"))
        .await
        .is_result());
    let broker = server.running.broker().clone();

    let mut c = FlexClient::new(server.url(AMF));
    c.ping().await;
    assert!(c.send_one(login("alice", "secret")).await.is_result());
    assert!(c
        .send_one(subscribe("prices", "P", None, None))
        .await
        .is_result());
    let id = c.ds_id.clone().expect("DSId");

    // A failed login leaves the principal and its subscriptions alone.
    assert_eq!(
        c.send_one(login("bob", "wrong")).await.fault_code(),
        Some("Client.Authentication")
    );
    producer
        .send_one(publish("prices", Value::from(1), None))
        .await;
    assert_eq!(polled(&c.send_one(poll()).await).len(), 1);

    // Logging in as a user without the role ends the subscription.
    assert!(c.send_one(login("bob", "hunter2")).await.is_result());
    assert!(broker.subscriptions(&id).await.expect("subs").is_empty());
    producer
        .send_one(publish("prices", Value::from(2), None))
        .await;
    // Nothing is delivered, and the client is told it has no subscription
    // left (a Flex Consumer then resubscribes, and is refused).
    assert_eq!(
        c.send_one(poll()).await.fault_code(),
        Some("Server.Processing.NotSubscribed")
    );

    // Logging out ends it too.
    let mut d = FlexClient::new(server.url(AMF));
    d.ping().await;
    assert!(d.send_one(login("alice", "secret")).await.is_result());
    assert!(d
        .send_one(subscribe("prices", "D", None, None))
        .await
        .is_result());
    assert!(d
        .send_one(command(CommandOperation::Logout, "auth"))
        .await
        .is_result());
    let d_id = d.ds_id.clone().expect("DSId");
    assert!(broker.subscriptions(&d_id).await.expect("subs").is_empty());

    // And delivery checks the current principal: a subscription that
    // exists without the role (here made behind the gateway's back)
    // delivers nothing from the secured destination.
    broker
        .subscribe(&d_id, "D", "prices", None, None)
        .await
        .expect("subscribes");
    producer
        .send_one(publish("prices", Value::from(3), None))
        .await;
    assert!(polled(&d.send_one(poll()).await).is_empty());
    server.running.shutdown().await;
}

#[tokio::test]
async fn consumer_ids_are_bound_to_their_flex_client() {
    let server = TestServer::start(Config::default()).await;
    let mut victim = FlexClient::subscribed(server.url(AMF), "chat", "VICTIM-CONSUMER").await;

    let mut attacker = FlexClient::new(server.url(AMF));
    attacker.ping().await;
    let r = attacker
        .send_one(subscribe("chat", "VICTIM-CONSUMER", None, None))
        .await;
    assert_eq!(r.fault_code(), Some("Server.Processing"), "{r:?}");
    assert!(attacker
        .send_one(subscribe("chat", "MINE", None, None))
        .await
        .is_result());

    let mut producer = FlexClient::new(server.url(AMF));
    producer.ping().await;
    let mut targeted = publish("chat", Value::from("for the victim"), None);
    targeted
        .base_mut()
        .headers
        .set(h::DS_DST_CLIENT_ID, "VICTIM-CONSUMER");
    assert!(producer.send_one(targeted).await.is_result());

    assert!(polled(&attacker.send_one(poll()).await).is_empty());
    let got = polled(&victim.send_one(poll()).await);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].body(), &Value::from("for the victim"));

    // Once the victim lets it go, the id is free again.
    assert!(victim
        .send_one(unsubscribe("chat", "VICTIM-CONSUMER", None))
        .await
        .is_result());
    assert!(attacker
        .send_one(subscribe("chat", "VICTIM-CONSUMER", None, None))
        .await
        .is_result());
    server.running.shutdown().await;
}

#[tokio::test]
async fn remote_credentials_are_stripped_before_fan_out() {
    let server = TestServer::start(Config::default()).await;
    let mut consumer = FlexClient::subscribed(server.url(AMF), "chat", "C").await;
    let mut producer = FlexClient::new(server.url(AMF));
    producer.ping().await;
    let mut m = publish("chat", Value::from("hi"), None);
    let headers = &mut m.base_mut().headers;
    headers.set(h::DS_REMOTE_CREDENTIALS, base64(b"alice:secret"));
    headers.set(h::DS_REMOTE_CREDENTIALS_CHARSET, "UTF-8");
    headers.set("myCredentials", "x");
    headers.set("keep", "me");
    assert!(producer.send_one(m).await.is_result());
    let got = polled(&consumer.send_one(poll()).await);
    assert_eq!(got.len(), 1);
    let headers = &got[0].base().headers;
    assert!(!headers.contains(h::DS_REMOTE_CREDENTIALS), "{headers:?}");
    assert!(!headers.contains(h::DS_REMOTE_CREDENTIALS_CHARSET));
    assert!(!headers.contains("myCredentials"));
    assert_eq!(headers.get_str("keep"), Some("me"));
    server.running.shutdown().await;
}

#[tokio::test]
async fn refused_requests_do_not_keep_the_victims_client_alive() {
    let mut config = Config {
        client_timeout_secs: 3,
        ..Config::default()
    };
    config.limits.new_client_timeout_secs = 3;
    let server = TestServer::start(config).await;
    let mut victim = FlexClient::new(server.url(AMF));
    victim.ping().await;
    let id = victim.ds_id.clone().expect("DSId");
    let mut attacker = FlexClient::new(server.url(AMF));
    attacker.ping().await;
    attacker.ds_id = Some(id.clone());
    // The cleaner runs every 5 s: the victim is gone within 3 + 5 s unless
    // the attacker's refused polls keep touching it.
    let gone = tokio::time::timeout(Duration::from_secs(15), async {
        loop {
            if server.running.broker().connection(&id).await.is_err() {
                return;
            }
            let r = attacker.send_one(poll()).await;
            match r.fault_code() {
                Some("Server.Processing.DuplicateSessionDetected") => {}
                // The victim's client expired just now: this poll made a
                // new one under the id, bound to the attacker's session.
                None if r.is_result() => return,
                other => panic!("unexpected {other:?}: {r:?}"),
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    })
    .await;
    assert!(gone.is_ok(), "the refused polls kept the victim alive");
    server.running.shutdown().await;
}

fn ping() -> Message {
    let mut ping = command(CommandOperation::ClientPing, "");
    ping.base_mut().headers.set(h::DS_MESSAGING_VERSION, 1.0);
    ping
}

#[tokio::test]
async fn new_flex_clients_are_limited_per_session_and_per_peer() {
    let server = TestServer::start(Config::default()).await;
    // 256 pings in one packet from one session: 60 clients, then refusals.
    let mut flood = FlexClient::new(server.url(AMF));
    let replies = flood.send(vec![ping(); 256]).await;
    let created = replies.iter().filter(|r| r.is_result()).count();
    assert_eq!(created, 60);
    assert!(replies
        .iter()
        .filter(|r| !r.is_result())
        .all(
            |r| r.fault_code() == Some("Server.Processing") && fault_string(r) == TOO_MANY_CLIENTS
        ));
    assert_eq!(connections(&server).await, 60);
    // Another session still gets a client.
    let mut other = FlexClient::new(server.url(AMF));
    other.ping().await;
    assert_eq!(connections(&server).await, 61);
    server.running.shutdown().await;

    // Per peer, across sessions.
    let mut config = Config::default();
    config.limits.new_clients_per_peer_per_minute = 100;
    let server = TestServer::start(config).await;
    let mut created = 0;
    for _ in 0..3 {
        let mut session = FlexClient::new(server.url(AMF));
        let replies = session.send(vec![ping(); 50]).await;
        created += replies.iter().filter(|r| r.is_result()).count();
    }
    assert_eq!(created, 100);
    assert_eq!(connections(&server).await, 100);
    server.running.shutdown().await;
}

#[tokio::test]
async fn oversized_ids_are_refused_before_a_client_exists() {
    let server = TestServer::start(Config::default()).await;
    let mut c = FlexClient::new(server.url(AMF));
    c.ds_id = Some("A".repeat(60_000));
    let r = c.send_one(ping()).await;
    assert_eq!(r.fault_code(), Some("Client.Message"), "{r:?}");
    let text = fault_string(&r);
    assert!(text.starts_with("DSId is 60000 bytes"), "{text}");
    assert!(text.len() < 200, "{text}");
    assert_eq!(connections(&server).await, 0);

    // A long destination is named and not echoed back.
    let mut c = FlexClient::new(server.url(AMF));
    c.ping().await;
    let long = "d".repeat(10_000);
    let r = c.send_one(subscribe(&long, "C", None, None)).await;
    assert_eq!(r.fault_code(), Some("Client.Message"));
    assert!(fault_string(&r).starts_with("destination is 10000 bytes"));
    assert_eq!(r.message.base().destination, None);
    server.running.shutdown().await;
}
