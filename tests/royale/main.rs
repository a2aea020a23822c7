//! The Royale browser suite: Flex applications (tests/royale/app, MXML and
//! ActionScript) compiled to JavaScript with Apache Royale's mxmlc, run in
//! headless Chromium against a gateway that serves the page and the
//! channels from one origin. Each scenario reports what its Flex client
//! saw; the assertions here (and on the gateway's state) decide.
//!
//! docs/royale.md: running one scenario, where the output goes.

#[path = "../common/mod.rs"]
mod common;

mod app;
mod cross_origin;
mod demo;
mod page;

use common::backend::BackendProcess;
use common::until;
use flexgate_amf::Value as Amf;
use flexgate_gateway::config::{
    Config, DestinationConfig, DestinationKind, HttpBackendConfig, ListEncoding,
};
use flexgate_gateway::{Gateway, Running};
use page::Page;
use serde_json::{json, Value};
use std::net::SocketAddr;

/// The gateway the pages talk to: the three channel kinds the app uses,
/// the demo destinations and a secured one, the app at `/`.
fn config(site: &std::path::Path, listen: SocketAddr) -> Config {
    let mut config = Config::parse(
        r#"
        [channels.my-amf]
        kind = "amf"
        path = "/messagebroker/amf"
        [channels.my-polling-amf]
        kind = "amf"
        path = "/messagebroker/amfpolling"
        [channels.my-longpolling-amf]
        kind = "long-polling"
        path = "/messagebroker/amflongpolling"
        wait_interval_ms = 10000
        [destinations.EchoService]
        kind = "remoting"
        [destinations.chat]
        kind = "messaging"
        allow_subtopics = true
        subtopic_separator = "."
        [destinations.secure-chat]
        kind = "messaging"
        roles = ["traders"]
        [users.alice]
        password = "secret"
        roles = ["traders"]
        "#,
    )
    .expect("suite config");
    config.listen = listen;
    config.static_files.root = Some(site.to_owned());
    config
}

/// A gateway and the page of one scenario.
struct Suite {
    /// What the gateway was started with (a restart reuses it).
    config: Config,
    /// `None` only while restarting.
    running: Option<Running>,
    page: Page,
}

impl Suite {
    async fn open(scenario: &str) -> Suite {
        Suite::open_with(scenario, |_| {}).await
    }

    /// Opens `query` (`scenario` and its parameters) against the suite's
    /// config changed by `tweak`.
    async fn open_with(query: &str, tweak: impl FnOnce(&mut Config)) -> Suite {
        let tools = flexgate_testkit::require(flexgate_testkit::royale());
        let site = app::site(&tools);
        let any_port = "127.0.0.1:0".parse().expect("address");
        let mut config = config(&site, any_port);
        tweak(&mut config);
        let running = Gateway::new(config.clone())
            .start()
            .await
            .expect("gateway starts");
        let base = format!("http://{}", running.local_addr());
        let page = Page::open(&tools, &format!("{base}/?scenario={query}"));
        Suite {
            config,
            running: Some(running),
            page,
        }
    }

    /// Stops the gateway and starts a fresh one (an empty memory store) on
    /// the same port, while the page keeps running.
    async fn restart(&mut self) {
        let running = self.running.take().expect("a running gateway");
        let mut config = self.config.clone();
        config.listen = running.local_addr();
        running.shutdown().await;
        let fresh = Gateway::new(config).start().await;
        self.running = Some(fresh.expect("gateway restarts on its port"));
    }

    fn gateway(&self) -> &Running {
        self.running.as_ref().expect("a running gateway")
    }

    async fn clients(&self) -> usize {
        self.gateway().snapshot().await.clients_total
    }
}

#[tokio::test]
#[cfg_attr(
    not(flexgate_royale),
    ignore = "needs node, java, chromium and tests/royale's npm packages"
)]
async fn remote_object_echoes_a_typed_object_with_date_and_collection() {
    let mut s = Suite::open("echo").await;
    let r = s.page.report().await;
    assert_eq!(r["typed"], json!(true), "came back as Person: {r}");
    assert_eq!(r["name"], json!("Ada"));
    assert_eq!(r["bornBack"], r["bornSent"], "the Date, to the millisecond");
    assert_eq!(r["bornSent"], json!(-4_861_682_703_211_i64));
    assert_eq!(
        r["collection"],
        json!(true),
        "tags came back an ArrayCollection"
    );
    assert_eq!(r["tags"], json!(["math", "engines"]));
}

