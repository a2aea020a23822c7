//! `flexgate import-blazeds`: BlazeDS configs written here
//! (fixtures/import/full) → the TOML and findings expected; the BlazeDS
//! reference config (fixtures/blazeds/config) → a gateway serving the same
//! channels and destinations. Hostile XML: tests/import_hostile.rs.

mod common;

use common::{add_user, login, remote, subscribe, FlexClient, TestServer};
use flexgate_amf::Value;
use flexgate_gateway::config::{ChannelKind, Config, DestinationKind};
use flexgate_gateway::import::{import, FindingKind, Import, Options};
use std::path::{Path, PathBuf};

fn fixture_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

fn full_import() -> Import {
    let options = Options {
        context_root: "/shop".into(),
        tokens: [("poll.wait".to_owned(), "20000".to_owned())].into(),
    };
    import(&fixture_path("import/full/services-config.xml"), &options).expect("imports")
}

/// The TOML without its comment header (which names the input path).
fn body(toml: &str) -> &str {
    toml.split_once("\n\n").map_or(toml, |(_, b)| b)
}

/// `kind element` for every finding, file names only.
fn findings(import: &Import) -> Vec<String> {
    import
        .findings
        .iter()
        .map(|f| {
            let kind = match f.kind {
                FindingKind::Unmapped => "unmapped",
                FindingKind::Note => "note",
            };
            let file = Path::new(&f.file)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            format!("{kind} {file}:{} {}", f.line, f.element)
        })
        .collect()
}

#[test]
fn every_mapped_element_lands_in_the_toml() {
    let done = full_import();
    let expected =
        std::fs::read_to_string(fixture_path("import/full/expected.toml")).expect("expected.toml");
    assert_eq!(body(&done.toml), expected);
    assert!(done
        .toml
        .starts_with("# Imported by `flexgate import-blazeds` from "));
    Config::parse(&done.toml).expect("flexgate loads what it wrote");
}

#[test]
fn every_unmapped_element_is_reported() {
    let done = full_import();
    let sc = "services-config.xml";
    let got = findings(&done);
    let want = [
        "unmapped constraints.xml:4 security-constraints/security-constraint[ops]/auth-method".to_owned(),
        format!("unmapped {sc}:14 services-config/security/login-command"),
        format!("unmapped {sc}:24 services-config/channels/channel-definition[my-amf]/properties/serialization/legacy-collection"),
        format!("unmapped {sc}:26 services-config/channels/channel-definition[my-amf]/properties/add-no-cache-headers"),
        format!("note {sc}:30 services-config/channels/channel-definition[my-secure-amf]/endpoint"),
        format!("unmapped {sc}:39 services-config/channels/channel-definition[my-longpolling-amf]/properties/client-wait-interval-millis"),
        format!("unmapped {sc}:42 services-config/channels/channel-definition[my-http]"),
        "unmapped channels.xml:7 channel-definition[my-streaming-amf]/properties/user-agent-settings".to_owned(),
        "unmapped remoting.xml:3 service[remoting-service]/adapters".to_owned(),
        "note remoting.xml:7 service[remoting-service]/destination[AccountService]".to_owned(),
        "unmapped remoting.xml:9 service[remoting-service]/destination[AccountService]/properties/source".to_owned(),
        "unmapped remoting.xml:17 service[remoting-service]/destination[Reports]".to_owned(),
        "note remoting.xml:22 service[remoting-service]/destination[HttpOnly]".to_owned(),
        "unmapped remoting.xml:22 service[remoting-service]/destination[HttpOnly]".to_owned(),
        "unmapped 1-market.xml:15 services/service[message-service]/destination[market]/properties/server/durable".to_owned(),
        "unmapped 1-market.xml:18 services/service[message-service]/destination[market]/properties/network/subscription-timeout-minutes".to_owned(),
        "unmapped 1-market.xml:19 services/service[message-service]/destination[market]/properties/network/throttle-outbound".to_owned(),
        "unmapped 2-proxy.xml:2 service[proxy-service]".to_owned(),
        format!("unmapped {sc}:60 services-config/logging"),
        format!("unmapped {sc}:63 services-config/clusters"),
        format!("note {sc}:4 services-config"),
        format!("note {sc}:4 services-config"),
    ];
    assert_eq!(got, want);
    let reasons: Vec<String> = done.findings.iter().map(ToString::to_string).collect();
    let has = |needle: &str| reasons.iter().any(|r| r.contains(needle));
    assert!(has("HTTPEndpoint: AMFX (HTTPChannel) is not served"));
    assert!(has(
        "names no role, which flexgate cannot express; the destination is left out"
    ));
    assert!(has(
        "{context.root} in endpoint URLs was replaced with /shop (--context-root)"
    ));
    assert!(has("Basic: flexgate sends no HTTP Basic challenge"));
}

