//! `flexgate-bench`: load and latency measurements against a running
//! gateway (loopback only). See docs/benchmarks.md for the commands.
//!
//! ```text
//! flexgate-bench fixed-server ADDR
//! flexgate-bench load URL [--conns N] [--requests N] [--secs S]
//! flexgate-bench idle-polls BASE --pid PID [--clients N]
//! flexgate-bench fanout BASE [--subscribers N] [--messages N]
//! flexgate-bench echo-backend ADDR
//! flexgate-bench remoting URL [--direct D] [--http D] [--conns N] [--calls N]
//! ```

mod client;
mod flex;
mod packets;
mod remoting;
mod stats;

use std::process::ExitCode;
use std::time::Duration;

const USAGE: &str = "usage:
  flexgate-bench fixed-server ADDR
      a bare hyper server answering every request with the gateway's ping reply bytes (the ceiling)
  flexgate-bench load URL [--conns 64] [--requests 200000] [--secs 20]
      POSTs a CLIENT_PING packet from N keep-alive connections until the count or the time is reached
  flexgate-bench idle-polls BASE --pid PID [--clients 10000]
      parks N long-polls on BASE/messagebroker/amflongpolling and reports the RSS of PID before and after
  flexgate-bench fanout BASE [--subscribers 1000] [--messages 20]
      N long-polling subscribers; times each publish until every subscriber has it
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

fn run(args: &[String]) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let cmd = args.first().ok_or(ArgError::Missing("a command"))?;
    let target = args.get(1).ok_or(ArgError::Missing("an address or URL"))?;
    let opts = Opts::parse(&args[2..])?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match cmd.as_str() {
        "fixed-server" => rt.block_on(client::fixed_server(target.parse()?)),
        "load" => {
            let report = rt.block_on(client::load(
                target,
                opts.num("conns", Some(64))?,
                opts.num("requests", Some(200_000))?,
                Duration::from_secs(opts.num("secs", Some(20))?),
            ))?;
            println!("{report}");
            Ok(())
        }
        "idle-polls" => {
            let report = rt.block_on(flex::idle_polls(
                target,
                opts.num("pid", None)?,
                opts.num("clients", Some(10_000))?,
            ))?;
            println!("{report}");
            Ok(())
        }
        "fanout" => {
            let report = rt.block_on(flex::fanout(
                target,
                opts.num("subscribers", Some(1_000))?,
                opts.num("messages", Some(20))?,
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
