//! `flexgate import-blazeds PATH [--context-root /x] [--token NAME=VALUE]...`:
//! the TOML on standard output, every finding on standard error.

use crate::import::{import, Options};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// The subcommand's usage line.
pub const USAGE: &str =
    "flexgate import-blazeds [--context-root /app] [--token NAME=VALUE]... services-config.xml";

/// Runs the subcommand with the arguments after `import-blazeds`.
pub fn run(args: &[String]) -> ExitCode {
    let mut options = Options::default();
    let mut path: Option<PathBuf> = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--context-root" => match args.next() {
                Some(root) => options.context_root.clone_from(root),
                None => return usage("--context-root needs a value ('' or /app)"),
            },
            "--token" => match args.next().and_then(|t| t.split_once('=')) {
                Some((name, value)) if !name.is_empty() => {
                    options.tokens.insert(name.to_owned(), value.to_owned());
                }
                _ => return usage("--token needs NAME=VALUE"),
            },
            other if other.starts_with('-') && other.len() > 1 => {
                return usage(&format!("unknown argument '{other}'"));
            }
            file if path.is_none() => path = Some(PathBuf::from(file)),
            _ => return usage("one services-config.xml only"),
        }
    }
    let Some(path) = path else {
        return usage("which services-config.xml?");
    };
    match import(&path, &options) {
        Ok(done) => {
            let mut stderr = std::io::stderr().lock();
            for f in &done.findings {
                // Standard error gone is no reason to withhold the TOML.
                let _ = writeln!(stderr, "{f}");
            }
            if std::io::stdout().write_all(done.toml.as_bytes()).is_err() {
                return ExitCode::FAILURE;
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("flexgate import-blazeds: {e}");
            ExitCode::FAILURE
        }
    }
}

fn usage(message: &str) -> ExitCode {
    eprintln!("flexgate import-blazeds: {message}\nusage: {USAGE}");
    ExitCode::from(2)
}