#[tokio::test]
#[cfg_attr(
    not(flexgate_royale),
    ignore = "needs node, java, chromium and tests/royale's npm packages"
)]
async fn an_unknown_method_faults_with_blazeds_code() {
    let mut s = Suite::open("unknown-method").await;
    let r = s.page.report().await;
    assert_eq!(r["faultCode"], json!("Server.ResourceUnavailable"));
    assert_eq!(
        r["faultString"],
        json!("Cannot invoke method 'noSuchMethod'.")
    );
    assert_eq!(r["faultDetail"], json!("Method 'noSuchMethod' not found."));
}

/// Scenario `backend` against remoting destination `destination`, served
/// by tests/backends/`script` run with `program`, its arrays sent back as
/// ArrayCollections: the page's report.
async fn backend_scenario(program: &std::path::Path, script: &str, destination: &str) -> Value {
    let backend = BackendProcess::start(program, script);
    let mut s = Suite::open_with(&format!("backend&destination={destination}"), |config| {
        config.destinations.insert(
            destination.to_owned(),
            DestinationConfig {
                kind: DestinationKind::Remoting,
                http: Some(HttpBackendConfig::new(&backend.url)),
                lists: ListEncoding::ArrayCollection,
                ..DestinationConfig::default()
            },
        );
    })
    .await;
    s.page.report().await
}

/// What the page reports of a backend: the typed echo (1906-12-09T08:07:06.543Z)
/// and the backend's fault from `fail`, whose detail names the language.
fn assert_backend_report(r: &Value, lang: &str) {
    assert_eq!(r["typed"], json!(true), "came back as Person: {r}");
    assert_eq!(r["name"], json!("Grace"), "{r}");
    assert_eq!(r["bornSent"], json!(-1_990_108_373_457_i64), "{r}");
    assert_eq!(r["bornBack"], r["bornSent"], "the Date, to the millisecond");
    assert_eq!(r["collection"], json!(true), "tags an ArrayCollection: {r}");
    assert_eq!(r["tags"], json!(["cobol", "compilers"]));
    assert_eq!(r["faultCode"], json!("Orders.Rejected"), "{r}");
    assert_eq!(r["faultString"], json!("order rejected"));
    assert_eq!(r["faultDetail"], json!(lang));
}

#[tokio::test]
#[cfg_attr(
    not(all(flexgate_royale, flexgate_python)),
    ignore = "needs node, java, chromium, tests/royale's npm packages and python3"
)]
async fn remote_object_reaches_a_python_backend_typed_and_faulting() {
    let python = flexgate_testkit::require(flexgate_testkit::python());
    let r = backend_scenario(&python, "backend.py", "PythonBackend").await;
    assert_backend_report(&r, "python");
}

#[tokio::test]
#[cfg_attr(
    not(all(flexgate_royale, flexgate_node)),
    ignore = "needs node, java, chromium and tests/royale's npm packages"
)]
async fn remote_object_reaches_a_node_backend_typed_and_faulting() {
    let node = flexgate_testkit::require(flexgate_testkit::node());
    let r = backend_scenario(&node, "backend.js", "NodeBackend").await;
    assert_backend_report(&r, "node");
}

#[tokio::test]
#[cfg_attr(
    not(flexgate_royale),
    ignore = "needs node, java, chromium and tests/royale's npm packages"
)]
async fn a_polling_consumer_receives_a_producers_message() {
    let mut s = Suite::open("polling").await;
    let r = s.page.report().await;
    assert_eq!(
        r,
        json!({"body": {"text": "polled"}, "destination": "chat"})
    );
}

