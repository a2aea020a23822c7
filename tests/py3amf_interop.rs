//! py3amf, an AMF implementation nobody on flexgate wrote, as a Flex client
//! against a live gateway: tests/interop/py3amf_client.py drives it.
//!
//! Python comes from `FLEXGATE_PY3AMF_PYTHON` (set by .ci/run), else
//! `python3`. Without py3amf the test is skipped with a message, except
//! under `CI=true`, where a missing py3amf is a failure.

mod common;

use common::{add_user, TestServer};
use flexgate_gateway::config::Config;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The Python with py3amf, or why there is none.
fn py3amf_python() -> Result<PathBuf, String> {
    let python = std::env::var_os("FLEXGATE_PY3AMF_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("python3"));
    match Command::new(&python)
        .args(["-c", "import pyamf.remoting.client, pyamf.flex.messaging"])
        .output()
    {
        Ok(out) if out.status.success() => Ok(python),
        Ok(out) => Err(format!(
            "{} cannot import pyamf: {}",
            python.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        )),
        Err(e) => Err(format!("cannot run {}: {e}", python.display())),
    }
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn py3amf_client_talks_to_flexgate() {
    let python = match py3amf_python() {
        Ok(p) => p,
        Err(why) if in_ci() => panic!("py3amf is required under CI: {why}"),
        Err(why) => {
            eprintln!("skipped: {why} (set FLEXGATE_PY3AMF_PYTHON to a Python with py3amf)");
            return;
        }
    };
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
