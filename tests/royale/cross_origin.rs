//! The Royale app from one origin, the gateway on another (issue #16): a
//! flexgate serving only the compiled page (`[static] root`, its channels
//! unused) and the suite's gateway on another port with
//! `[cors] origins = [the page's origin]`. The page's channel URLs point
//! at the gateway (`?gateway=`).
//!
//! What Royale 0.9.12 does across origins (read in its sources, asserted
//! here): its JS AMF channel never sets `withCredentials`, so no cookie
//! goes out or comes back unless the application sets the flag
//! (app/Credentials.as, `?credentials=include`); and it parses but never
//! applies the `AppendToGatewayUrl` header (only its SWF code path calls
//! it), so without cookies every request arrives in a fresh HTTP session.

use super::page::Page;
use super::{app, config};
use flexgate_gateway::config::Config;
use flexgate_gateway::{Gateway, Running};
use serde_json::{json, Value};

/// The page's server, the gateway and the page.
struct CrossOrigin {
    /// Serves the page; kept running for the page's lifetime.
    _pages: Running,
    gateway: Running,
    page: Page,
}

impl CrossOrigin {
    /// Opens scenario `cross-origin` with `credentials` (`include`: the
    /// app sets `withCredentials`) against a gateway configured by
    /// `tweak` on top of the suite's config and the CORS origin.
    async fn open(credentials: &str, tweak: impl FnOnce(&mut Config)) -> CrossOrigin {
        let tools = flexgate_testkit::require(flexgate_testkit::royale());
        let site = app::site(&tools);
        let any_port = "127.0.0.1:0".parse().expect("address");
        let mut page_config = Config::parse("").expect("empty config");
        page_config.listen = any_port;
        page_config.static_files.root = Some(site.clone());
        let pages = Gateway::new(page_config)
            .start()
            .await
            .expect("page server starts");
        let page_origin = format!("http://{}", pages.local_addr());
        let mut gateway_config = config(&site, any_port);
        gateway_config.static_files.root = None;
        gateway_config.cors.origins = vec![page_origin.clone()];
        tweak(&mut gateway_config);
        let gateway = Gateway::new(gateway_config)
            .start()
            .await
            .expect("gateway starts");
        let gateway_origin = format!("http://{}", gateway.local_addr());
        assert_ne!(page_origin, gateway_origin);
        let page = Page::open(
            &tools,
            &format!(
                "{page_origin}/?scenario=cross-origin&gateway={gateway_origin}\
                 &credentials={credentials}"
            ),
        );
        CrossOrigin {
            _pages: pages,
            gateway,
            page,
        }
    }

    async fn clients(&self) -> usize {
        self.gateway.snapshot().await.clients_total
    }

    /// Waits for step "exchanged", checks the gateway holds one Flex
    /// client for the whole page, and returns the report.
    async fn exchanged(&mut self) -> Value {
        self.page.step("exchanged").await;
        assert_eq!(
            self.clients().await,
            1,
            "one Flex client for the page's echo, subscribe, publish and polls"
        );
        self.page.go("exchanged").await;
        self.page.report().await
    }
}

fn assert_exchanged(r: &Value) {
    assert_eq!(r["echo"], json!("hello from another origin"), "{r}");
    assert_eq!(r["body"], json!({"text": "across origins"}), "{r}");
}

#[tokio::test]
#[cfg_attr(
    not(flexgate_royale),
    ignore = "needs node, java, chromium and tests/royale's npm packages"
)]
async fn cross_origin_with_the_session_cookie() {
    let mut s = CrossOrigin::open("include", |_| {}).await;
    let r = s.exchanged().await;
    assert_exchanged(&r);
}

/// Royale as it comes: no cookie, the URL token ignored. The first request
/// (the channel's ping) creates the Flex client in one session; the next,
/// naming that `DSId` from a fresh session, is refused as BlazeDS's
/// `BaseHTTPEndpoint.setupFlexClient` refuses a FlexClient seen over two
/// HTTP sessions ("session cookies must be enabled").
#[tokio::test]
#[cfg_attr(
    not(flexgate_royale),
    ignore = "needs node, java, chromium and tests/royale's npm packages"
)]
async fn cross_origin_without_cookies_is_refused_by_the_session_binding() {
    let mut s = CrossOrigin::open("omit", |_| {}).await;
    let r = s.page.report().await;
    assert_eq!(r["faultAt"], json!("echo"), "{r}");
    assert_eq!(
        r["faultCode"],
        json!("Server.Processing.DuplicateSessionDetected"),
        "{r}"
    );
    assert_eq!(s.clients().await, 1, "the refused call created no client");
}

/// Without cookies and with `[session] bind_clients = false` (what
/// docs/security.md offers clients without a cookie jar): the `DSId`
/// alone carries the client, and everything works.
#[tokio::test]
#[cfg_attr(
    not(flexgate_royale),
    ignore = "needs node, java, chromium and tests/royale's npm packages"
)]
async fn cross_origin_without_cookies_works_unbound() {
    let mut s = CrossOrigin::open("omit", |c| c.session.bind_clients = false).await;
    let r = s.exchanged().await;
    assert_exchanged(&r);
}
