//! py3amf, an AMF implementation nobody on flexgate wrote, as a Flex client
//! against a live gateway: tests/interop/py3amf_client.py drives it.
//!
//! Python comes from `flexgate_testkit::py3amf_python` (`FLEXGATE_PY3AMF_PYTHON`,
//! else the venv of scripts/install-test-deps, else `python3`). Without
//! py3amf the test is ignored, and under `CI=true` it runs and fails.

mod common;

use common::{add_user, TestServer};
use flexgate_gateway::config::Config;
use std::path::Path;
use std::process::Command;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(flexgate_py3amf),
    ignore = "needs py3amf: FLEXGATE_PY3AMF_PYTHON or its venv (scripts/test installs it)"
)]
async fn py3amf_client_talks_to_flexgate() {
    let python = flexgate_testkit::require(flexgate_testkit::py3amf_python());
    let mut config = Config::default();
    add_user(&mut config, "alice", "secret", &["traders"]);
    let server = TestServer::start(config).await;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/py3amf_client.py");
    let base = server.base.clone();
    // The driver blocks on HTTP; run it off the runtime that serves it.
    let out = tokio::task::spawn_blocking(move || {
        Command::new(&python)
            .arg(&script)
            .arg(&base)
            .output()
            .expect("the driver runs")
    })
    .await
    .expect("driver task");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "py3amf driver failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
    assert!(stdout.contains("checks ok"), "{stdout}");
    server.running.shutdown().await;
}
