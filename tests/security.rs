//! Security over real HTTP: a DSId is bound to the HTTP session cookie it
//! was first used with, cookieless clients can still connect, and
//! credentials never reach the logs. (Secured destinations are covered in
//! tests/remoting.rs.)

mod common;

use common::logs::{capture_logs, captured};
use common::*;
use flexgate_amf::{Body, Header, Object, Packet, Str, Value, Version};
use flexgate_gateway::config::Config;
use flexgate_messages::headers as h;
use flexgate_messages::{registry, CommandOperation, Message};
use hyper::StatusCode;

const DUPLICATE_SESSION: &str = "Server.Processing.DuplicateSessionDetected";

fn poll() -> Message {
    command(CommandOperation::Poll, "")
}

#[tokio::test]
async fn another_session_cannot_use_a_client_id() {
    capture_logs();
    let server = TestServer::start(Config::default()).await;
    let mut victim = FlexClient::new(server.url(AMF));
    victim.ping().await;
    let cookie = victim.cookie.clone().expect("the ping reply sets a cookie");
    assert!(cookie.starts_with("FLEXGATE_SESSION="), "{cookie}");
    assert!(victim
        .send_one(subscribe("chat", "V", None, None))
        .await
        .is_result());
    let mut producer = FlexClient::new(server.url(AMF));
    producer.ping().await;
    producer
        .send_one(publish("chat", Value::from("private"), None))
        .await;

    // Knowing the DSId is not enough: without the cookie, or with another
    // session's, every use is refused and nothing is drained.
    let victim_id = victim.ds_id.clone().expect("DSId");
    let mut thief = FlexClient::new(server.url(AMF));
    thief.ds_id = Some(victim_id.clone());
    assert_eq!(
        thief.send_one(poll()).await.fault_code(),
        Some(DUPLICATE_SESSION)
    );
    let mut thief = FlexClient::new(server.url(AMF));
    thief.ping().await;
    assert_ne!(thief.cookie, victim.cookie);
    thief.ds_id = Some(victim_id.clone());
    assert_eq!(
        thief.send_one(poll()).await.fault_code(),
        Some(DUPLICATE_SESSION)
    );
    let disconnect = command(CommandOperation::Disconnect, "");
    assert_eq!(
        thief.send_one(disconnect).await.fault_code(),
        Some(DUPLICATE_SESSION)
    );

    // Nor can it open a stream for the victim (BlazeDS answers 400).
    let open = post_with_cookie(
        &format!("{}?command=open&version=1", server.url(STREAMING)),
        "application/x-www-form-urlencoded",
        format!("DSId={victim_id}").into_bytes(),
        thief.cookie.as_deref(),
    )
    .await;
    assert_eq!(open.status, StatusCode::BAD_REQUEST);

    // The victim still has its message.
    let got = polled(&victim.send_one(poll()).await);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].body(), &Value::from("private"));
    server.running.shutdown().await;
}

