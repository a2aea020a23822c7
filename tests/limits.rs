//! Each configurable limit over real HTTP: long-poll slots per client and
//! per server, subscriptions per client, queued messages per client, open
//! TCP connections, Flex clients, bodies and items per packet, the
//! request-head deadline, the decoding allocation budget. (The request-body
//! deadlines: tests/body_limits.rs. Body size and depth:
//! tests/remoting.rs `http_errors_and_the_server_keeps_serving`.)

mod common;

use common::raw::status_line;
use common::*;
use flexgate_amf::Value;
use flexgate_gateway::config::Config;
use flexgate_messages::headers as h;
use flexgate_messages::{CommandOperation, Message};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn poll() -> Message {
    command(CommandOperation::Poll, "")
}

#[tokio::test]
async fn waiting_polls_are_limited_per_client_and_per_server() {
    let mut config = Config::default();
    let channel = config
        .channels
        .get_mut("my-longpolling-amf")
        .expect("demo channel");
    channel.max_waiting_polls = 1;
    channel.max_waiting_polls_per_client = 1;
    channel.busy_poll_wait_ms = 4321;
    let server = TestServer::start(config).await;
    let running = &server.running;

    let mut a = FlexClient::subscribed(server.url(LONG_POLLING), "chat", "A").await;
    let mut parked = a.same_session(server.url(LONG_POLLING));
    let parked = tokio::spawn(async move { parked.send_one(poll()).await });
    until("A's first poll parks", || running.waiting_polls() == 1).await;

    // A second poll of the same client answers at once, telling the client
    // not to poll again (BlazeDS's DSNoOpPoll).
    let second = a.send_one(poll()).await;
    assert_eq!(
        second.message.header(h::DS_NO_OP_POLL),
        Some(&Value::Bool(true)),
        "{second:?}"
    );

    // Another client finds the server full: answered at once with DSPollWait.
    let mut b = FlexClient::subscribed(server.url(LONG_POLLING), "chat", "B").await;
    let busy = b.send_one(poll()).await;
    assert!(busy.is_result(), "{busy:?}");
    assert_eq!(
        busy.message.header(h::DS_POLL_WAIT).and_then(Value::as_f64),
        Some(4321.0)
    );

    // The parked poll still gets what is published.
    let mut producer = FlexClient::new(server.url(AMF));
    producer.ping().await;
    producer
        .send_one(publish("chat", Value::from("hi"), None))
        .await;
    let got = parked.await.expect("poll task");
    assert_eq!(polled(&got)[0].body(), &Value::from("hi"));
    server.running.shutdown().await;
}

#[tokio::test]
async fn subscriptions_per_client_are_limited() {
    let mut config = Config::default();
    config.limits.max_subscriptions_per_client = 2;
    let server = TestServer::start(config).await;
    let mut c = FlexClient::new(server.url(AMF));
    c.ping().await;
    for st in ["a", "b"] {
        let r = c.send_one(subscribe("chat", "C1", Some(st), None)).await;
        assert!(r.is_result(), "{r:?}");
    }
    let third = c.send_one(subscribe("chat", "C2", Some("c"), None)).await;
    assert_eq!(third.fault_code(), Some("Server.Processing"), "{third:?}");

    // Subscribing again to what is held is not a new subscription.
    let again = c.send_one(subscribe("chat", "C1", Some("a"), None)).await;
    assert!(again.is_result(), "{again:?}");

    // A MultiTopicConsumer adding past the limit is refused whole.
    let mut multi = command(CommandOperation::MultiSubscribe, "chat");
    multi.base_mut().client_id = Some("C3".into());
    multi
        .base_mut()
        .headers
        .set(h::DS_ADD_SUB, Value::array(vec![Value::from("x_;_")]));
    assert_eq!(
        c.send_one(multi).await.fault_code(),
        Some("Server.Processing")
    );

    // Unsubscribing frees a place.
    let un = c.send_one(unsubscribe("chat", "C1", Some("a"))).await;
    assert!(un.is_result(), "{un:?}");
    let now = c.send_one(subscribe("chat", "C2", Some("c"), None)).await;
    assert!(now.is_result(), "{now:?}");
    server.running.shutdown().await;
}

