//! `flexgate publish` against a running gateway: a message is published
//! (the gateway counts it), a wrong token and a bad command line fail
//! with their exit codes.

use flexgate_gateway::config::Config;
use flexgate_gateway::Gateway;
use std::process::{Command, Output};

const TOKEN: &str = "cli-token";

async fn flexgate(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_flexgate"))
            .args(&args)
            .env_remove("FLEXGATE_API_TOKEN")
            .output()
            .expect("flexgate runs")
    })
    .await
    .expect("cli task")
}

fn args(base: &str, token: &str, body: &str) -> Vec<String> {
    [
        "publish",
        "--url",
        base,
        "--token",
        token,
        "--destination",
        "chat",
        "--subtopic",
        "room.1",
        "--header",
        "priority=5",
        "--ttl-ms",
        "1000",
        body,
    ]
    .map(str::to_owned)
    .to_vec()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_publishes_through_the_api() {
    let mut config = Config {
        listen: "127.0.0.1:0".parse().expect("address"),
        ..Config::default()
    };
    config.api.token = Some(TOKEN.into());
    let running = Gateway::new(config).start().await.expect("starts");
    let base = format!("http://{}", running.local_addr());

    let out = flexgate(args(&base, TOKEN, r#"{"text": "hi"}"#)).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let id = stdout.trim();
    assert_eq!(id.len(), 36, "a message id: {id}");
    assert_eq!(running.snapshot().await.totals.published, 1);

    let out = flexgate(args(&base, "wrong", "1")).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("401"));

    let out = flexgate(args(&base, TOKEN, "{not json")).await;
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(running.snapshot().await.totals.published, 1);
    running.shutdown().await;
}
