//! The `flexgate` binary: `flexgate [serve] [--config FILE]`, `flexgate inspect ...`,
//! `flexgate encode ...`, `flexgate publish ...`, `flexgate import-blazeds ...`.

use flexgate_gateway::config::Config;
use flexgate_gateway::Gateway;
use std::path::PathBuf;
use std::process::ExitCode;

/// jemalloc rather than glibc's malloc: after thousands of parked clients
/// go, glibc kept every page; jemalloc's background thread returns them.
#[global_allocator]
static ALLOC: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

const USAGE: &str = "usage: flexgate [serve] [--config FILE]\n\
    \x20      flexgate inspect [--value amf0|amf3] [--pretty] [--hexdump] FILE|-\n\
    \x20      flexgate encode [--value amf0|amf3] FILE|-\n\
    \x20      flexgate hash-password < password.txt\n\
    \x20      flexgate publish --url URL --token T --destination D [--subtopic S] BODY_JSON\n\
    \x20      flexgate import-blazeds [--context-root /app] [--token NAME=VALUE]... services-config.xml\n\
    Serves Flex/Flash AMF clients. Without --config, serves the demo on 127.0.0.1:8400.\n\
    inspect prints an AMF packet as JSON; encode turns that JSON back into AMF.\n\
    hash-password reads a password on standard input and prints the\n\
    `password_hash` for a [users] entry.\n\
    publish sends one message to a running gateway's publish API\n\
    (flexgate publish --help for every option).\n\
    import-blazeds prints a BlazeDS services-config.xml as flexgate TOML and\n\
    lists on standard error what has no flexgate setting.";

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("inspect") => return flexgate_inspect::cli::inspect(&args[1..]),
        Some("encode") => return flexgate_inspect::cli::encode(&args[1..]),
        Some("hash-password") => return hash_password(),
        Some("publish") if args.iter().any(|a| a == "--help" || a == "-h") => {
            println!("usage: {}", flexgate_gateway::cli::PUBLISH_USAGE);
            return ExitCode::SUCCESS;
        }
        Some("publish") => return flexgate_gateway::cli::publish(&args[1..]),
        Some("import-blazeds") => return flexgate_gateway::import::cli::run(&args[1..]),
        Some("serve") => {
            args.remove(0);
        }
        _ => {}
    }
    let mut config_path: Option<PathBuf> = None;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--config" | "-c" => match args.next() {
                Some(p) => config_path = Some(PathBuf::from(p)),
                None => return usage_error("--config needs a file"),
            },
            "--help" | "-h" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            "--version" | "-V" => {
                println!("flexgate {}", env!("CARGO_PKG_VERSION"));
                return ExitCode::SUCCESS;
            }
            other => return usage_error(&format!("unknown argument '{other}'")),
        }
    }
    flexgate_gateway::logging::init();
    // Without its background thread jemalloc purges freed pages only when
    // the process allocates again: an idle gateway would keep them.
    if let Err(e) = tikv_jemalloc_ctl::background_thread::write(true) {
        tracing::warn!(error = %e, "jemalloc's background thread did not start; freed memory is returned later");
    }
    let config = match config_path {
        Some(p) => match Config::load(&p) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("flexgate: {e}");
                return ExitCode::FAILURE;
            }
        },
        None => {
            let demo = flexgate_gateway::demo::config();
            let root = demo.static_files.root.as_deref();
            if !root.is_some_and(flexgate_gateway::demo::page_built) {
                println!(
                    "flexgate: no demo page in {} (build it with scripts/build-demo); \
                     the channels work without it",
                    flexgate_gateway::demo::PAGE_ROOT
                );
            }
            demo
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("flexgate: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        let running = match Gateway::new(config).start().await {
            Ok(r) => r,
            Err(e) => {
                eprintln!("flexgate: cannot start: {e}");
                return ExitCode::FAILURE;
            }
        };
        println!("flexgate listening on http://{}", running.local_addr());
        if let Err(e) = tokio::signal::ctrl_c().await {
            eprintln!("flexgate: cannot wait for Ctrl-C: {e}");
        }
        tracing::info!("shutting down");
        running.shutdown().await;
        ExitCode::SUCCESS
    })
}

fn usage_error(msg: &str) -> ExitCode {
    eprintln!("flexgate: {msg}\n{USAGE}");
    ExitCode::from(2)
}

/// Reads a password (one line) on standard input, prints its Argon2id hash.
fn hash_password() -> ExitCode {
    let mut line = String::new();
    if let Err(e) = std::io::stdin().read_line(&mut line) {
        eprintln!("flexgate: cannot read the password: {e}");
        return ExitCode::FAILURE;
    }
    let password = line.strip_suffix('\n').unwrap_or(&line);
    let password = password.strip_suffix('\r').unwrap_or(password);
    if password.is_empty() {
        return usage_error("hash-password reads a non-empty password on standard input");
    }
    match flexgate_gateway::password::hash(password) {
        Ok(hash) => {
            println!("{hash}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("flexgate: cannot hash: {e}");
            ExitCode::FAILURE
        }
    }
}
