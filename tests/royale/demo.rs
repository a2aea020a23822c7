//! The demo page (demo/, built by scripts/build-demo) served by the demo
//! configuration (flexgate.toml: `[static] root = "target/demo"`, here
//! pointed at the test's build): a newcomer's browser sees EchoService
//! answer and its own chat message come back.

use super::app;
use super::page::Page;
use flexgate_gateway::config::Config;
use flexgate_gateway::Gateway;
use serde_json::json;
use std::path::Path;

#[tokio::test]
#[cfg_attr(
    not(flexgate_royale),
    ignore = "needs node, java, chromium and tests/royale's npm packages"
)]
async fn the_demo_page_echoes_and_chats() {
    let tools = flexgate_testkit::require(flexgate_testkit::royale());
    let site = app::demo_site(&tools);
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("flexgate.toml");
    let mut config = Config::load(&file).expect("flexgate.toml loads");
    assert_eq!(
        config.static_files.root.as_deref(),
        Some(Path::new(flexgate_gateway::demo::PAGE_ROOT))
    );
    config.static_files.root = Some(site);
    config.listen = "127.0.0.1:0".parse().expect("address");
    let running = Gateway::new(config).start().await.expect("gateway starts");
    let mut page = Page::open(&tools, &format!("http://{}/", running.local_addr()));
    assert_eq!(page.logged("echo").await, json!("Hello from Royale"));
    page.logged("subscribed").await;
    assert_eq!(
        page.logged("message").await,
        json!("Royale joined the chat")
    );
    let snapshot = running.snapshot().await;
    assert_eq!(snapshot.clients_total, 1, "one Flex client for the page");
}
