//! The cases with more than one browser session or a held response:
//! `two_sessions_one_dsid`, and push/ (a long poll that waits, a stream).

use super::common::{until, TestServer, AMF, LONG_POLLING};
use super::reference_config;
use super::replay::{run, step, Browser, Step};
use super::shape::{BodyValue, HttpShape, MessageShape};

/// docs/protocol.md: a DSId presented from a second HTTP session is
/// refused on every request, the first session keeps it, and the fault
/// names no session ids (BlazeDS's names both JSESSIONIDs).
const OWNER_KEEPS_SESSION: &str = "a DSId from a second session: refused, owner kept";
const DUPLICATE: &str = "Server.Processing.DuplicateSessionDetected";
const BOUND_ELSEWHERE: &str = "A request for Flex client 'D00F2752-0000-4000-8000-000000000008' \
     arrived over another HTTP session than the one it is bound to.";

/// Runs `step` in `browser`, collecting a mismatch.
async fn check(
    server: &TestServer,
    case: &str,
    step: &Step,
    browser: &mut Browser,
    problems: &mut Vec<String>,
) {
    if let (Some(p), _) = run(server, case, step, browser).await {
        problems.push(p);
    }
}

fn assert_none(problems: &[String]) {
    assert!(
        problems.is_empty(),
        "{} steps differ:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// Session A pings with DSId X and subscribes; session B (no cookie) pings
/// with X, echoes and polls; then A polls. BlazeDS's replies show that
/// order: B's ping invalidated A's session, so A's poll comes with a new
/// cookie and the duplicate-session fault.
#[tokio::test]
async fn two_sessions_one_dsid() {
    let case = "two_sessions_one_dsid";
    let server = TestServer::start(reference_config()).await;
    let (mut a, mut b) = (Browser::default(), Browser::default());
    let mut problems = Vec::new();
    for name in ["A1_ping", "A2_subscribe"] {
        check(&server, case, &step(name, AMF), &mut a, &mut problems).await;
    }
    let refused = |s: &mut HttpShape| {
        s.body(0).expect("a body").target = "/1/onStatus".into();
        let m = s.message(0);
        m.fault(DUPLICATE, BOUND_ELSEWHERE);
        m.body = BodyValue::Null;
    };
    let b_steps = [
        step("B1_ping_same_dsid", AMF).differs(OWNER_KEEPS_SESSION, refused),
        step("B2_echo_same_dsid", AMF).differs(OWNER_KEEPS_SESSION, move |s| {
            refused(s);
            let m = s.message(0);
            m.destination = Some("EchoService".into());
            // Refused before its Flex client is set up: no clientId given.
            m.client_id = false;
        }),
        step("B3_poll_same_dsid", AMF).differs(OWNER_KEEPS_SESSION, refused),
    ];
    for s in &b_steps {
        check(&server, case, s, &mut b, &mut problems).await;
    }
    // A's session was not invalidated: its poll is answered (nothing queued).
    let a3 = step("A3_poll", AMF).differs(OWNER_KEEPS_SESSION, |s| {
        s.sets_cookie = false;
        s.body(0).expect("a body").target = "/1/onResult".into();
        *s.message(0) = MessageShape {
            class: "DSK".into(),
            operation: None,
            fault_code: None,
            fault_string: None,
            fault_detail: None,
            headers: Vec::new(),
            client_id: true,
            correlation_id: true,
            destination: None,
            time_to_live: 0,
            body: BodyValue::Null,
        };
    });
    check(&server, case, &a3, &mut a, &mut problems).await;
    server.running.shutdown().await;
    assert_none(&problems);
}

/// push/longpoll_*: over my-longpolling-amf, a poll parked until another
/// client publishes, a poll that finds a message queued, and one that waits
/// out the wait interval (30 s in the reference, 2 s here) for nothing.
#[tokio::test]
async fn push_long_poll() {
    let case = "push";
    let server = TestServer::start(reference_config()).await;
    let mut browser = Browser::default();
    let mut problems = Vec::new();
    for name in ["longpoll_1_ping", "longpoll_2_subscribe"] {
        check(
            &server,
            case,
            &step(name, LONG_POLLING),
            &mut browser,
            &mut problems,
        )
        .await;
    }
    // The publishes come from another Flash Player: its own session and DSId.
    let mut other = Browser::default();
    let mut parked = Browser {
        cookie: browser.cookie.clone(),
    };
    let poll = step("longpoll_4_parked_poll", LONG_POLLING);
    let parked_server = &server;
    let waiting = async { run(parked_server, case, &poll, &mut parked).await.0 };
    let publishing = async {
        until("the poll parks", || server.running.waiting_polls() == 1).await;
        let mut p = Vec::new();
        let s = step("longpoll_3_publish_other_sess", AMF);
        check(&server, case, &s, &mut other, &mut p).await;
        p
    };
    let (poll_problem, publish_problems) = tokio::join!(waiting, publishing);
    problems.extend(poll_problem);
    problems.extend(publish_problems);
    let s5 = step("longpoll_5_publish_again", AMF);
    check(&server, case, &s5, &mut other, &mut problems).await;
    for name in ["longpoll_6_poll_with_queued", "longpoll_7_poll_nothing_30s"] {
        let s = step(name, LONG_POLLING).differs(CORRELATED, |s| {
            if s.message(0).class == "DSK" {
                let m = s.message(0);
                (m.client_id, m.correlation_id) = (true, true);
            }
        });
        check(&server, case, &s, &mut browser, &mut problems).await;
    }
    server.running.shutdown().await;
    assert_none(&problems);
}

/// As messaging_flow/07: an empty poll's ack is correlated.
const CORRELATED: &str = "every ack correlated, with the client's id";

/// push/stream_*: a Flash Player (`User-Agent: Shockwave Flash`) opens a
/// stream on my-streaming-amf; the first chunk is a DSK whose
/// correlationId is `open` and whose body is the stream id, then a pushed
/// message in small form (DSA) with its subtopic header and TTL.
#[tokio::test]
async fn push_stream() {
    use super::common::stream::{open_request, StreamReader};
    use super::common::{publish, subscribe, FlexClient, STREAMING};
    use flexgate_amf::Value;
    use flexgate_messages::Message;

    let server = TestServer::start(reference_config()).await;
    let mut c = FlexClient::new(server.url(STREAMING));
    c.ping().await;
    let consumer = "C00F28D0-0000-4000-8000-0000000005E1";
    let r = c
        .send_one(subscribe("chat", consumer, Some("room.st"), None))
        .await;
    assert!(r.is_result(), "{r:?}");
    let res = open_request(&server.url(STREAMING), &c, Some("Shockwave Flash")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/x-amf");
    let mut stream = StreamReader::new(res.into_body());
    let class = |v: &Value| match v {
        Value::External(e) => e.class_name().to_owned(),
        other => format!("{other:?}"),
    };
    let open = stream.next_value().await.expect("the open ack");
    assert_eq!(class(&open), "DSK");
    let open = Message::from_value(&open).expect("a message");
    assert_eq!(open.correlation_id(), Some("open"));
    assert!(
        open.body().as_str().is_some_and(|id| !id.is_empty()),
        "{open:?}"
    );

    let mut producer = FlexClient::new(server.url(AMF));
    producer.ping().await;
    let text = Value::object(flexgate_amf::Object::anonymous([(
        "text",
        Value::from("pushed"),
    )]));
    let r = producer
        .send_one(publish("chat", text, Some("room.st")))
        .await;
    assert!(r.is_result(), "{r:?}");
    let pushed = stream.next_value().await.expect("the pushed message");
    assert_eq!(class(&pushed), "DSA");
    let pushed = Message::from_value(&pushed).expect("a message");
    assert_eq!(pushed.destination(), Some("chat"));
    assert_eq!(pushed.client_id(), Some(consumer));
    assert_eq!(
        pushed.header("DSSubtopic").and_then(Value::as_str),
        Some("room.st")
    );
    assert_eq!(pushed.base().time_to_live, 60_000);
    server.running.shutdown().await;
}
