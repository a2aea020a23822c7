//! The operator pages' data over real HTTP: `/metrics` parsed as Prometheus
//! text, `/status.json` after known traffic, access control to all three
//! pages, and the `[status]` config section. (`/status` itself, in a real
//! browser: tests/status_page.rs.)

mod common;

use common::status::*;
use common::*;
use flexgate_amf::Value;
use flexgate_gateway::config::Config;
use flexgate_messages::CommandOperation;
use hyper::{Method, StatusCode};
use std::collections::BTreeMap;

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
