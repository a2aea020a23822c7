//! The streaming AMF channel over real HTTP: open, receive pushes as they
//! are published, heartbeats, close.

mod common;

use common::stream::open_stream;
use common::*;
use flexgate_amf::Value;
use flexgate_gateway::config::Config;
use hyper::StatusCode;
use std::time::Duration;

#[tokio::test]
async fn streaming_client_receives_pushes_and_heartbeats() {
    let mut config = Config::default();
    config
        .channels
        .get_mut("my-streaming-amf")
        .expect("demo channel")
        .heartbeat_ms = 100;
    let server = TestServer::start(config).await;
    let url = server.url(STREAMING);
    let mut consumer = FlexClient::subscribed(url.clone(), "chat", "STREAMER").await;
    let ds_id = consumer.ds_id.clone().expect("DSId");

    let mut stream = open_stream(&url, &consumer).await;
    let open = tokio::time::timeout(Duration::from_secs(5), stream.next_message())
        .await
        .expect("open ack in time")
        .expect("open ack");
    assert_eq!(open.correlation_id(), Some("open"));
    let stream_id = open.body().as_str().expect("stream id").to_owned();

    let mut producer = FlexClient::new(server.url(AMF));
    producer.ping().await;
    for i in 0..3 {
        assert!(producer
            .send_one(publish("chat", Value::from(i), None))
            .await
            .is_result());
    }
    for i in 0..3 {
        let m = tokio::time::timeout(Duration::from_secs(5), stream.next_message())
            .await
            .expect("push in time")
            .expect("a push");
        assert_eq!(m.body(), &Value::from(i));
        assert_eq!(m.client_id(), Some("STREAMER"));
    }
    // Quiet for a while: heartbeats keep the stream alive.
    tokio::time::sleep(Duration::from_millis(350)).await;
    producer
        .send_one(publish("chat", Value::from("after"), None))
        .await;
    let m = stream.next_message().await.expect("a push after the pause");
    assert_eq!(m.body(), &Value::from("after"));
    assert!(stream.heartbeats >= 1, "no heartbeat in 350 ms at 100 ms");

    // Polling a streaming endpoint is refused as BlazeDS refuses it.
    let poll = consumer
        .send_one(command(flexgate_messages::CommandOperation::Poll, ""))
        .await;
    assert_eq!(poll.fault_code(), Some("Server.PollNotSupported"));

    // Close ends the stream.
    let close = format!("{url}?command=close&streamId={stream_id}&version=1");
    let (status, _, _) = post(
        &close,
        "application/x-www-form-urlencoded",
        format!("DSId={ds_id}").into_bytes(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let end = tokio::time::timeout(Duration::from_secs(5), stream.next_message()).await;
    assert!(matches!(end, Ok(None)), "the stream ends after close");
    server.running.shutdown().await;
}

#[tokio::test]
async fn stream_open_needs_a_known_client() {
    let server = TestServer::start(Config::default()).await;
    let url = server.url(STREAMING);
    let (status, _, _) = post(
        &format!("{url}?command=open&version=1"),
        "application/x-www-form-urlencoded",
        b"DSId=NOPE".to_vec(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, _) = post(
        &format!("{url}?command=open&version=1"),
        "application/x-www-form-urlencoded",
        Vec::new(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, _) = post(
        &format!("{}?command=open", server.url(AMF)),
        "application/x-www-form-urlencoded",
        Vec::new(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    server.running.shutdown().await;
}

#[tokio::test]
async fn a_slow_stream_reader_does_not_block_publishers() {
    let server = TestServer::start(Config::default()).await;
    let url = server.url(STREAMING);
    let consumer = FlexClient::subscribed(url.clone(), "chat", "SLOW").await;
    let mut stream = open_stream(&url, &consumer).await;
    let open = stream.next_message().await.expect("open ack");
    assert_eq!(open.correlation_id(), Some("open"));

    // The reader now stops reading while far more than the socket buffers
    // and the per-stream queue hold is published: every publish must still
    // be acknowledged (a blocked publisher would hang here).
    const COUNT: usize = 200;
    let filler = "x".repeat(64 * 1024);
    let mut producer = FlexClient::new(server.url(AMF));
    producer.ping().await;
    let published = tokio::time::timeout(Duration::from_secs(60), async {
        for i in 0..COUNT {
            let body = Value::array(vec![Value::from(i as i32), Value::from(filler.as_str())]);
            let ack = producer.send_one(publish("chat", body, None)).await;
            assert!(ack.is_result(), "{ack:?}");
        }
    })
    .await;
    assert!(
        published.is_ok(),
        "a publisher was blocked by a slow reader"
    );

    // Then the reader catches up and gets every message, in order.
    for i in 0..COUNT {
        let m = stream.next_message().await.expect("a pushed message");
        let first = m.body().as_array().and_then(|a| a.dense.first().cloned());
        assert_eq!(first, Some(Value::from(i as i32)));
    }
    server.running.shutdown().await;
}

/// What BlazeDS sends Internet Explorer first: one chunk of NUL bytes,
/// 2048 bytes with its framing, then the stream as usual.
#[tokio::test]
async fn internet_explorer_gets_kick_start_padding_first() {
    let server = TestServer::start(Config::default()).await;
    let url = server.url(STREAMING);
    let mut client = FlexClient::new(url.clone());
    client.ping().await;
    let ie = "Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1; Trident/4.0)";
    let res = common::stream::open_request(&url, &client, Some(ie)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let mut body = res.into_body();
    let bytes = tokio::time::timeout(
        Duration::from_secs(5),
        common::stream::read_at_least(&mut body, 2048 + 8),
    )
    .await
    .expect("padding and the open ack in time");
    assert_eq!(&bytes[..5], b"7f9\r\n");
    assert!(bytes[5..2046].iter().all(|&b| b == 0), "NUL padding");
    assert_eq!(&bytes[2046..2048], b"\r\n");
    // Then the open acknowledgement's chunk, as without padding.
    let rest = std::str::from_utf8(&bytes[2048..2052]).unwrap_or_default();
    assert!(rest.contains("\r\n"), "a chunk header follows: {rest:?}");
    assert_ne!(bytes[2048], 0);
    drop(body);

    // A Flash Player's own user agent gets none.
    let mut other = FlexClient::new(url.clone());
    other.ping().await;
    let res = common::stream::open_request(&url, &other, Some("Shockwave Flash")).await;
    let mut body = res.into_body();
    let bytes = common::stream::read_at_least(&mut body, 1).await;
    assert_ne!(bytes.first(), Some(&b'7'), "no padding chunk");
    assert_ne!(bytes.first(), Some(&0));
    server.running.shutdown().await;
}

/// BlazeDS keeps a Flex client's stream and refuses a second one with 400.
#[tokio::test]
async fn a_second_stream_for_one_client_is_refused() {
    let server = TestServer::start(Config::default()).await;
    let url = server.url(STREAMING);
    let consumer = FlexClient::subscribed(url.clone(), "chat", "TWICE").await;
    let mut stream = open_stream(&url, &consumer).await;
    let open = stream.next_message().await.expect("open ack");
    assert_eq!(open.correlation_id(), Some("open"));

    let second = common::stream::open_request(&url, &consumer, None).await;
    assert_eq!(second.status(), StatusCode::BAD_REQUEST);

    // The first stream still delivers.
    let mut producer = FlexClient::new(server.url(AMF));
    producer.ping().await;
    assert!(producer
        .send_one(publish("chat", Value::from("still here"), None))
        .await
        .is_result());
    let m = tokio::time::timeout(Duration::from_secs(5), stream.next_message())
        .await
        .expect("push in time")
        .expect("a push");
    assert_eq!(m.body(), &Value::from("still here"));
    drop(stream);
    server.running.shutdown().await;
}
