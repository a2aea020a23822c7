//! The example config in the repository parses and spells out the demo.

use flexgate_gateway::config::{ChannelKind, Config, DestinationKind};
use std::path::Path;

#[test]
fn example_config_matches_the_built_in_demo() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../flexgate.toml");
    let file = Config::load(&path).expect("flexgate.toml loads");
    let demo = flexgate_gateway::demo::config();
    assert_eq!(file.listen, demo.listen);
    assert_eq!(
        file.static_files.root, demo.static_files.root,
        "the demo page"
    );
    assert_eq!(
        demo.static_files.root.as_deref(),
        Some(Path::new(flexgate_gateway::demo::PAGE_ROOT))
    );
    assert_eq!(
        file.channels.keys().collect::<Vec<_>>(),
        demo.channels.keys().collect::<Vec<_>>()
    );
    for (id, c) in &demo.channels {
        let f = &file.channels[id];
        assert_eq!(
            (f.kind, &f.path, f.wait_interval_ms),
            (c.kind, &c.path, c.wait_interval_ms),
            "{id}"
        );
    }
    assert_eq!(file.destinations["chat"].kind, DestinationKind::Messaging);
    assert_eq!(
        file.destinations["EchoService"].kind,
        DestinationKind::Remoting
    );
    assert_eq!(
        file.channel_for_path("/messagebroker/amflongpolling;jsessionid=1")
            .map(|(_, c)| c.kind),
        Some(ChannelKind::LongPolling)
    );
}

#[test]
fn bad_configs_are_refused_with_a_reason() {
    let unknown_channel = "[destinations.x]\nchannels = [\"nope\"]\n";
    let e = Config::parse(unknown_channel).expect_err("unknown channel");
    assert!(e.to_string().contains("unknown channel 'nope'"), "{e}");
    let typo = "listen = \"127.0.0.1:1\"\nlisten_port = 3\n";
    assert!(Config::parse(typo).is_err(), "unknown keys are refused");
    let dup = "[channels.a]\npath = \"/x\"\n[channels.b]\npath = \"/x\"\n";
    assert!(Config::parse(dup)
        .expect_err("duplicate path")
        .to_string()
        .contains("used twice"));
}
