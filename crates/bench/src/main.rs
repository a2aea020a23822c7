//! `flexgate-bench`: load and latency measurements against a running
//! gateway (loopback only). See docs/benchmarks.md for the commands.
//!
//! ```text
//! flexgate-bench fixed-server ADDR [--reply FILE]
//! flexgate-bench load URL [--call ping|echo] [--conns N] [--requests N] [--secs S] [--pid PID]
//! flexgate-bench compare URL --fixed ADDR [--call ping|echo] [--rounds N] [--pid PID] [load options]
//! flexgate-bench idle-polls BASE --pid PID [--clients N] [--sources N] [--pings N]
//! flexgate-bench fanout BASE [--subscribers N] [--messages N] [--transport long-poll|streaming]
//! flexgate-bench echo-backend ADDR
//! flexgate-bench remoting URL [--direct D] [--http D] [--conns N] [--calls N]
//! ```

mod client;
mod compare;
mod flex;
mod packets;
mod procfs;
mod remoting;
mod setup;
mod stats;
mod stream;

use client::LoadSpec;
use flex::{IdleSpec, Transport};
use std::process::ExitCode;
use std::time::Duration;

const USAGE: &str = "usage:
  flexgate-bench fixed-server ADDR [--reply FILE]
      a bare hyper server answering every request with FILE's bytes, or a ping reply (the ceiling)
  flexgate-bench load URL [--call ping] [--conns 64] [--requests 200000] [--secs 20] [--pid PID]
      POSTs a CLIENT_PING (or echo: RemoteObject echo of 100 Persons) from N keep-alive connections
      until the count or the time is reached; with --pid, the CPU time PID spent per request
  flexgate-bench compare URL --fixed 127.0.0.1:18402 [--call echo] [--rounds 3] [--pid PID] [load options]
      captures the gateway's reply to the call, starts a fixed-server answering it on --fixed,
      and alternates load rounds against both: req/s, CPU per request and the ratio per round
  flexgate-bench idle-polls BASE --pid PID [--clients 10000] [--sources 1] [--pings 1000]
      parks N long-polls on BASE/messagebroker/amflongpolling from 127.0.0.1..=127.0.0.S, times
      pings meanwhile, and reports the RSS of PID before, parked, and after the clients left
  flexgate-bench fanout BASE [--subscribers 1000] [--messages 20] [--transport long-poll]
      N subscribers (long-poll or streaming); times each publish until every subscriber has it
  flexgate-bench echo-backend ADDR
      an HTTP remoting backend answering every call with its first argument
  flexgate-bench remoting URL [--direct EchoService] [--http EchoHttp] [--conns 8] [--calls 20000]
      echo calls with a typed object, alternating a Rust service and an HTTP backend destination";

/// Command-line errors.
#[derive(Debug, thiserror::Error)]
enum ArgError {
    #[error("missing {0}")]
    Missing(&'static str),
    #[error("bad value for {0}: {1}")]
    Bad(String, String),
    #[error("unknown argument {0}")]
    Unknown(String),
}

/// `--name value` options after the positional argument.
struct Opts(Vec<(String, String)>);

impl Opts {
    fn parse(args: &[String]) -> Result<Opts, ArgError> {
        let mut out = Vec::new();
        let mut it = args.iter();
        while let Some(k) = it.next() {
            let Some(name) = k.strip_prefix("--") else {
                return Err(ArgError::Unknown(k.clone()));
            };
            let v = it.next().ok_or(ArgError::Missing("an option value"))?;
            out.push((name.to_owned(), v.clone()));
        }
        Ok(Opts(out))
    }

    fn text(&self, name: &str, default: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or_else(|| default.to_owned(), |(_, v)| v.clone())
    }

    fn num<T: std::str::FromStr>(&self, name: &str, default: Option<T>) -> Result<T, ArgError> {
        match self.0.iter().find(|(k, _)| k == name) {
            Some((_, v)) => v
                .parse()
                .map_err(|_| ArgError::Bad(name.to_owned(), v.clone())),
            None => default.ok_or(ArgError::Missing("a required option")),
        }
    }
}

/// The options `load` and `compare` share.
fn load_spec(opts: &Opts) -> Result<LoadSpec, ArgError> {
    Ok(LoadSpec {
        conns: opts.num("conns", Some(64))?,
        requests: opts.num("requests", Some(200_000))?,
        limit: Duration::from_secs(opts.num("secs", Some(20))?),
        call: opts.num("call", Some(packets::Call::Ping))?,
        pid: match opts.0.iter().any(|(k, _)| k == "pid") {
            true => Some(opts.num("pid", None)?),
            false => None,
        },
    })
}

fn run(args: &[String]) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let cmd = args.first().ok_or(ArgError::Missing("a command"))?;
    let target = args.get(1).ok_or(ArgError::Missing("an address or URL"))?;
    let opts = Opts::parse(&args[2..])?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match cmd.as_str() {
        "fixed-server" => {
            let reply = match opts.0.iter().find(|(k, _)| k == "reply") {
                Some((_, file)) => Some(std::fs::read(file)?),
                None => None,
            };
            rt.block_on(client::fixed_server(target.parse()?, reply))
        }
        "load" => {
            let report = rt.block_on(client::load(target, load_spec(&opts)?))?;
            println!("{}", report.line);
            Ok(())
        }
        "compare" => {
            let spec = LoadSpec {
                call: opts.num("call", Some(packets::Call::Echo))?,
                ..load_spec(&opts)?
            };
            let fixed = opts.num("fixed", None)?;
            let rounds = opts.num("rounds", Some(3))?;
            let report = rt.block_on(compare::compare(target, fixed, rounds, spec))?;
            println!("{report}");
            Ok(())
        }
        "idle-polls" => {
            let spec = IdleSpec {
                pid: opts.num("pid", None)?,
                clients: opts.num("clients", Some(10_000))?,
                sources: opts.num("sources", Some(1))?,
                pings: opts.num("pings", Some(1_000))?,
            };
            let report = rt.block_on(flex::idle_polls(target, spec))?;
            println!("{report}");
            Ok(())
        }
        "fanout" => {
            let transport = match opts.text("transport", "long-poll").as_str() {
                "long-poll" => Transport::LongPoll,
                "streaming" => Transport::Streaming,
                other => return Err(ArgError::Bad("transport".into(), other.into()).into()),
            };
            let report = rt.block_on(flex::fanout(
                target,
                opts.num("subscribers", Some(1_000))?,
                opts.num("messages", Some(20))?,
                transport,
            ))?;
            println!("{report}");
            Ok(())
        }
        "echo-backend" => rt.block_on(remoting::echo_backend(target.parse()?)),
        "remoting" => {
            let report = rt.block_on(remoting::remoting(
                target,
                &opts.text("direct", "EchoService"),
                &opts.text("http", "EchoHttp"),
                opts.num("conns", Some(8))?,
                opts.num("calls", Some(20_000))?,
            ))?;
            println!("{report}");
            Ok(())
        }
        other => Err(ArgError::Unknown(other.to_owned()).into()),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("flexgate-bench: {e}\n{USAGE}");
            ExitCode::FAILURE
        }
    }
}
