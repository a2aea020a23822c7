//! The operator pages over real HTTP: `/metrics` parsed as Prometheus text,
//! `/status.json` after known traffic, access control, and `/status` in a
//! real browser (headless Chromium).

mod common;

use bytes::Bytes;
use common::*;
use flexgate_amf::Value;
use flexgate_gateway::config::Config;
use flexgate_messages::CommandOperation;
use http_body_util::{BodyExt, Full};
use hyper::{HeaderMap, Method, Request, StatusCode};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

// ----- traffic -----

/// A gateway with users `alice` (role `operator`) and `bob` (no role).
fn config_with_users() -> Config {
    let mut config = Config::default();
    add_user(&mut config, "alice", "secret", &["operator"]);
    add_user(&mut config, "bob", "secret", &[]);
    config
}

/// Known traffic: a consumer logged in as alice, subscribed to `chat` on
/// `room.1` and `room.*`, a producer publishing `published` messages to
/// `room.1`, and one poll by the consumer that takes them all.
struct Traffic {
    consumer: FlexClient,
    producer: FlexClient,
}

async fn traffic(server: &TestServer, published: usize) -> Traffic {
    let mut consumer = FlexClient::new(server.url(AMF));
    consumer.ping().await;
    let login = consumer.send_one(login("alice", "secret")).await;
    assert!(login.is_result(), "{login:?}");
    for subtopic in ["room.1", "room.*"] {
        let sub = consumer
            .send_one(subscribe("chat", "CONSUMER-1", Some(subtopic), None))
            .await;
        assert!(sub.is_result(), "{sub:?}");
    }
    let mut producer = FlexClient::new(server.url(AMF));
    producer.ping().await;
    for i in 0..published {
        let r = producer
            .send_one(publish(
                "chat",
                Value::from(format!("m{i}")),
                Some("room.1"),
            ))
            .await;
        assert!(r.is_result(), "{r:?}");
    }
    let poll = consumer.send_one(command(CommandOperation::Poll, "")).await;
    // One consumer with two matching filters gets each message once.
    assert_eq!(polled(&poll).len(), published);
    Traffic { consumer, producer }
}

/// A request; `auth` is `user:password` for HTTP Basic.
async fn request(method: Method, url: &str, auth: Option<&str>) -> (StatusCode, HeaderMap, String) {
    let mut req = Request::builder().method(method).uri(url);
    if let Some(a) = auth {
        req = req.header("authorization", format!("Basic {}", base64(a.as_bytes())));
    }
    let req = req.body(Full::new(Bytes::new())).expect("request");
    let res = http().request(req).await.expect("server answers");
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.expect("body").to_bytes();
    (
        status,
        headers,
        String::from_utf8(body.to_vec()).expect("UTF-8 body"),
    )
}

async fn get(url: &str) -> (StatusCode, HeaderMap, String) {
    request(Method::GET, url, None).await
}

