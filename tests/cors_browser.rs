//! CORS in a real browser (headless Chromium): a page served from one
//! origin (a tiny server on another port) POSTs real AMF bytes (the ping
//! fixture) to the gateway with `fetch`, which needs a preflight for
//! `application/x-amf`. The page writes each reply's status and bytes into
//! its DOM; the test decodes them. With credentials the browser keeps the
//! session cookie (the second reply announces no new session), without it
//! every reply announces one (`AppendToGatewayUrl`); from an origin not
//! configured the browser withholds the reply.

mod common;

use common::browser::{chromium, headless, text_of};
use common::{fixture, TestServer, AMF};
use flexgate_amf::Packet;
use flexgate_gateway::config::Config;
use flexgate_messages::registry;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// The page: two POSTs of `ping` to `gateway` with `credentials`, results
/// written into `#result` as `STATUS:HEX` (or `blocked`), space-separated.
fn page(gateway: &str, credentials: &str) -> String {
    let ping: String = fixture("requests/ping.amf")
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!(
        r#"<!doctype html><html><body><pre id="result">pending</pre><script>
const ping = new Uint8Array("{ping}".match(/../g).map(h => parseInt(h, 16)));
async function post() {{
  try {{
    const r = await fetch("{gateway}", {{method: "POST", body: ping,
      headers: {{"Content-Type": "application/x-amf"}}, credentials: "{credentials}"}});
    const b = new Uint8Array(await r.arrayBuffer());
    return r.status + ":" + Array.from(b, x => x.toString(16).padStart(2, "0")).join("");
  }} catch (e) {{ return "blocked"; }}
}}
(async () => {{
  const first = await post();
  const second = await post();
  document.getElementById("result").textContent = first + " " + second;
}})();
</script></body></html>"#
    )
}

/// Serves `html` to every request on `listener` until the task is aborted.
fn serve_page(listener: TcpListener, html: String) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = listener.accept().await else {
                return;
            };
            let html = html.clone();
            tokio::spawn(async move {
                // The request head only; the page takes no body.
                let mut buf = [0u8; 4096];
                let _ = s.read(&mut buf).await;
                let reply = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\n\
                     content-length: {}\r\nconnection: close\r\n\r\n{html}",
                    html.len()
                );
                let _ = s.write_all(reply.as_bytes()).await;
                let _ = s.shutdown().await;
            });
        }
    })
}

/// Runs the page in Chromium against a gateway allowing `allowed` (the
/// page's own origin when `None`); the two results.
async fn run(credentials: &str, allowed: Option<&str>) -> Vec<String> {
    let chromium = chromium();
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let page_origin = format!("http://{}", listener.local_addr().expect("addr"));
    let origin = allowed.unwrap_or(&page_origin);
    let config = Config::parse(&format!("[cors]\norigins = [\"{origin}\"]\n")).expect("config");
    let server = TestServer::start(config).await;
    let pages = serve_page(listener, page(&server.url(AMF), credentials));
    let dom = headless(
        &chromium,
        &format!("{page_origin}/"),
        10_000,
        &["--dump-dom".into()],
    )
    .await;
    pages.abort();
    server.running.shutdown().await;
    text_of(&dom, "result")
        .split(' ')
        .map(str::to_owned)
        .collect()
}

/// A `STATUS:HEX` result's reply packet (status 200 asserted).
fn reply(result: &str) -> Packet {
    let hex = result
        .strip_prefix("200:")
        .unwrap_or_else(|| panic!("not a 200: {result}"));
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
        .collect();
    Packet::decode(bytes.into(), registry()).expect("the reply decodes")
}

fn announces_a_session(p: &Packet) -> bool {
    p.headers
        .iter()
        .any(|h| h.name.as_str() == "AppendToGatewayUrl")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(flexgate_chromium),
    ignore = "needs chromium: on the PATH or FLEXGATE_CHROMIUM (scripts/test installs it)"
)]
async fn a_page_from_another_origin_talks_amf_with_cookies() {
    let results = run("include", None).await;
    let (first, second) = (reply(&results[0]), reply(&results[1]));
    assert!(first.bodies[0].target.ends_with("/onResult"));
    assert!(announces_a_session(&first), "a new session");
    assert!(
        !announces_a_session(&second),
        "the browser sent the cookie back"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(flexgate_chromium),
    ignore = "needs chromium: on the PATH or FLEXGATE_CHROMIUM (scripts/test installs it)"
)]
async fn a_page_from_another_origin_talks_amf_without_cookies() {
    let results = run("omit", None).await;
    let (first, second) = (reply(&results[0]), reply(&results[1]));
    assert!(first.bodies[0].target.ends_with("/onResult"));
    assert!(announces_a_session(&first));
    assert!(
        announces_a_session(&second),
        "no cookie: a new session each time"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(flexgate_chromium),
    ignore = "needs chromium: on the PATH or FLEXGATE_CHROMIUM (scripts/test installs it)"
)]
async fn a_page_from_an_origin_not_configured_is_refused() {
    let results = run("include", Some("http://app.example.com")).await;
    assert_eq!(results, ["blocked", "blocked"]);
}