#[test]
fn an_unfilled_token_is_reported_and_the_setting_left_out() {
    let options = Options {
        context_root: "/shop".into(),
        ..Options::default()
    };
    let done = import(&fixture_path("import/full/services-config.xml"), &options).expect("imports");
    let config = Config::parse(&done.toml).expect("loads");
    // Without a wait interval the polls do not wait: an amf channel.
    assert_eq!(config.channels["my-longpolling-amf"].kind, ChannelKind::Amf);
    assert!(done.findings.iter().any(|f| f.kind == FindingKind::Unmapped
        && f.element
            .ends_with("my-longpolling-amf]/properties/wait-interval-millis")
        && f.reason.contains("--token poll.wait=VALUE")));
}

fn reference() -> Import {
    import(
        &fixture_path("blazeds/config/services-config.xml"),
        &Options::default(),
    )
    .expect("the reference config imports")
}

#[test]
fn the_reference_config_maps_its_channels_and_destinations() {
    let done = reference();
    let config = Config::parse(&done.toml).expect("loads");
    let channels: Vec<(&str, &str, ChannelKind)> = config
        .channels
        .iter()
        .map(|(id, c)| (id.as_str(), c.path.as_str(), c.kind))
        .collect();
    assert_eq!(
        channels,
        [
            ("my-amf", "/messagebroker/amf", ChannelKind::Amf),
            (
                "my-longpolling-amf",
                "/messagebroker/amflongpolling",
                ChannelKind::LongPolling
            ),
            (
                "my-polling-amf",
                "/messagebroker/amfpolling",
                ChannelKind::Amf
            ),
            (
                "my-streaming-amf",
                "/messagebroker/streamingamf",
                ChannelKind::Streaming
            ),
        ]
    );
    let lp = &config.channels["my-longpolling-amf"];
    assert_eq!((lp.wait_interval_ms, lp.max_waiting_polls), (30_000, 100));
    let st = &config.channels["my-streaming-amf"];
    assert_eq!((st.heartbeat_ms, st.max_streaming_clients), (5_000, 100));
    let all = [
        "my-amf",
        "my-polling-amf",
        "my-longpolling-amf",
        "my-streaming-amf",
    ];
    let echo = &config.destinations["EchoService"];
    assert_eq!(echo.kind, DestinationKind::Remoting);
    assert_eq!(echo.channels, all);
    let chat = &config.destinations["chat"];
    assert_eq!(chat.kind, DestinationKind::Messaging);
    assert_eq!(chat.channels, all);
    assert_eq!(chat.messaging.ttl_override_ms, Some(60_000));
    assert!(chat.messaging.allow_subtopics);
    assert_eq!(chat.messaging.subtopic_separator, ".");
    assert_eq!(config.destinations.len(), 2);
    let unmapped: Vec<&str> = done
        .findings
        .iter()
        .filter(|f| f.kind == FindingKind::Unmapped)
        .map(|f| f.element.rsplit('/').next().unwrap_or(""))
        .collect();
    assert_eq!(
        unmapped,
        [
            "polling-enabled",
            "polling-interval-seconds",
            "adapters",
            "source",
            "scope",
            "adapters",
            "subscription-timeout-minutes",
            "logging",
            "system",
        ]
    );
}

#[tokio::test]
async fn the_imported_reference_config_serves_the_same_channels_and_destinations() {
    let done = reference();
    let config = Config::parse(&done.toml).expect("loads");
    let paths: Vec<String> = config.channels.values().map(|c| c.path.clone()).collect();
    let server = TestServer::start(config).await;
    for path in &paths {
        let mut client = FlexClient::new(server.url(path));
        let ping = client.ping().await;
        assert!(ping.is_result(), "{path}: {ping:?}");
    }
    let mut consumer = FlexClient::new(server.url("/messagebroker/amflongpolling"));
    consumer.ping().await;
    let sub = consumer
        .send_one(subscribe("chat", "C-1", Some("room.1"), None))
        .await;
    assert!(sub.is_result(), "{sub:?}");
    let mut caller = FlexClient::new(server.url("/messagebroker/amf"));
    caller.ping().await;
    let echo = caller
        .send_one(remote("EchoService", "echo", vec![Value::from("hi")]))
        .await;
    assert!(echo.is_result(), "{echo:?}");
    assert_eq!(echo.message.body(), &Value::from("hi"));
    server.running.shutdown().await;
}

#[tokio::test]
async fn imported_roles_guard_the_destination() {
    let mut config = Config::parse(&full_import().toml).expect("loads");
    add_user(&mut config, "rita", "pw", &["readers"]);
    let server = TestServer::start(config).await;
    let mut c = FlexClient::new(server.url("/shop/messagebroker/amflongpolling"));
    c.ping().await;
    let refused = c.send_one(subscribe("news", "N-1", None, None)).await;
    assert!(!refused.is_result(), "{refused:?}");
    assert!(c.send_one(login("rita", "pw")).await.is_result());
    let sub = c.send_one(subscribe("news", "N-1", None, None)).await;
    assert!(sub.is_result(), "{sub:?}");
    server.running.shutdown().await;
}