async fn status_json(server: &TestServer) -> serde_json::Value {
    let (status, headers, body) = get(&server.url("/status.json")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(headers["content-type"], "application/json");
    serde_json::from_str(&body).expect("status.json is JSON")
}

/// Polls `/status.json` until `ready` holds (or fails after 20 s): waits for
/// the once-a-second sampler or a parked poll without asserting on time.
async fn status_when(
    server: &TestServer,
    what: &str,
    ready: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let s = status_json(server).await;
        if ready(&s) {
            return s;
        }
        assert!(Instant::now() < deadline, "never saw {what}: {s}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

// ----- a Prometheus text-format parser -----

/// One sample line: `name{labels} value`.
#[derive(Debug, PartialEq)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

fn is_metric_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

fn is_label_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !s.starts_with("__")
}

/// Parses `{k="v",...}` (after the name); returns the labels and the rest.
fn parse_labels(s: &str) -> Result<(BTreeMap<String, String>, &str), String> {
    let mut labels = BTreeMap::new();
    let mut rest = s.strip_prefix('{').ok_or("expected '{'")?;
    loop {
        if let Some(r) = rest.strip_prefix('}') {
            return Ok((labels, r));
        }
        let (name, r) = rest.split_once("=\"").ok_or("expected name=\"")?;
        if !is_label_name(name) {
            return Err(format!("bad label name {name:?}"));
        }
        let mut value = String::new();
        let mut chars = r.char_indices();
        let end = loop {
            match chars.next() {
                Some((i, '"')) => break i,
                Some((_, '\\')) => match chars.next() {
                    Some((_, '\\')) => value.push('\\'),
                    Some((_, '"')) => value.push('"'),
                    Some((_, 'n')) => value.push('\n'),
                    other => return Err(format!("bad escape {other:?}")),
                },
                Some((_, c)) => value.push(c),
                None => return Err("unterminated label value".into()),
            }
        };
        if labels.insert(name.to_owned(), value).is_some() {
            return Err(format!("label {name} repeated"));
        }
        rest = &r[end + 1..];
        rest = rest.strip_prefix(',').unwrap_or(rest);
    }
}

/// Parses an exposition: every line is a `# HELP`/`# TYPE` comment or a
/// sample of a family whose TYPE came before; each family typed once.
fn parse_exposition(text: &str) -> Result<Vec<Sample>, String> {
    let mut types: BTreeMap<String, String> = BTreeMap::new();
    let mut samples = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let fail = |why: &str| format!("line {}: {why}: {line:?}", n + 1);
        if let Some(comment) = line.strip_prefix("# ") {
            let mut parts = comment.splitn(3, ' ');
            let (keyword, name, rest) = (parts.next(), parts.next(), parts.next());
            let name = name.filter(|n| is_metric_name(n)).ok_or(fail("bad name"))?;
            match (keyword, rest) {
                (Some("HELP"), Some(_)) => {}
                (Some("TYPE"), Some(t @ ("counter" | "gauge" | "untyped"))) => {
                    if types.insert(name.to_owned(), t.to_owned()).is_some() {
                        return Err(fail("family typed twice"));
                    }
                    if t == "counter" && !name.ends_with("_total") {
                        return Err(fail("counter without _total"));
                    }
                }
                _ => return Err(fail("unknown comment")),
            }
            continue;
        }
        let name_end = line.find(['{', ' ']).ok_or_else(|| fail("no value"))?;
        let name = &line[..name_end];
        if !is_metric_name(name) {
            return Err(fail("bad metric name"));
        }
        if !types.contains_key(name) {
            return Err(fail("sample before its TYPE"));
        }
        let (labels, rest) = if line[name_end..].starts_with('{') {
            parse_labels(&line[name_end..]).map_err(|e| fail(&e))?
        } else {
            (BTreeMap::new(), &line[name_end..])
        };
        let value = rest
            .strip_prefix(' ')
            .and_then(|v| v.parse::<f64>().ok())
            .ok_or_else(|| fail("bad value"))?;
        samples.push(Sample {
            name: name.to_owned(),
            labels,
            value,
        });
    }
    Ok(samples)
}

fn value_of(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let want: BTreeMap<String, String> = labels
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    samples
        .iter()
        .find(|s| s.name == name && s.labels == want)
        .map(|s| s.value)
}

#[test]
fn the_parser_rejects_what_prometheus_rejects() {
    for bad in [
        "m 1",                            // no TYPE
        "# TYPE m gauge\nm{a=\"x} 1",     // unterminated
        "# TYPE m gauge\n1m 1",           // bad name
        "# TYPE m gauge\nm one",          // bad value
        "# TYPE m gauge\nm{a=\"\\q\"} 1", // bad escape
        "# TYPE m_total counter\n# TYPE m_total counter",
        "# TYPE m counter", // counter without _total
        "# FOO m x",
    ] {
        assert!(parse_exposition(bad).is_err(), "accepted {bad:?}");
    }
    let ok = parse_exposition("# HELP m h\n# TYPE m gauge\nm{a=\"x\\\"y\",b=\"\"} 2.5\n")
        .expect("valid");
    assert_eq!(value_of(&ok, "m", &[("a", "x\"y"), ("b", "")]), Some(2.5));
}

// ----- /metrics and /status.json -----

#[tokio::test]
async fn metrics_parse_and_count_known_traffic() {
    let server = TestServer::start(config_with_users()).await;
    let _t = traffic(&server, 5).await;
    let (status, headers, body) = get(&server.url("/metrics")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    let samples = parse_exposition(&body).unwrap_or_else(|e| panic!("{e}\n{body}"));
    let v = |name: &str, labels: &[(&str, &str)]| {
        value_of(&samples, name, labels).unwrap_or_else(|| panic!("no {name} {labels:?}\n{body}"))
    };
    assert_eq!(v("flexgate_messages_published_total", &[]), 5.0);
    assert_eq!(v("flexgate_messages_delivered_total", &[]), 5.0);
    assert_eq!(v("flexgate_polls_total", &[]), 1.0);
    assert_eq!(v("flexgate_waiting_polls", &[]), 0.0);
    assert_eq!(v("flexgate_streams", &[]), 0.0);
    assert_eq!(v("flexgate_store_up", &[]), 1.0);
    assert_eq!(v("flexgate_clients", &[("channel", "my-amf")]), 2.0);
    assert_eq!(
        v("flexgate_clients", &[("channel", "my-streaming-amf")]),
        0.0
    );
    assert_eq!(v("flexgate_subscriptions", &[("destination", "chat")]), 1.0);
    assert_eq!(
        v(
            "flexgate_info",
            &[("version", env!("CARGO_PKG_VERSION")), ("store", "memory")]
        ),
        1.0
    );
    assert!(v("flexgate_start_time_seconds", &[]) > 1.0e9);
    server.running.shutdown().await;
}

#[tokio::test]
async fn retention_drops_are_counted_in_metrics_and_status_json() {
    let mut config = Config::default();
    let chat = config
        .destinations
        .get_mut("chat")
        .expect("demo destination");
    chat.messaging = chat.messaging.clone().max_messages(3);
    let server = TestServer::start(config).await;
    let mut consumer = FlexClient::new(server.url(AMF));
    consumer.ping().await;
    let sub = consumer
        .send_one(subscribe("chat", "SLOW", None, None))
        .await;
    assert!(sub.is_result(), "{sub:?}");
    let mut producer = FlexClient::new(server.url(AMF));
    producer.ping().await;
    for i in 0..10 {
        let r = producer
            .send_one(publish("chat", Value::from(format!("m{i}")), None))
            .await;
        assert!(r.is_result(), "{r:?}");
    }
    // Ten published to a log that keeps three, nobody polled: seven dropped.
    let (_, _, body) = get(&server.url("/metrics")).await;
    let samples = parse_exposition(&body).unwrap_or_else(|e| panic!("{e}\n{body}"));
    assert_eq!(
        value_of(&samples, "flexgate_messages_dropped_total", &[]),
        Some(7.0),
        "{body}"
    );
    let json = status_json(&server).await;
    assert_eq!(json["totals"]["dropped"], 7, "{json}");
    // The consumer gets what was kept, the newest.
    let got = polled(&consumer.send_one(command(CommandOperation::Poll, "")).await);
    let bodies: Vec<&Value> = got.iter().map(|m| m.body()).collect();
    let kept: Vec<Value> = (7..10).map(|i| Value::from(format!("m{i}"))).collect();
    assert_eq!(bodies, kept.iter().collect::<Vec<_>>());
    server.running.shutdown().await;
}

#[tokio::test]
async fn status_json_shows_clients_destinations_and_rates() {
    let server = TestServer::start(config_with_users()).await;
    let t = traffic(&server, 4).await;
    let consumer_id = t.consumer.ds_id.clone().expect("DSId");
    let producer_id = t.producer.ds_id.clone().expect("DSId");
    // The sampler runs once a second: wait for the second with the publishes.
    let s = status_when(&server, "the publishes in the rate history", |s| {
        s["rates"]["history"]
            .as_array()
            .is_some_and(|h| h.iter().any(|p| p["in"].as_u64() > Some(0)))
    })
    .await;
    let history = s["rates"]["history"].as_array().expect("history");
    let sum = |key: &str| history.iter().filter_map(|p| p[key].as_u64()).sum::<u64>();
    // Every message lands in exactly one sampled second (or in the one
    // being counted now, in which case we have not seen all yet).
    assert!(sum("in") <= 4 && sum("in") > 0, "{s}");

    assert_eq!(s["totals"]["published"], 4);
    assert_eq!(s["totals"]["delivered"], 4);
    assert_eq!(s["totals"]["polls"], 1);
    assert_eq!(s["store"]["kind"], "memory");
    assert_eq!(s["store"]["healthy"], true);
    assert_eq!(s["clients_total"], 2);
    let clients = s["clients"].as_array().expect("clients");
    let find = |id: &str| {
        clients
            .iter()
            .find(|c| c["id"] == id)
            .unwrap_or_else(|| panic!("client {id} not listed: {s}"))
    };
    let consumer = find(&consumer_id);
    assert_eq!(consumer["channel"], "my-amf");
    assert_eq!(consumer["principal"], "alice");
    assert_eq!(consumer["subscriptions"], 1);
    assert!(consumer["last_poll_ms"].as_u64().is_some(), "{consumer}");
    let producer = find(&producer_id);
    assert_eq!(producer["principal"], serde_json::Value::Null);
    assert_eq!(producer["last_poll_ms"], serde_json::Value::Null);

    let chat = s["destinations"]
        .as_array()
        .and_then(|d| d.iter().find(|d| d["id"] == "chat"))
        .expect("chat listed");
    assert_eq!(chat["subscribers"], 1);
    assert_eq!(
        chat["subtopics"],
        serde_json::json!([
            {"subtopic": "room.*", "subscribers": 1},
            {"subtopic": "room.1", "subscribers": 1},
        ])
    );
    let amf = s["channels"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["id"] == "my-amf"))
        .expect("my-amf listed");
    assert_eq!(amf["clients"], 2);
    assert_eq!(amf["kind"], "amf");
    server.running.shutdown().await;
}

#[tokio::test]
async fn waiting_long_polls_are_shown_while_they_wait() {
    let server = TestServer::start(Config::default()).await;
    let mut consumer = FlexClient::new(server.url(LONG_POLLING));
    consumer.ping().await;
    consumer.send_one(subscribe("chat", "C", None, None)).await;
    let waiting =
        tokio::spawn(async move { consumer.send_one(command(CommandOperation::Poll, "")).await });
    status_when(&server, "a waiting poll", |s| s["waiting_polls"] == 1).await;
    let (_, _, metrics) = get(&server.url("/metrics")).await;
    let samples = parse_exposition(&metrics).expect("valid exposition");
    assert_eq!(value_of(&samples, "flexgate_waiting_polls", &[]), Some(1.0));
    // A publish wakes it; then nothing waits.
    let mut producer = FlexClient::new(server.url(AMF));
    producer.ping().await;
    producer
        .send_one(publish("chat", Value::from("wake"), None))
        .await;
    let reply = waiting.await.expect("poll task");
    assert_eq!(polled(&reply).len(), 1);
    status_when(&server, "no waiting poll", |s| s["waiting_polls"] == 0).await;
    server.running.shutdown().await;
}

// ----- access -----

#[tokio::test]
async fn status_pages_can_be_turned_off() {
    let mut config = Config::default();
    config.status.enabled = false;
    let server = TestServer::start(config).await;
    for path in ["/status", "/status.json", "/metrics"] {
        let (status, _, _) = get(&server.url(path)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    server.running.shutdown().await;
}

#[tokio::test]
async fn a_configured_role_requires_a_basic_login_with_it() {
    let mut config = config_with_users();
    config.status.role = Some("operator".into());
    let server = TestServer::start(config).await;
    for path in ["/status", "/status.json", "/metrics"] {
        let url = server.url(path);
        let (status, headers, _) = request(Method::GET, &url, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(
            headers["www-authenticate"],
            "Basic realm=\"flexgate status\", charset=\"UTF-8\""
        );
        let (status, _, _) = request(Method::GET, &url, Some("alice:wrong")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
        let (status, _, _) = request(Method::GET, &url, Some("bob:secret")).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        let (status, _, _) = request(Method::GET, &url, Some("alice:secret")).await;
        assert_eq!(status, StatusCode::OK, "{path}");
    }
    server.running.shutdown().await;
}

#[tokio::test]
async fn status_pages_take_get_and_send_a_strict_page() {
    let server = TestServer::start(Config::default()).await;
    let (status, headers, _) = request(Method::POST, &server.url("/status.json"), None).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(headers["allow"], "GET, HEAD");
    let (status, headers, page) = get(&server.url("/status")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    let csp = headers["content-security-policy"].to_str().expect("ASCII");
    assert!(csp.starts_with("default-src 'none';"), "{csp}");
    // Self-contained: nothing loaded from anywhere else.
    for external in ["src=\"http", "href=\"http", "<link", "@import", "src=\"//"] {
        assert!(!page.contains(external), "page loads {external}");
    }
    server.running.shutdown().await;
}

// ----- the page in a real browser -----

/// The Chromium binary (`flexgate_testkit::chromium`: `FLEXGATE_CHROMIUM`,
/// else `chromium` or `chromium-browser` on the PATH). The tests that call
/// it are ignored when the build found none; so here a missing one fails.
fn chromium() -> PathBuf {
    flexgate_testkit::require(flexgate_testkit::chromium())
}

/// A fresh, empty directory (removed on drop).
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let p = std::env::temp_dir().join(format!("flexgate-{tag}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&p).expect("temp dir");
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs headless Chromium on `url` with `args` (e.g. `--dump-dom`) and a
/// fresh profile; returns its stdout. Virtual time lets the page's timers
/// and fetches run for `budget_ms` of page time, independent of the clock.
async fn headless(chromium: &Path, url: &str, budget_ms: u64, args: &[String]) -> String {
    let profile = TempDir::new("chromium");
    let mut cmd = Command::new(chromium);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--hide-scrollbars",
        "--mute-audio",
    ])
    .arg(format!("--user-data-dir={}", profile.0.display()))
    .arg(format!("--virtual-time-budget={budget_ms}"))
    .args(args)
    .arg(url)
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    // Blocking wait on the blocking pool: the gateway under test runs on
    // this test's runtime and must keep serving the browser.
    let out = tokio::task::spawn_blocking(move || {
        let out = cmd.output().expect("chromium runs");
        drop(profile);
        out
    })
    .await
    .expect("chromium task");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "chromium failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The text content of the element with `id` in a serialized DOM (for
/// elements whose content is text only).
fn text_of<'a>(dom: &'a str, id: &str) -> &'a str {
    let at = dom
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} in the page"));
    let start = at + dom[at..].find('>').expect("tag end") + 1;
    let end = start + dom[start..].find('<').expect("closing tag");
    &dom[start..end]
}

/// The value of attribute `attr` on the element with `id`.
fn attr_of<'a>(dom: &'a str, id: &str, attr: &str) -> Option<&'a str> {
    let at = dom.find(&format!("id=\"{id}\""))?;
    let tag_start = dom[..at].rfind('<')?;
    let tag_end = at + dom[at..].find('>')?;
    let tag = &dom[tag_start..tag_end];
    let key = format!(" {attr}=\"");
    let v = tag.find(&key)? + key.len();
    Some(&tag[v..v + tag[v..].find('"')?])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(flexgate_chromium),
    ignore = "needs chromium: on the PATH or FLEXGATE_CHROMIUM (scripts/test installs it)"
)]
async fn the_page_shows_the_new_client_and_the_rate_in_chromium() {
    let chromium = chromium();
    let server = TestServer::start(config_with_users()).await;
    let t = traffic(&server, 6).await;
    let consumer_id = t.consumer.ds_id.clone().expect("DSId");
    status_when(&server, "the publishes in the rate history", |s| {
        s["rates"]["history"]
            .as_array()
            .is_some_and(|h| h.iter().map(|p| p["in"].as_u64().unwrap_or(0)).sum::<u64>() == 6)
    })
    .await;

    // 5 s of page time: the first fetch and at least two refreshes.
    let dom = headless(
        &chromium,
        &server.url("/status"),
        5_000,
        &["--dump-dom".into()],
    )
    .await;

    // The page refreshed itself and is live.
    let refreshes: u32 = dom
        .find("data-refreshes=\"")
        .map(|i| &dom[i + "data-refreshes=\"".len()..])
        .and_then(|v| v[..v.find('"')?].parse().ok())
        .expect("data-refreshes on body");
    assert!(refreshes >= 2, "refreshed {refreshes} times");
    assert_eq!(text_of(&dom, "live"), "live");
    assert_eq!(text_of(&dom, "store-kind"), "memory");
    assert_eq!(text_of(&dom, "store-health"), "healthy");

    // The new client, with its channel, principal and a poll.
    let row_at = dom
        .find(&format!("data-id=\"{consumer_id}\""))
        .unwrap_or_else(|| panic!("client {consumer_id} not on the page"));
    let row = &dom[row_at..row_at + dom[row_at..].find("</tr>").expect("row end")];
    for cell in ["my-amf", "alice", "ago"] {
        assert!(row.contains(cell), "client row lacks {cell}: {row}");
    }
    assert_eq!(text_of(&dom, "clients-total"), "2");

    // The traffic: totals, a subscribed subtopic, and the rate chart.
    assert_eq!(text_of(&dom, "published-total"), "6");
    assert_eq!(text_of(&dom, "delivered-total"), "6");
    assert!(
        dom.contains("data-subtopic=\"room.1\""),
        "subtopic not shown"
    );
    let rate_in: f64 = text_of(&dom, "rate-in").parse().expect("a rate");
    assert!(rate_in >= 0.0);
    let max_in: u64 = attr_of(&dom, "chart", "data-max-in")
        .and_then(|v| v.parse().ok())
        .expect("chart data-max-in");
    assert!((1..=6).contains(&max_in), "chart peak {max_in}");
    assert!(
        dom.contains("data-series=\"in\""),
        "no line for messages in"
    );

    // A screenshot renders (and is kept where asked).
    let shots = TempDir::new("shot");
    let png = shots.0.join("status.png");
    headless(
        &chromium,
        &server.url("/status"),
        3_000,
        &[
            format!("--screenshot={}", png.display()),
            "--window-size=1280,1000".into(),
        ],
    )
    .await;
    let bytes = std::fs::read(&png).expect("screenshot written");
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    server.running.shutdown().await;
}

/// Regenerates docs/status.png from a minute and a half of varied traffic:
/// `FLEXGATE_STATUS_SCREENSHOT=docs/status.png cargo test --test status -- --ignored docs_screenshot`
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "writes the README screenshot; takes 90 s"]
async fn docs_screenshot() {
    let target = PathBuf::from(
        std::env::var_os("FLEXGATE_STATUS_SCREENSHOT").expect("FLEXGATE_STATUS_SCREENSHOT=path"),
    );
    let target = if target.is_relative() {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(target)
    } else {
        target
    };
    let chromium = chromium();
    let server = TestServer::start(config_with_users()).await;
    let mut consumers = Vec::new();
    for (i, (path, user, subtopic)) in [
        (AMF, Some("alice"), "room.1"),
        (AMF, None, "room.*"),
        (LONG_POLLING, Some("bob"), "room.2"),
        (AMF, None, "room.1"),
    ]
    .into_iter()
    .enumerate()
    {
        let mut c = FlexClient::new(server.url(path));
        c.ping().await;
        if let Some(u) = user {
            c.send_one(login(u, "secret")).await;
        }
        c.send_one(subscribe("chat", &format!("C{i}"), Some(subtopic), None))
            .await;
        consumers.push(c);
    }
    // A long poll parked on a quiet destination, so the page shows one waiting.
    let mut parked = FlexClient::new(server.url(LONG_POLLING));
    parked.ping().await;
    parked
        .send_one(subscribe("chat", "P", Some("quiet"), None))
        .await;
    let parked = tokio::spawn(async move {
        loop {
            parked.send_one(command(CommandOperation::Poll, "")).await;
        }
    });
    let mut producer = FlexClient::new(server.url(AMF));
    producer.ping().await;
    for second in 0..90u32 {
        // A rising and falling load with a burst, to give the chart a shape.
        let n = 3 + (second % 30) / 2 + if (40..46).contains(&second) { 25 } else { 0 };
        for i in 0..n {
            let room = if i % 3 == 0 { "room.2" } else { "room.1" };
            producer
                .send_one(publish("chat", Value::from(i as f64), Some(room)))
                .await;
        }
        for c in consumers.iter_mut().filter(|c| c.url.ends_with(AMF)) {
            c.send_one(command(CommandOperation::Poll, "")).await;
        }
        tokio::time::sleep(Duration::from_millis(1000)).await;
    }
    headless(
        &chromium,
        &server.url("/status"),
        3_000,
        &[
            format!("--screenshot={}", target.display()),
            "--window-size=1280,1240".into(),
        ],
    )
    .await;
    parked.abort();
    eprintln!("wrote {}", target.display());
}

#[test]
fn the_status_section_parses_and_rejects_contradictions() {
    let c = Config::parse("[status]\nrole = \"operator\"\n").expect("valid");
    assert!(c.status.enabled);
    assert_eq!(c.status.role.as_deref(), Some("operator"));
    assert!(!c.status.public);
    let off = Config::parse("[status]\nenabled = false\n").expect("valid");
    assert!(!off.status.enabled);
    assert!(Config::parse("[status]\npublic = true\nrole = \"x\"\n").is_err());
    assert!(Config::parse("[status]\npasword = \"typo\"\n").is_err());
    // No section: on, loopback only.
    let d = Config::parse("").expect("valid");
    assert!(d.status.enabled && d.status.role.is_none() && !d.status.public);
}