#[tokio::test]
async fn queued_messages_beyond_the_limit_wait_for_the_next_poll() {
    let mut config = Config::default();
    config.limits.max_queued_messages_per_client = 3;
    let server = TestServer::start(config).await;
    let mut consumer = FlexClient::subscribed(server.url(AMF), "chat", "C").await;
    let mut producer = FlexClient::new(server.url(AMF));
    producer.ping().await;
    for i in 1..=5 {
        let ack = producer
            .send_one(publish("chat", Value::from(i), None))
            .await;
        assert!(ack.is_result(), "{ack:?}");
    }
    let mut got: Vec<Vec<Value>> = Vec::new();
    for _ in 0..2 {
        got.push(
            polled(&consumer.send_one(poll()).await)
                .iter()
                .map(|m| m.body().clone())
                .collect(),
        );
    }
    // The oldest first, none dropped: the rest comes with the next poll.
    assert_eq!(
        got,
        [vec![1, 2, 3], vec![4, 5]].map(|l| l.into_iter().map(Value::from).collect::<Vec<_>>())
    );
    server.running.shutdown().await;
}

#[tokio::test]
async fn a_long_polling_consumer_receives_2500_queued_messages_in_order() {
    let mut config = Config::default();
    config.limits.max_queued_messages_per_client = 1_000;
    let server = TestServer::start(config).await;
    let mut consumer = FlexClient::subscribed(server.url(LONG_POLLING), "chat", "C").await;
    let mut producer = FlexClient::new(server.url(AMF));
    producer.ping().await;
    // 250 publishes per packet (max_bodies is 256).
    for batch in 0..10 {
        let publishes = (0..250)
            .map(|i| publish("chat", Value::from(batch * 250 + i), None))
            .collect();
        let acks = producer.send(publishes).await;
        assert!(acks.iter().all(Reply::is_result), "batch {batch}");
    }
    let mut got: Vec<Value> = Vec::new();
    let mut replies = Vec::new();
    while got.len() < 2_500 {
        let reply = consumer.send_one(poll()).await;
        let messages = polled(&reply);
        assert!(
            !messages.is_empty(),
            "a long poll with messages queued came back empty"
        );
        replies.push(messages.len());
        got.extend(messages.iter().map(|m| m.body().clone()));
    }
    // At most the budget per reply, the oldest first, nothing lost or repeated.
    assert_eq!(replies, [1_000, 1_000, 500]);
    assert_eq!(got, (0..2_500).map(Value::from).collect::<Vec<_>>());
    server.running.shutdown().await;
}

#[tokio::test]
async fn a_dense_body_past_the_allocation_budget_is_refused_and_the_budget_is_configurable() {
    // 400,000 one-byte nulls in one array: about 400 KB, well under
    // max_body_bytes, but 40 bytes of decoded value each (16 MB), past the
    // default budget of 16 bytes per body byte + 1 MiB (7.4 MB).
    let bomb = flexgate_amf::Packet {
        version: flexgate_amf::Version::Amf3,
        headers: Vec::new(),
        bodies: vec![flexgate_amf::Body {
            target: "EchoService.echo".into(),
            response: "/1".into(),
            value: Value::array(vec![Value::array(vec![Value::Null; 400_000])]),
        }],
    }
    .encode_request()
    .expect("encodes");
    assert!(bomb.len() < 500_000, "{} bytes", bomb.len());

    let server = TestServer::start(Config::default()).await;
    let url = server.url(AMF);
    // The envelope is readable: the body is answered with a fault.
    let (s, _, body) = post(&url, "application/x-amf", bomb.clone()).await;
    assert_eq!(s, hyper::StatusCode::OK);
    let (target, code, text) = first_fault(body);
    assert_eq!(target, "/1/onStatus");
    assert_eq!(code.as_deref(), Some("Client.Message.Encoding"));
    assert!(
        text.as_deref()
            .is_some_and(|f| f.contains("decoded values would take more than")),
        "{text:?}"
    );
    // The server keeps serving.
    FlexClient::new(url).ping().await;
    server.running.shutdown().await;

    // With 64 bytes per body byte the same body decodes and is echoed.
    let mut config = Config::default();
    config.limits.alloc_per_byte = 64;
    let server = TestServer::start(config).await;
    let (s, _, body) = post(&server.url(AMF), "application/x-amf", bomb.clone()).await;
    assert_eq!(s, hyper::StatusCode::OK, "{body:?}");
    server.running.shutdown().await;

    // And a larger allowance alone admits it too.
    let config = Config::parse("[limits]\nalloc_allowance_bytes = 33554432\n").expect("parses");
    assert_eq!(config.limits.alloc_per_byte, 16);
    let server = TestServer::start(config).await;
    let (s, _, body) = post(&server.url(AMF), "application/x-amf", bomb).await;
    assert_eq!(s, hyper::StatusCode::OK, "{body:?}");
    server.running.shutdown().await;
}

