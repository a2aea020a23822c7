//! Replays the request/reply cases of fixtures/cases/ (format in
//! fixtures/cases/README.md): each scenario runs, step by step and in
//! order, against a fresh gateway, and every reply is checked field by
//! field.

mod common;

use bytes::Bytes;
use common::{
    add_secured_destination, add_user, cookie_pair, post_with_cookie, TestServer, AMF, LONG_POLLING,
};
use flexgate_amf::{Packet, Value};
use flexgate_gateway::config::{ChannelKind, Config};
use flexgate_messages::{registry, ArrayCollection, ArrayList, Form, Message, ObjectProxy};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One `fixtures/cases/<scenario>.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Scenario {
    #[allow(dead_code)] // read by people
    description: String,
    step: Vec<Step>,
}

/// Which endpoint a step posts to.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Channel {
    #[default]
    Amf,
    Longpolling,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Step {
    name: String,
    request: String,
    #[allow(dead_code)] // read by people
    what: String,
    #[serde(default)]
    channel: Channel,
    content_type: Option<String>,
    status: Option<u16>,
    #[serde(default)]
    reply: Vec<ExpectedReply>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedReply {
    target: String,
    class: Option<String>,
    #[serde(default)]
    fields: BTreeMap<String, toml::Value>,
}

/// What a field path leads to in a reply value.
#[derive(Debug)]
enum Found<'v> {
    Value(&'v Value),
    /// A computed length.
    Len(usize),
    /// A class alias.
    Class(String),
    Absent,
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// The gateway the cases expect (fixtures/cases/README.md).
fn case_config() -> Config {
    let mut config = Config::default();
    add_user(&mut config, "alice", "secret", &["traders"]);
    add_secured_destination(&mut config, "prices", &["traders"]);
    for channel in config.channels.values_mut() {
        if channel.kind == ChannelKind::LongPolling {
            channel.wait_interval_ms = 300;
        }
    }
    config
}

/// The class alias of a value, where it has one.
fn class_of(v: &Value) -> Option<String> {
    match v {
        Value::Object(o) => Some(o.class().to_owned()),
        Value::External(e) => Some(e.class_name().to_owned()),
        Value::ByteArray(_) => Some("ByteArray".to_owned()),
        _ => None,
    }
}

/// The value inside a known externalizable wrapper.
fn wrapped(v: &Value) -> Option<&Value> {
    v.as_external::<ArrayCollection>()
        .map(|c| &c.source)
        .or_else(|| v.as_external::<ArrayList>().map(|c| &c.source))
        .or_else(|| v.as_external::<ObjectProxy>().map(|p| &p.object))
}

fn length(v: &Value) -> Option<usize> {
    match v {
        Value::Array(a) => Some(a.dense.len()),
        Value::ByteArray(b) => Some(b.len()),
        Value::External(_) => wrapped(v).and_then(length),
        _ => None,
    }
}

fn lookup<'v>(root: &'v Value, path: &str) -> Found<'v> {
    let segments: Vec<&str> = path.split('.').filter(|s| !s.is_empty()).collect();
    let mut at = root;
    for (i, seg) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        if last && *seg == "@class" {
            return class_of(at).map_or(Found::Absent, Found::Class);
        }
        let next = match at {
            Value::Object(o) => o.get(seg),
            Value::Array(a) => match seg.parse::<usize>() {
                Ok(n) => a.dense.get(n),
                Err(_) if last && *seg == "len" => return Found::Len(a.dense.len()),
                Err(_) => a
                    .assoc
                    .iter()
                    .find(|(k, _)| k.as_ref() == *seg)
                    .map(|(_, v)| v),
            },
            Value::External(_) => match *seg {
                "source" | "object" => wrapped(at),
                "len" if last => return length(at).map_or(Found::Absent, Found::Len),
                n => wrapped(at)
                    .and_then(Value::as_array)
                    .and_then(|a| n.parse::<usize>().ok().and_then(|n| a.dense.get(n))),
            },
            Value::ByteArray(b) if last && *seg == "len" => return Found::Len(b.len()),
            _ => None,
        };
        match next {
            Some(v) => at = v,
            None => return Found::Absent,
        }
    }
    Found::Value(at)
}

fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Checks one field; `Err` says what was found instead.
fn matches(found: &Found<'_>, expected: &toml::Value) -> Result<(), String> {
    let value = match found {
        Found::Value(v) => Some(*v),
        _ => None,
    };
    let ok = match expected {
        toml::Value::String(s) => match s.as_str() {
            "$absent" => matches!(found, Found::Absent),
            "$null" => value.is_some_and(Value::is_null),
            "$uuid" => value.and_then(Value::as_str).is_some_and(is_uuid),
            "$nonempty" => value.and_then(Value::as_str).is_some_and(|s| !s.is_empty()),
            // After 2020-01-01 in milliseconds: seconds would be far below.
            "$epoch_ms" => value
                .and_then(Value::as_f64)
                .is_some_and(|t| t > 1_577_836_800_000.0),
            literal => match found {
                Found::Class(c) => c == literal,
                _ => value.and_then(Value::as_str) == Some(literal),
            },
        },
        toml::Value::Integer(n) => match found {
            Found::Len(len) => i64::try_from(*len).is_ok_and(|len| len == *n),
            // Numbers compare as doubles: AMF0 has no integers.
            _ => value.and_then(Value::as_f64) == Some(*n as f64),
        },
        toml::Value::Float(x) => value.and_then(Value::as_f64) == Some(*x),
        toml::Value::Boolean(b) => value.and_then(Value::as_bool) == Some(*b),
        other => return Err(format!("unsupported expectation {other:?}")),
    };
    if ok {
        Ok(())
    } else {
        Err(format!("{found:?}"))
    }
}

/// Runs one step in the scenario's browser session (`cookie`, updated from
/// `Set-Cookie`); returns what did not match.
async fn run_step(server: &TestServer, step: &Step, cookie: &mut Option<String>) -> Vec<String> {
    let mut problems = Vec::new();
    let request = std::fs::read(fixtures().join(&step.request))
        .unwrap_or_else(|e| panic!("{}: {e}", step.request));
    let path = match step.channel {
        Channel::Amf => AMF,
        Channel::Longpolling => LONG_POLLING,
    };
    let content_type = step.content_type.as_deref().unwrap_or("application/x-amf");
    let reply = post_with_cookie(&server.url(path), content_type, request, cookie.as_deref()).await;
    if let Some(set) = &reply.set_cookie {
        *cookie = Some(cookie_pair(set));
    }
    let (status, body) = (reply.status, reply.body);
    let want_status = step.status.unwrap_or(200);
    if status.as_u16() != want_status {
        problems.push(format!(
            "HTTP {} (want {want_status}): {}",
            status.as_u16(),
            String::from_utf8_lossy(&body)
        ));
        return problems;
    }
    if want_status != 200 {
        return problems;
    }
    let packet = match Packet::decode(Bytes::clone(&body), registry()) {
        Ok(p) => p,
        Err(e) => return vec![format!("reply does not decode: {e}")],
    };
    if packet.bodies.len() != step.reply.len() {
        problems.push(format!(
            "{} reply bodies, want {}",
            packet.bodies.len(),
            step.reply.len()
        ));
    }
    for (i, (got, want)) in packet.bodies.iter().zip(&step.reply).enumerate() {
        if got.target.as_ref() != want.target {
            problems.push(format!(
                "body {i}: target {:?}, want {:?}",
                got.target, want.target
            ));
        }
        if let Some(class) = &want.class {
            if class_of(&got.value).as_deref() != Some(class) {
                problems.push(format!(
                    "body {i}: class {:?}, want {class}",
                    class_of(&got.value)
                ));
            }
        }
        // Messages are read in full form, whatever form they came in.
        let value = match Message::from_value(&got.value) {
            Ok(m) if want.class.is_some() => m.to_value(Form::Full),
            _ => got.value.clone(),
        };
        for (path, expected) in &want.fields {
            if let Err(found) = matches(&lookup(&value, path), expected) {
                problems.push(format!("body {i}: {path} = {found}, want {expected}"));
            }
        }
    }
    problems
}

#[tokio::test]
async fn fixture_cases_replay_against_a_live_gateway() {
    let mut names: Vec<PathBuf> = std::fs::read_dir(fixtures().join("cases"))
        .expect("fixtures/cases")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    names.sort();
    let mut failures = Vec::new();
    let mut cases = 0;
    for file in &names {
        let text = std::fs::read_to_string(file).expect("readable");
        let scenario: Scenario =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let label = file.file_stem().and_then(|s| s.to_str()).unwrap_or("?");
        let server = TestServer::start(case_config()).await;
        // Each scenario is one browser: Flex clients in it share its cookie.
        let mut cookie = None;
        for step in &scenario.step {
            cases += 1;
            for p in run_step(&server, step, &mut cookie).await {
                failures.push(format!("{label}/{}: {p}", step.name));
            }
        }
        server.running.shutdown().await;
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(cases >= 30, "only {cases} cases in fixtures/cases");
    println!("{cases} cases in {} scenarios", names.len());
}
