//! A NATS link in JetStream mode loses nothing that was acknowledged
//! (docs/brokers.md, issue #17): messages a JetStream publisher got a
//! PubAck for reach a long-polling Flex Consumer even though the server is
//! SIGKILLed and restarted in between (at-least-once: duplicates are
//! counted, never a missing one); a Flex Producer's message sent while the
//! server is down gets a fault, and one sent while it comes back is
//! PubAcked and in the stream; a message the store refuses for good is
//! terminated, not redelivered, and the next one is delivered; one that
//! arrives while the store (Redis) is down is delivered again until the
//! store takes it.
//!
//! Each test runs its own `nats-server -js` (SIGKILLed to crash it);
//! without the binary they are ignored, and under `CI=true` they fail.

mod common;

use common::{polled, publish, subscribe, FlexClient, Reply, TestServer, AMF, LONG_POLLING};
use flexgate_amf::Value;
use flexgate_gateway::config::{Config, DestinationConfig, NatsLinkConfig, StoreConfig};
use flexgate_gateway::{LinkRow, LinkState};
use flexgate_messages::CommandOperation;
use flexgate_testkit::nats_server::{NatsServer, StoreDir};
use flexgate_testkit::ports::restartable_port;
use flexgate_testkit::redis::RedisServer;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

const STREAM: &str = "PRICES";
const SUBJECT: &str = "prices.>";
/// Where the publisher publishes: the subtopic `eu` of the destination.
const PUBLISHED_ON: &str = "prices.eu";
/// The consumer the gateway names after destination `prices`.
const CONSUMER: &str = "flexgate_prices";

/// A private JetStream server on `port` keeping its store in `store`
/// (started off the runtime: the start waits synchronously).
async fn nats_on(port: u16, store: &StoreDir) -> NatsServer {
    let dir = store.path().to_owned();
    tokio::task::spawn_blocking(move || NatsServer::start(port, &dir))
        .await
        .expect("nats start task")
        .unwrap_or_else(|e| panic!("{e}"))
}

async fn kill(mut server: NatsServer) {
    tokio::task::spawn_blocking(move || server.kill())
        .await
        .expect("nats kill task");
}

/// A gateway whose destination `prices` (retaining at most
/// `max_retained_bytes`) is bridged to the stream.
async fn gateway(url: &str, max_retained_bytes: Option<usize>) -> TestServer {
    gateway_on(Config::default(), url, max_retained_bytes).await
}

/// [`gateway`] with `config`'s other settings (its store).
async fn gateway_on(
    mut config: Config,
    url: &str,
    max_retained_bytes: Option<usize>,
) -> TestServer {
    let mut messaging = DestinationConfig::default().messaging;
    if let Some(max) = max_retained_bytes {
        messaging = messaging.max_retained_bytes(max);
    }
    let dest = DestinationConfig {
        nats: Some(NatsLinkConfig {
            url: url.to_owned(),
            subject: SUBJECT.into(),
            stream: Some(STREAM.into()),
        }),
        messaging,
        ..DestinationConfig::default()
    };
    config.destinations.insert("prices".into(), dest);
    TestServer::start(config).await
}

