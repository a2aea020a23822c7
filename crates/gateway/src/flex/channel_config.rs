//! The channel description a ping with `DSNeedsConfig` gets as its body:
//! the `ConfigMap` tree BlazeDS's `MessageBroker.describeServices` sends
//! for a client that has no services-config.xml compiled in.
//!
//! BlazeDS describes the endpoint the request came on and its default
//! channels; flexgate has no default-channel list, so the request's channel
//! is both. `service` entries are left out as BlazeDS leaves them out when
//! no destination is reliable (flexgate has no reliable destinations).

use crate::config::{ChannelConfig, ChannelKind};
use flexgate_amf::{Object, Traits, Value};

/// The Java class the Flex client maps to `mx.messaging.config.ConfigMap`.
const CONFIG_MAP: &str = "flex.messaging.config.ConfigMap";

/// Element and attribute names of services-config.xml, as BlazeDS names
/// them in the description.
mod key {
    pub(super) const DEFAULT_CHANNELS: &str = "default-channels";
    pub(super) const CHANNELS: &str = "channels";
    pub(super) const CHANNEL: &str = "channel";
    pub(super) const REF: &str = "ref";
    pub(super) const ID: &str = "id";
    pub(super) const TYPE: &str = "type";
    pub(super) const ENDPOINT: &str = "endpoint";
    pub(super) const URI: &str = "uri";
    pub(super) const PROPERTIES: &str = "properties";
    pub(super) const SERIALIZATION: &str = "serialization";
    pub(super) const ENABLE_SMALL_MESSAGES: &str = "enable-small-messages";
    pub(super) const POLLING_ENABLED: &str = "polling-enabled";
    pub(super) const POLLING_INTERVAL_MILLIS: &str = "polling-interval-millis";
    /// An element's text (`<polling-enabled>true</polling-enabled>`)
    /// rather than an attribute.
    pub(super) const TEXT: &str = "";
}

/// The client-side channel classes.
const AMF_CHANNEL: &str = "mx.messaging.channels.AMFChannel";
const STREAMING_AMF_CHANNEL: &str = "mx.messaging.channels.StreamingAMFChannel";

/// The host part the Flex client fills in from the URL it was loaded from.
const URL_HOST: &str = "http://{server.name}:{server.port}";

/// The description of channel `id` for a client that asked for it.
pub(super) fn describe(id: &str, channel: &ChannelConfig) -> Value {
    config_map(vec![
        (
            key::DEFAULT_CHANNELS,
            config_map(vec![(
                key::CHANNEL,
                config_map(vec![(key::REF, id.into())]),
            )]),
        ),
        (
            key::CHANNELS,
            config_map(vec![(key::CHANNEL, describe_channel(id, channel))]),
        ),
    ])
}

/// One `channel` entry: id, client class, endpoint URL and the properties
/// the client acts on.
fn describe_channel(id: &str, channel: &ChannelConfig) -> Value {
    let client_class = match channel.kind {
        ChannelKind::Amf | ChannelKind::LongPolling => AMF_CHANNEL,
        ChannelKind::Streaming => STREAMING_AMF_CHANNEL,
    };
    let mut properties = vec![(
        key::SERIALIZATION,
        config_map(vec![(
            key::ENABLE_SMALL_MESSAGES,
            channel.enable_small_messages.to_string().into(),
        )]),
    )];
    if channel.kind == ChannelKind::LongPolling {
        // The client polls again at once: the server holds each poll.
        properties.push((key::POLLING_ENABLED, text("true")));
        properties.push((key::POLLING_INTERVAL_MILLIS, text("0")));
    }
    config_map(vec![
        (key::ID, id.into()),
        (key::TYPE, client_class.into()),
        (
            key::ENDPOINT,
            config_map(vec![(
                key::URI,
                format!("{URL_HOST}{}", channel.path).into(),
            )]),
        ),
        (key::PROPERTIES, config_map(properties)),
    ])
}

/// A ConfigMap holding only an element's text.
fn text(value: &str) -> Value {
    config_map(vec![(key::TEXT, value.into())])
}

/// A ConfigMap as BlazeDS writes one: a typed object whose sealed members
/// are the map's keys, in insertion order.
fn config_map(entries: Vec<(&str, Value)>) -> Value {
    let names: Vec<&str> = entries.iter().map(|(k, _)| *k).collect();
    let values = entries.into_iter().map(|(_, v)| v).collect();
    Value::object(Object::typed(Traits::sealed(CONFIG_MAP, &names), values))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get<'a>(v: &'a Value, path: &[&str]) -> &'a Value {
        path.iter().fold(v, |v, k| {
            v.as_object()
                .and_then(|o| o.get(k))
                .unwrap_or_else(|| panic!("no {k}"))
        })
    }

    #[test]
    fn long_polling_channels_advertise_polling() {
        let channel = ChannelConfig {
            kind: ChannelKind::LongPolling,
            path: "/lp".into(),
            enable_small_messages: false,
            ..ChannelConfig::default()
        };
        let d = describe("lp", &channel);
        let c = get(&d, &["channels", "channel"]);
        assert_eq!(c.as_object().map(Object::class), Some(CONFIG_MAP));
        assert_eq!(get(c, &["type"]).as_str(), Some(AMF_CHANNEL));
        assert_eq!(
            get(c, &["endpoint", "uri"]).as_str(),
            Some("http://{server.name}:{server.port}/lp")
        );
        let p = ["properties"];
        let at = |k: &[&str]| get(get(c, &p), k).as_str();
        assert_eq!(
            at(&["serialization", "enable-small-messages"]),
            Some("false")
        );
        assert_eq!(at(&["polling-enabled", ""]), Some("true"));
        assert_eq!(at(&["polling-interval-millis", ""]), Some("0"));
    }
}
