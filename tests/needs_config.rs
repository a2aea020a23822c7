//! A ping with `DSNeedsConfig`: the acknowledgement's body describes the
//! channel as BlazeDS's does (shared/blazeds-reference `ping_needsconfig`):
//! nested `flex.messaging.config.ConfigMap` objects whose sealed members
//! are the services-config.xml element names.

mod common;

use common::*;
use flexgate_amf::{Object, Value};
use flexgate_gateway::config::Config;
use flexgate_messages::headers as h;
use flexgate_messages::CommandOperation;

const CONFIG_MAP: &str = "flex.messaging.config.ConfigMap";

/// The ConfigMap at `path` under `v`, checking every level's class.
fn map<'a>(v: &'a Value, path: &[&str]) -> &'a Object {
    let mut o = v.as_object().expect("a ConfigMap");
    for k in path {
        assert_eq!(o.class(), CONFIG_MAP);
        o = o
            .get(k)
            .and_then(Value::as_object)
            .unwrap_or_else(|| panic!("no {k}"));
    }
    assert_eq!(o.class(), CONFIG_MAP);
    o
}

/// A ConfigMap's keys, in wire order.
fn keys(o: &Object) -> Vec<&str> {
    o.members().map(|(k, _)| k.as_ref()).collect()
}

fn string<'a>(o: &'a Object, k: &str) -> Option<&'a str> {
    o.get(k).and_then(Value::as_str)
}

async fn needs_config_ping(url: String) -> Value {
    let mut client = FlexClient::new(url);
    let mut ping = command(CommandOperation::ClientPing, "");
    ping.base_mut().headers.set(h::DS_MESSAGING_VERSION, 1.0);
    ping.base_mut().headers.set(h::DS_NEEDS_CONFIG, true);
    let reply = client.send_one(ping).await;
    assert!(reply.is_result(), "{reply:?}");
    reply.message.body().clone()
}

#[tokio::test]
async fn the_amf_channel_is_described_as_blazeds_does() {
    let server = TestServer::start(Config::default()).await;
    let body = needs_config_ping(server.url(AMF)).await;
    let top = map(&body, &[]);
    assert_eq!(keys(top), ["default-channels", "channels"]);
    let default = map(&body, &["default-channels", "channel"]);
    assert_eq!(keys(default), ["ref"]);
    assert_eq!(string(default, "ref"), Some("my-amf"));
    let channel = map(&body, &["channels", "channel"]);
    assert_eq!(keys(channel), ["id", "type", "endpoint", "properties"]);
    assert_eq!(string(channel, "id"), Some("my-amf"));
    assert_eq!(
        string(channel, "type"),
        Some("mx.messaging.channels.AMFChannel")
    );
    let endpoint = map(&body, &["channels", "channel", "endpoint"]);
    assert_eq!(keys(endpoint), ["uri"]);
    assert_eq!(
        string(endpoint, "uri"),
        Some("http://{server.name}:{server.port}/messagebroker/amf")
    );
    let properties = map(&body, &["channels", "channel", "properties"]);
    assert_eq!(keys(properties), ["serialization"]);
    let serialization = map(
        &body,
        &["channels", "channel", "properties", "serialization"],
    );
    assert_eq!(string(serialization, "enable-small-messages"), Some("true"));
    server.running.shutdown().await;
}

#[tokio::test]
async fn long_polling_and_streaming_channels_carry_their_properties() {
    let mut config = Config::default();
    config
        .channels
        .get_mut("my-longpolling-amf")
        .expect("demo channel")
        .enable_small_messages = false;
    let server = TestServer::start(config).await;
    let body = needs_config_ping(server.url(LONG_POLLING)).await;
    let channel = map(&body, &["channels", "channel"]);
    assert_eq!(string(channel, "id"), Some("my-longpolling-amf"));
    let properties = map(&body, &["channels", "channel", "properties"]);
    assert_eq!(
        keys(properties),
        [
            "serialization",
            "polling-enabled",
            "polling-interval-millis"
        ]
    );
    let at = |k: &str| string(map(&body, &["channels", "channel", "properties", k]), "");
    assert_eq!(at("polling-enabled"), Some("true"));
    assert_eq!(at("polling-interval-millis"), Some("0"));
    let serialization = map(
        &body,
        &["channels", "channel", "properties", "serialization"],
    );
    assert_eq!(
        string(serialization, "enable-small-messages"),
        Some("false")
    );

    let body = needs_config_ping(server.url(STREAMING)).await;
    let channel = map(&body, &["channels", "channel"]);
    assert_eq!(
        string(channel, "type"),
        Some("mx.messaging.channels.StreamingAMFChannel")
    );
    let properties = map(&body, &["channels", "channel", "properties"]);
    assert_eq!(keys(properties), ["serialization"]);
    server.running.shutdown().await;
}

#[tokio::test]
async fn a_plain_ping_has_no_description() {
    let server = TestServer::start(Config::default()).await;
    let mut client = FlexClient::new(server.url(AMF));
    let reply = client.ping().await;
    let described = reply
        .message
        .body()
        .as_object()
        .is_some_and(|o| o.class() == CONFIG_MAP);
    assert!(!described, "{:?}", reply.message.body());
    server.running.shutdown().await;
}

/// A LOGIN with `DSNeedsConfig` gets the description instead of
/// `"success"`, refused or not: BlazeDS's MessageBroker.routeCommandToService
/// sets it on the reply of either operation.
#[tokio::test]
async fn a_login_with_needs_config_is_described_too() {
    let mut config = Config::default();
    add_user(&mut config, "alice", "secret", &[]);
    let server = TestServer::start(config).await;
    let mut client = FlexClient::new(server.url(AMF));
    client.ping().await;
    for (password, accepted) in [("nope", false), ("secret", true)] {
        let mut request = login("alice", password);
        request.base_mut().headers.set(h::DS_NEEDS_CONFIG, true);
        let reply = client.send_one(request).await;
        assert_eq!(reply.is_result(), accepted, "{reply:?}");
        let channel = map(reply.message.body(), &["channels", "channel"]);
        assert_eq!(string(channel, "id"), Some("my-amf"));
    }
    // Without the header a login still answers "success".
    let reply = client.send_one(login("alice", "secret")).await;
    assert_eq!(reply.message.body(), &Value::from("success"));
    server.running.shutdown().await;
}
