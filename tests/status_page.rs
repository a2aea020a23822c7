//! The operator page `/status`: its headers and self-containment over HTTP,
//! and the page in a real browser (headless Chromium). (`/status.json`,
//! `/metrics` and access control: tests/status_json.rs.)

mod common;

use common::browser::{attr_of, chromium, headless, text_of, TempDir};
use common::status::*;
use common::*;
use flexgate_amf::Value;
use flexgate_gateway::config::Config;
use flexgate_messages::CommandOperation;
use hyper::{Method, StatusCode};
use std::path::{Path, PathBuf};
use std::time::Duration;

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
/// `FLEXGATE_STATUS_SCREENSHOT=docs/status.png cargo test --test status_page -- --ignored docs_screenshot`
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
                .send_one(publish("chat", Value::from(f64::from(i)), Some(room)))
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
