//! `flexgate publish`: publishes one message through a running gateway's
//! publish API (`POST /api/publish`), for scripts and shell sessions.
//!
//! ```text
//! flexgate publish --url http://127.0.0.1:8400 (--token T | --token-file F)
//!                  --destination D [--subtopic S] [--header NAME=JSON]...
//!                  [--ttl-ms N] BODY_JSON|-
//! ```
//! The token may also come from `FLEXGATE_API_TOKEN`. Prints the new
//! message's id; exits 1 with the gateway's error, 2 on a usage error.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::{AUTHORIZATION, CONTENT_TYPE};
use hyper::Request;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::{Map, Value as Json};
use std::io::Read;
use std::process::ExitCode;
use std::time::Duration;

/// The usage text of `flexgate publish`.
pub const PUBLISH_USAGE: &str = "flexgate publish --url URL (--token T | --token-file F) \
--destination D [--subtopic S] [--header NAME=JSON]... [--ttl-ms N] BODY_JSON|-";

/// The environment variable the token may come from.
const TOKEN_ENV: &str = "FLEXGATE_API_TOKEN";
/// The publish route, appended to a `--url` without a path.
const PUBLISH_PATH: &str = "/api/publish";
/// The whole exchange must finish within this.
const TIMEOUT: Duration = Duration::from_secs(30);

/// What went wrong, for the exit code.
#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Failed(String),
}

/// Runs `flexgate publish ARGS`.
pub fn publish(args: &[String]) -> ExitCode {
    match parse(args).and_then(|p| send(&p)) {
        Ok(id) => {
            println!("{id}");
            ExitCode::SUCCESS
        }
        Err(CliError::Usage(e)) => {
            eprintln!("flexgate publish: {e}\nusage: {PUBLISH_USAGE}");
            ExitCode::from(2)
        }
        Err(CliError::Failed(e)) => {
            eprintln!("flexgate publish: {e}");
            ExitCode::FAILURE
        }
    }
}

struct Publish {
    url: String,
    token: String,
    body: Json,
}

fn usage(msg: impl Into<String>) -> CliError {
    CliError::Usage(msg.into())
}

fn parse(args: &[String]) -> Result<Publish, CliError> {
    let (mut url, mut token, mut destination, mut subtopic, mut ttl) =
        (None, None, None, None, None);
    let mut headers = Map::new();
    let mut body = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| usage(format!("{name} needs a value")))
        };
        match arg.as_str() {
            "--url" => url = Some(value("--url")?),
            "--token" => token = Some(value("--token")?),
            "--token-file" => {
                let path = value("--token-file")?;
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| CliError::Failed(format!("cannot read {path}: {e}")))?;
                token = Some(text.trim().to_owned());
            }
            "--destination" => destination = Some(value("--destination")?),
            "--subtopic" => subtopic = Some(value("--subtopic")?),
            "--ttl-ms" => {
                let v = value("--ttl-ms")?;
                ttl = Some(
                    v.parse::<u64>()
                        .map_err(|_| usage(format!("--ttl-ms {v} is not a number")))?,
                );
            }
            "--header" => {
                let v = value("--header")?;
                let (name, json) = v
                    .split_once('=')
                    .ok_or_else(|| usage(format!("--header {v}: expected NAME=JSON")))?;
                let json = serde_json::from_str(json)
                    .map_err(|e| usage(format!("--header {name}: not JSON: {e}")))?;
                headers.insert(name.to_owned(), json);
            }
            "-" => body = Some(read_stdin()?),
            other if other.starts_with("--") => {
                return Err(usage(format!("unknown option {other}")))
            }
            other if body.is_none() => body = Some(other.to_owned()),
            other => return Err(usage(format!("unexpected argument {other}"))),
        }
    }
    let url = url.ok_or_else(|| usage("--url is required"))?;
    let token = token
        .or_else(|| std::env::var(TOKEN_ENV).ok())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| usage(format!("--token, --token-file or {TOKEN_ENV} is required")))?;
    let destination = destination.ok_or_else(|| usage("--destination is required"))?;
    let body = body.ok_or_else(|| usage("the body (JSON, or - for standard input) is required"))?;
    let body: Json =
        serde_json::from_str(&body).map_err(|e| usage(format!("the body is not JSON: {e}")))?;
    let mut request = Map::new();
    request.insert("destination".into(), Json::from(destination));
    if let Some(s) = subtopic {
        request.insert("subtopic".into(), Json::from(s));
    }
    request.insert("headers".into(), Json::Object(headers));
    request.insert("body".into(), body);
    if let Some(t) = ttl {
        request.insert("ttl_ms".into(), Json::from(t));
    }
    let url = if url.trim_end_matches('/').ends_with(PUBLISH_PATH) {
        url
    } else {
        format!("{}{PUBLISH_PATH}", url.trim_end_matches('/'))
    };
    Ok(Publish {
        url,
        token,
        body: Json::Object(request),
    })
}

fn read_stdin() -> Result<String, CliError> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| CliError::Failed(format!("cannot read standard input: {e}")))?;
    Ok(text)
}

/// POSTs the request; the message id from the 202, or the error.
fn send(p: &Publish) -> Result<String, CliError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Failed(format!("cannot start the runtime: {e}")))?;
    runtime.block_on(async {
        let request = Request::post(p.url.as_str())
            .header(CONTENT_TYPE, "application/json")
            .header(AUTHORIZATION, format!("Bearer {}", p.token))
            .body(Full::new(Bytes::from(p.body.to_string())))
            .map_err(|e| usage(format!("--url {}: {e}", p.url)))?;
        let client = Client::builder(TokioExecutor::new()).build_http();
        let exchange = async {
            let response = client.request(request).await.map_err(|e| e.to_string())?;
            let status = response.status();
            let body = response
                .into_body()
                .collect()
                .await
                .map_err(|e| e.to_string())?;
            Ok::<_, String>((status, body.to_bytes()))
        };
        let (status, body) = tokio::time::timeout(TIMEOUT, exchange)
            .await
            .map_err(|_| {
                CliError::Failed(format!(
                    "{}: no answer within {} s",
                    p.url,
                    TIMEOUT.as_secs()
                ))
            })?
            .map_err(|e| CliError::Failed(format!("{}: {e}", p.url)))?;
        let answer: Json = serde_json::from_slice(&body).unwrap_or(Json::Null);
        if status.is_success() {
            if let Some(id) = answer.get("messageId").and_then(Json::as_str) {
                return Ok(id.to_owned());
            }
        }
        let message = answer.get("message").and_then(Json::as_str).map_or_else(
            || String::from_utf8_lossy(&body).trim().to_owned(),
            str::to_owned,
        );
        Err(CliError::Failed(format!("HTTP {status}: {message}")))
    })
}