#[tokio::test]
async fn the_session_cookie_is_set_once_http_only() {
    capture_logs();
    let server = TestServer::start(Config::default()).await;
    // py3amf and other clients without a cookie jar: every ping works and
    // gets a cookie it may ignore.
    let mut ids = Vec::new();
    for _ in 0..2 {
        let r = post_with_cookie(
            &server.url(AMF),
            "application/x-amf",
            fixture("requests/ping.amf"),
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
        let set = r.set_cookie.expect("Set-Cookie on first contact");
        assert!(set.ends_with("; Path=/; HttpOnly; SameSite=Lax"), "{set}");
        let reply = Packet::decode(r.body, registry()).expect("decodes");
        let ack = Message::from_value(&reply.bodies[0].value).expect("a message");
        ids.push(
            ack.header(h::DS_ID)
                .and_then(Value::as_str)
                .map(str::to_owned),
        );
    }
    assert_ne!(ids[0], ids[1]);
    // A client that sends its cookie back is not given another.
    let mut c = FlexClient::new(server.url(AMF));
    c.ping().await;
    let r = post_with_cookie(
        &server.url(AMF),
        "application/x-amf",
        fixture("requests/ping.amf"),
        c.cookie.as_deref(),
    )
    .await;
    assert_eq!(r.set_cookie, None);
    server.running.shutdown().await;
}

#[tokio::test]
async fn binding_can_be_turned_off_for_cookieless_clients() {
    capture_logs();
    let mut config = Config::default();
    config.session.bind_clients = false;
    let server = TestServer::start(config).await;
    let mut first = FlexClient::new(server.url(AMF));
    first.ping().await;
    // Subscribed, so that the poll below has something to answer for.
    let subscribed = first.send_one(subscribe("chat", "C", None, None)).await;
    assert!(subscribed.is_result(), "{subscribed:?}");
    let mut cookieless = FlexClient::new(server.url(AMF));
    cookieless.ds_id = first.ds_id.clone();
    let r = cookieless.send_one(poll()).await;
    assert!(r.is_result(), "{r:?}");
    server.running.shutdown().await;
}

// ----- logs -----

#[tokio::test]
async fn credentials_never_reach_the_logs() {
    let logs = capture_logs();
    const PASSWORD: &str = "Pa55-w0rd-XYZZY";
    const WRONG: &str = "Wr0ng-PLUGH";
    let mut config = Config::default();
    add_user(&mut config, "carol", PASSWORD, &["staff"]);
    add_secured_destination(&mut config, "secret", &["staff"]);
    let server = TestServer::start(config).await;

    // Flex ChannelSet.login, wrong then right, then a secured subscribe.
    let mut c = FlexClient::new(server.url(AMF));
    c.ping().await;
    for (password, ok) in [(WRONG, false), (PASSWORD, true)] {
        let login = login("carol", password);
        assert_eq!(c.send_one(login).await.is_result(), ok);
    }
    assert!(c
        .send_one(subscribe("secret", "S", None, None))
        .await
        .is_result());

    // A legacy NetConnection call with a Credentials header.
    for password in [WRONG, PASSWORD] {
        let packet = Packet {
            version: Version::Amf0,
            headers: vec![Header {
                name: "Credentials".into(),
                must_understand: false,
                value: Value::object(Object::anonymous([
                    ("userid", Value::from("carol")),
                    ("password", Value::from(password)),
                ])),
            }],
            bodies: vec![Body {
                target: Str::from("EchoService.echo"),
                response: Str::from("/1"),
                value: Value::array(vec![Value::from("x")]),
            }],
        };
        exchange(&server.url(AMF), &packet).await;
    }
    server.running.shutdown().await;

    let text = captured(&logs);
    // The capture works: the login itself is logged, by user name.
    assert!(text.contains("login") && text.contains("carol"), "{text}");
    for secret in [
        PASSWORD.to_owned(),
        WRONG.to_owned(),
        base64(format!("carol:{PASSWORD}").as_bytes()),
        base64(format!("carol:{WRONG}").as_bytes()),
    ] {
        assert!(!text.contains(&secret), "{secret} was logged:\n{text}");
    }
}

#[tokio::test]
async fn the_redis_password_is_never_printed() {
    const SECRET: &str = "Hunter2-Secret";
    let logs = capture_logs();
    let mut config = Config::default();
    // Nothing listens on port 1: the store cannot be opened.
    config.store = flexgate_gateway::config::StoreConfig::Redis {
        url: format!("redis://flex:{SECRET}@127.0.0.1:1/0"),
        prefix: "flexgate-test-redact:".into(),
    };
    let printed_config = format!("{config:?}");
    let Err(e) = flexgate_gateway::Gateway::new(config).start().await else {
        panic!("started without a Redis server");
    };
    let text = format!("{e}\n{e:?}\n{printed_config}");
    assert!(text.contains("redis://flex:***@127.0.0.1:1/0"), "{text}");
    let logged = captured(&logs);
    assert!(!text.contains(SECRET), "{text}");
    assert!(!logged.contains(SECRET), "{logged}");
}

#[tokio::test]
async fn peer_supplied_text_cannot_forge_log_lines() {
    let logs = capture_logs();
    let server = TestServer::start(Config::default()).await;
    let mut c = FlexClient::new(server.url(AMF));
    c.ping().await;
    let forged = "chat\n2026-01-01T00:00:00Z ERROR forged: admin logged in\r\u{1b}[2K";
    let reply = c.send_one(subscribe(forged, "S", None, None)).await;
    assert_eq!(reply.fault_code(), Some("Server.Processing"), "{reply:?}");
    server.running.shutdown().await;
    let text = captured(&logs);
    // The fault was logged, escaped, on one line.
    assert!(
        text.contains("chat\\n2026-01-01T00:00:00Z ERROR forged: admin logged in\\r\\u{1b}[2K"),
        "{text}"
    );
    for line in text.lines() {
        assert!(
            !line.starts_with("2026-01-01T00:00:00Z"),
            "forged line: {line}"
        );
        assert!(!line.contains('\u{1b}') && !line.contains('\r'), "{line:?}");
    }
}