#[tokio::test]
#[cfg_attr(
    not(flexgate_royale),
    ignore = "needs node, java, chromium and tests/royale's npm packages"
)]
async fn a_long_polling_consumer_with_a_subtopic_is_woken_by_the_message() {
    let mut s = Suite::open("long-polling").await;
    s.page.step("parked").await;
    until("the consumer's poll parked", || {
        s.gateway().waiting_polls() == 1
    })
    .await;
    s.page.go("parked").await;
    let r = s.page.report().await;
    // room.2's message went first and must not arrive.
    assert_eq!(r["body"], json!({"text": "room one"}), "{r}");
    assert_eq!(r["subtopic"], json!("room.1"));
    // Delivered by the parked poll, not by one after the 10 s wait ended.
    let latency = r["latencyMs"].as_f64().expect("latency");
    eprintln!("royale: long-poll delivery took {latency} ms");
    assert!(latency < 5_000.0, "{latency} ms");
}

#[tokio::test]
#[cfg_attr(
    not(flexgate_royale),
    ignore = "needs node, java, chromium and tests/royale's npm packages"
)]
async fn multi_topic_consumer_and_producer() {
    let mut s = Suite::open("multi-topic").await;
    let r = s.page.report().await;
    // 1 once though both subtopics match, 2 filtered by room.b's selector,
    // 4 to room.c: not subscribed.
    assert_eq!(r["received"], json!([1, 3, 5]), "{r}");
}

#[tokio::test]
#[cfg_attr(
    not(flexgate_royale),
    ignore = "needs node, java, chromium and tests/royale's npm packages"
)]
async fn login_then_logout_ends_a_secured_subscription() {
    let mut s = Suite::open("secured").await;
    s.page.step("logged-out").await;
    let published = s
        .gateway()
        .publisher()
        .publish(
            "secure-chat",
            None,
            Amf::from("after logout"),
            [] as [(&str, Amf); 0],
        )
        .await;
    assert!(published.is_ok(), "{published:?}");
    s.page.go("logged-out").await;
    let r = s.page.report().await;
    assert_eq!(r["refused"], json!("Client.Authentication"), "{r}");
    assert_eq!(r["before"], json!(["while logged in"]));
    assert_eq!(r["after"], json!([]), "nothing after the logout: {r}");
    assert_eq!(r["authenticated"], json!(false));
}

#[tokio::test]
#[cfg_attr(
    not(flexgate_royale),
    ignore = "needs node, java, chromium and tests/royale's npm packages"
)]
async fn a_restarted_gateway_is_noticed_and_the_consumer_resubscribes() {
    let mut s = Suite::open("restart").await;
    s.page.step("subscribed").await;
    s.restart().await;
    assert_eq!(s.clients().await, 0, "a fresh store");
    s.page.go("subscribed").await;
    let r = s.page.report().await;
    eprintln!("royale: after the restart the page saw {r}");
    let codes: Vec<&Value> = r["channelFaults"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| &f["serverCode"])
        .chain(r["faults"].as_array().into_iter().flatten())
        .collect();
    assert!(
        codes.contains(&&json!("Server.Processing.NotSubscribed")),
        "the poll was answered NotSubscribed: {r}"
    );
    assert_eq!(r["resubscribed"], json!(true), "{r}");
    assert_eq!(r["received"], json!(["after restart"]), "{r}");
}

#[tokio::test]
#[cfg_attr(
    not(flexgate_royale),
    ignore = "needs node, java, chromium and tests/royale's npm packages"
)]
async fn disconnect_all_leaves_no_client_and_no_waiting_poll() {
    let mut s = Suite::open("disconnect-all").await;
    s.page.step("parked").await;
    until("the consumer's poll parked", || {
        s.gateway().waiting_polls() == 1
    })
    .await;
    assert_eq!(s.clients().await, 1);
    s.page.go("parked").await;
    s.page.step("disconnected").await;
    let mut gone = false;
    for _ in 0..250 {
        if s.gateway().waiting_polls() == 0 && s.clients().await == 0 {
            gone = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let snapshot = s.gateway().snapshot().await;
    assert!(
        gone,
        "clients {} waiting polls {}",
        snapshot.clients_total, snapshot.waiting_polls
    );
    s.page.go("disconnected").await;
    let r = s.page.report().await;
    assert_eq!(r, json!({"connected": false, "subscribed": false}));
}
