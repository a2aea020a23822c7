//! py3amf's NetConnection client (an AMF implementation nobody on flexgate
//! wrote) calls `Orders.describe` on a destination served by the Python and
//! the Node backend of tests/backends/, in AMF0 and AMF3, and reads typed
//! results, dates and faults (tests/interop/py3amf_backend_client.py).

mod common;

use common::backend::BackendProcess;
use common::{add_user, TestServer};
use flexgate_gateway::config::{Config, DestinationConfig, DestinationKind, HttpBackendConfig};
use std::path::{Path, PathBuf};
use std::process::Command;

async fn drive(backend: &BackendProcess, lang: &str) {
    let python = flexgate_testkit::require(flexgate_testkit::py3amf_python());
    let mut config = Config::default();
    add_user(&mut config, "alice", "secret", &["traders"]);
    config.destinations.insert(
        "Orders".into(),
        DestinationConfig {
            kind: DestinationKind::Remoting,
            http: Some(HttpBackendConfig {
                timeout_ms: 1_000,
                ..HttpBackendConfig::new(&backend.url)
            }),
            ..DestinationConfig::default()
        },
    );
    let server = TestServer::start(config).await;
    let script: PathBuf =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/py3amf_backend_client.py");
    let (base, lang_arg) = (server.base.clone(), lang.to_owned());
    // The driver blocks on HTTP; run it off the runtime that serves it.
    let out = tokio::task::spawn_blocking(move || {
        Command::new(&python)
            .arg(&script)
            .arg(&base)
            .arg(&lang_arg)
            .output()
            .expect("the driver runs")
    })
    .await
    .expect("driver task");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "py3amf driver failed ({}):\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("3 of 3 checks ok"), "{stdout}");
    server.running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(all(flexgate_py3amf, flexgate_python)),
    ignore = "needs py3amf (scripts/test installs it) and python3 on the PATH"
)]
async fn py3amf_net_connection_calls_reach_a_python_backend() {
    let python = flexgate_testkit::require(flexgate_testkit::python());
    drive(&BackendProcess::start(&python, "backend.py"), "python").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(all(flexgate_py3amf, flexgate_node)),
    ignore = "needs py3amf (scripts/test installs it) and node on the PATH"
)]
async fn py3amf_net_connection_calls_reach_a_node_backend() {
    let node = flexgate_testkit::require(flexgate_testkit::node());
    drive(&BackendProcess::start(&node, "backend.js"), "node").await;
}