/// The link's row once `ready` holds for it (fails after 30 s).
async fn link_when(server: &TestServer, what: &str, ready: impl Fn(&LinkRow) -> bool) -> LinkRow {
    let waited = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            let s = server.running.snapshot().await;
            if let Some(row) = s.links.into_iter().find(&ready) {
                return row;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    waited.unwrap_or_else(|_| panic!("the link never was {what}"))
}

/// A publisher that reconnects quickly and gives up on a PubAck after 1 s.
async fn publisher(url: &str) -> async_nats::jetstream::Context {
    let client = async_nats::ConnectOptions::new()
        .retry_on_initial_connect()
        .reconnect_delay_callback(|_| Duration::from_millis(100))
        .connect(url)
        .await
        .expect("the publisher connects");
    async_nats::jetstream::ContextBuilder::new()
        .timeout(Duration::from_secs(1))
        .build(client)
}

/// Waits until the gateway has created the stream and its consumer.
async fn consumer_ready(js: &async_nats::jetstream::Context) {
    let ready = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            if let Ok(stream) = js.get_stream(STREAM).await {
                if stream.consumer_info(CONSUMER).await.is_ok() {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    assert!(
        ready.is_ok(),
        "the gateway never created {STREAM}/{CONSUMER}"
    );
}

/// Publishes `body` and says whether the stream acknowledged it.
async fn acked(js: &async_nats::jetstream::Context, body: &str) -> bool {
    let payload = serde_json::to_vec(body).expect("json").into();
    match js.publish(PUBLISHED_ON, payload).await {
        Ok(ack) => ack.await.is_ok(),
        Err(_) => false,
    }
}

/// Publishes `m<i>` for each i, in order; says which got a PubAck.
async fn publish_range(
    js: &async_nats::jetstream::Context,
    range: std::ops::RangeInclusive<u32>,
) -> Vec<(bool, String)> {
    let mut outcome = Vec::new();
    for i in range {
        let body = format!("m{i}");
        outcome.push((acked(js, &body).await, body));
    }
    outcome
}

/// A long-polling Flex Consumer subscribed to `prices`, subtopic `eu`.
async fn flex_consumer(server: &TestServer) -> FlexClient {
    let mut c = FlexClient::new(server.url(LONG_POLLING));
    c.ping().await;
    let r = c
        .send_one(subscribe("prices", "c1", Some("eu"), None))
        .await;
    assert!(r.is_result(), "{r:?}");
    c
}

/// Long-polls until every one of `wanted` has arrived; returns how many
/// times each body arrived (hang guard: 90 s, room for redeliveries).
async fn receive_all(c: &mut FlexClient, wanted: &BTreeSet<String>) -> BTreeMap<String, usize> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let done = tokio::time::timeout(Duration::from_secs(90), async {
        while !wanted.iter().all(|w| seen.contains_key(w)) {
            let reply = c
                .send_one(common::command(CommandOperation::Poll, ""))
                .await;
            for m in polled(&reply) {
                let body = m.base().body.as_str().unwrap_or_default().to_owned();
                *seen.entry(body).or_default() += 1;
            }
        }
    })
    .await;
    let missing: Vec<&String> = wanted.iter().filter(|w| !seen.contains_key(*w)).collect();
    assert!(
        done.is_ok(),
        "acknowledged but never delivered: {missing:?}"
    );
    seen
}

/// A Flex Producer's message to `prices`, subtopic `eu`.
async fn produce(server: &TestServer, body: &str) -> Reply {
    let mut producer = FlexClient::new(server.url(AMF));
    producer.ping().await;
    producer
        .send_one(publish("prices", Value::from(body), Some("eu")))
        .await
}

#[tokio::test]
#[cfg_attr(
    not(flexgate_nats_server),
    ignore = "needs nats-server (scripts/test installs it)"
)]
async fn nothing_acknowledged_is_lost_over_a_nats_restart() {
    let port = restartable_port();
    let store = StoreDir::new("nats-restart").expect("a store dir");
    let nats = nats_on(port, &store).await;
    let url = nats.url();
    let server = gateway(&url, None).await;
    let js = publisher(&url).await;
    consumer_ready(&js).await;
    let mut consumer = flex_consumer(&server).await;

    let mut acknowledged = BTreeSet::new();
    let mut refused = Vec::new();
    let mut sort = |outcome: Vec<(bool, String)>| {
        for (ok, body) in outcome {
            if ok {
                acknowledged.insert(body);
            } else {
                refused.push(body);
            }
        }
    };
    sort(publish_range(&js, 1..=20).await);
    kill(nats).await;
    let down = publish_range(&js, 21..=25).await;
    assert!(
        down.iter().all(|(ok, _)| !ok),
        "no PubAck while down: {down:?}"
    );
    sort(down);
    // A Producer's message while the server is down: the link is seen to
    // be down first, so the 5 s wait runs out before the restart.
    link_when(&server, "reconnecting", |l| {
        l.state == LinkState::Reconnecting
    })
    .await;
    let down = produce(&server, "flex-while-down").await;
    assert_eq!(down.fault_code(), Some("Server.Processing"), "{down:?}");

    let nats = nats_on(port, &store).await;
    let reconnected = tokio::time::timeout(Duration::from_secs(30), async {
        while js.client().connection_state() != async_nats::connection::State::Connected {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(reconnected.is_ok(), "the publisher reconnects");
    let after = publish_range(&js, 26..=40).await;
    assert!(
        after.iter().any(|(ok, _)| *ok),
        "some PubAcks after the restart: {after:?}"
    );
    sort(after);

    // A Producer's message sent just as the server goes away and comes
    // back: held for the reconnect, PubAcked, and in the stream.
    kill(nats).await;
    link_when(&server, "reconnecting", |l| {
        l.state == LinkState::Reconnecting
    })
    .await;
    let sending = tokio::spawn({
        let url = server.url(AMF);
        async move {
            let mut producer = FlexClient::new(url);
            producer.ping().await;
            producer
                .send_one(publish(
                    "prices",
                    Value::from("flex-on-restart"),
                    Some("eu"),
                ))
                .await
        }
    });
    let nats = nats_on(port, &store).await;
    let sent = sending.await.expect("the producer task");
    assert!(sent.is_result(), "PubAcked once back: {sent:?}");
    let stream = js.get_stream(STREAM).await.expect("the stream");
    let last = stream
        .get_last_raw_message_by_subject(PUBLISHED_ON)
        .await
        .expect("a message on the subject");
    assert_eq!(&last.payload[..], br#""flex-on-restart""#);

    let mut wanted = acknowledged.clone();
    wanted.insert("flex-on-restart".into());
    let seen = receive_all(&mut consumer, &wanted).await;
    let duplicates: usize = seen.values().map(|n| n - 1).sum();
    let unacked_arrived: Vec<&String> = refused.iter().filter(|r| seen.contains_key(*r)).collect();
    eprintln!(
        "acknowledged {}, not acknowledged {} (of which arrived anyway: {}), duplicates {}",
        acknowledged.len(),
        refused.len(),
        unacked_arrived.len(),
        duplicates
    );
    assert!(
        !seen.contains_key("flex-while-down"),
        "a refused Producer message was delivered: {seen:?}"
    );
    assert_eq!(seen.get("flex-on-restart"), Some(&1), "{seen:?}");
    server.running.shutdown().await;
    drop(nats);
}

#[tokio::test]
#[cfg_attr(
    not(flexgate_nats_server),
    ignore = "needs nats-server (scripts/test installs it)"
)]
async fn a_message_the_store_refuses_is_terminated_and_the_next_delivered() {
    let port = restartable_port();
    let store = StoreDir::new("nats-refuse").expect("a store dir");
    let nats = nats_on(port, &store).await;
    let url = nats.url();
    let server = gateway(&url, Some(512)).await;
    let js = publisher(&url).await;
    consumer_ready(&js).await;
    let mut consumer = flex_consumer(&server).await;

    assert!(acked(&js, &"x".repeat(4096)).await, "the big one PubAcked");
    assert!(acked(&js, "next").await, "the next PubAcked");
    let seen = receive_all(&mut consumer, &BTreeSet::from(["next".to_owned()])).await;
    assert_eq!(seen.len(), 1, "only the next one: {seen:?}");

    // Terminated: nothing is pending on the consumer (a nak would keep
    // the big one pending and bring it back), and it was refused once.
    let stream = js.get_stream(STREAM).await.expect("the stream");
    let settled = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            let info = stream.consumer_info(CONSUMER).await.expect("consumer info");
            if info.num_ack_pending == 0 && info.ack_floor.stream_sequence == 2 {
                return info;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("both messages settled on the consumer");
    // Each delivery takes a consumer sequence number: one each.
    assert_eq!(settled.delivered.consumer_sequence, 2, "{settled:?}");
    let row = link_when(&server, "settled", |l| l.received == 1).await;
    assert_eq!(row.failed, 1, "refused once, not again: {row:?}");
    server.running.shutdown().await;
    drop(nats);
}

#[tokio::test]
#[cfg_attr(
    not(all(flexgate_nats_server, flexgate_redis_server)),
    ignore = "needs nats-server and redis-server (scripts/test installs them)"
)]
async fn a_message_the_store_fails_is_delivered_again_until_stored() {
    let redis_port = restartable_port();
    let redis_on = move || tokio::task::spawn_blocking(move || RedisServer::start(redis_port));
    let mut redis = redis_on()
        .await
        .expect("redis start task")
        .unwrap_or_else(|e| panic!("{e}"));
    let port = restartable_port();
    let store = StoreDir::new("nats-store-down").expect("a store dir");
    let nats = nats_on(port, &store).await;
    let url = nats.url();
    let config = Config {
        store: StoreConfig::Redis {
            url: redis.url(),
            prefix: format!("flexgate-test:{}:", flexgate_messages::uid::new_uid()),
        },
        ..Config::default()
    };
    let server = gateway_on(config, &url, None).await;
    let js = publisher(&url).await;
    consumer_ready(&js).await;

    redis = tokio::task::spawn_blocking(move || {
        redis.kill();
        redis
    })
    .await
    .expect("redis kill task");
    assert!(acked(&js, "while-the-store-is-down").await, "PubAcked");
    // Failed twice: delivered, nak'ed, delivered again.
    let failing = link_when(&server, "failing twice", |l| l.failed >= 2).await;
    assert_eq!(failing.received, 0, "{failing:?}");

    let _redis = redis_on()
        .await
        .expect("redis start task")
        .unwrap_or_else(|e| panic!("{e}"));
    drop(redis);
    let stored = link_when(&server, "stored", |l| l.received == 1).await;
    assert_eq!(stored.state, LinkState::Connected, "{stored:?}");
    let stream = js.get_stream(STREAM).await.expect("the stream");
    let settled = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            let info = stream.consumer_info(CONSUMER).await.expect("consumer info");
            if info.num_ack_pending == 0 && info.ack_floor.stream_sequence == 1 {
                return info;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("the message acknowledged once stored");
    // Each delivery takes a consumer sequence number.
    assert!(
        settled.delivered.consumer_sequence >= 2,
        "delivered again after the failure: {settled:?}"
    );
    server.running.shutdown().await;
    drop(nats);
}