#[tokio::test]
async fn open_connections_are_limited() {
    let mut config = Config::default();
    config.limits.max_connections = 2;
    let server = TestServer::start(config).await;
    let addr = server.running.local_addr();
    // Two idle connections take both slots (accepted in connect order).
    let first = TcpStream::connect(addr).await.expect("connects");
    let _second = TcpStream::connect(addr).await.expect("connects");
    assert_eq!(status_line(addr).await, "HTTP/1.1 503 Service Unavailable");
    // Closing one frees its slot once the server sees the close.
    drop(first);
    let mut line = String::new();
    let freed = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        loop {
            line = status_line(addr).await;
            if !line.contains("503") {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    })
    .await;
    assert!(freed.is_ok(), "the slot was never freed");
    assert_eq!(line, "HTTP/1.1 405 Method Not Allowed");
    server.running.shutdown().await;
}

#[tokio::test]
async fn bodies_per_packet_and_items_per_collection_are_limited() {
    let mut config = Config::default();
    config.limits.max_bodies = 2;
    config.limits.max_items = 10;
    let server = TestServer::start(config).await;
    let packet = |bodies: usize, items: usize| {
        let body = |n: usize| flexgate_amf::Body {
            target: "EchoService.echo".into(),
            response: format!("/{n}").into(),
            value: Value::array(vec![Value::array(vec![Value::Null; items])]),
        };
        flexgate_amf::Packet {
            version: flexgate_amf::Version::Amf3,
            headers: Vec::new(),
            bodies: (1..=bodies).map(body).collect(),
        }
        .encode_request()
        .expect("encodes")
    };
    let url = server.url(AMF);
    let (s, _, _) = post(&url, "application/x-amf", packet(2, 10)).await;
    assert_eq!(s, hyper::StatusCode::OK);
    let (s, _, body) = post(&url, "application/x-amf", packet(3, 1)).await;
    assert_eq!(s, hyper::StatusCode::BAD_REQUEST);
    assert!(
        String::from_utf8_lossy(&body).contains("3 bodies"),
        "{body:?}"
    );
    // Too many items is the body's problem: it gets a fault.
    let (s, _, body) = post(&url, "application/x-amf", packet(1, 11)).await;
    assert_eq!(s, hyper::StatusCode::OK);
    let (target, code, text) = first_fault(body);
    assert_eq!(target, "/1/onStatus");
    assert_eq!(code.as_deref(), Some("Client.Message.Encoding"));
    assert!(
        text.as_deref().is_some_and(|f| f.contains("11")),
        "{text:?}"
    );
    server.running.shutdown().await;
}

#[tokio::test]
async fn a_peer_that_never_finishes_its_request_head_is_closed() {
    let mut config = Config::default();
    config.limits.header_read_timeout_secs = 1;
    let server = TestServer::start(config).await;
    let mut slow = TcpStream::connect(server.running.local_addr())
        .await
        .expect("connects");
    slow.write_all(b"POST /messagebroker/amf HTTP/1.1\r\nHost: x\r\n")
        .await
        .expect("half a request head");
    // The server gives up on the head and closes the socket (hyper may first
    // answer 408); reading then ends. The outer timeout only stops a hang.
    let mut seen = Vec::new();
    let closed = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        slow.read_to_end(&mut seen),
    )
    .await;
    assert!(
        matches!(closed, Ok(Ok(_))),
        "the connection was not closed: {closed:?}"
    );
    let text = String::from_utf8_lossy(&seen);
    assert!(
        seen.is_empty() || text.starts_with("HTTP/1.1 408"),
        "{text}"
    );
    server.running.shutdown().await;
}

#[tokio::test]
async fn flex_clients_are_limited() {
    let mut config = Config::default();
    config.limits.max_clients = 2;
    let server = TestServer::start(config).await;
    let mut first = FlexClient::new(server.url(AMF));
    first.ping().await;
    let mut second = FlexClient::new(server.url(AMF));
    second.ping().await;
    let mut third = FlexClient::new(server.url(AMF));
    let mut ping = command(CommandOperation::ClientPing, "");
    ping.base_mut().headers.set(h::DS_MESSAGING_VERSION, 1.0);
    let refused = third.send_one(ping.clone()).await;
    assert_eq!(
        refused.fault_code(),
        Some("Server.Processing"),
        "{refused:?}"
    );
    // Known clients keep working; a disconnect frees a place.
    assert!(first
        .send_one(subscribe("chat", "FIRST", None, None))
        .await
        .is_result());
    assert!(second
        .send_one(command(CommandOperation::Disconnect, ""))
        .await
        .is_result());
    third.ping().await;
    assert!(third.ds_id.is_some());
    server.running.shutdown().await;
}
