//! `flexgate-inspect inspect|encode ...`: the same subcommands as the
//! `flexgate` binary's, without the server.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("inspect") => flexgate_inspect::cli::inspect(&args[1..]),
        Some("encode") => flexgate_inspect::cli::encode(&args[1..]),
        _ => {
            eprintln!(
                "usage: flexgate-inspect inspect|encode ... (see flexgate-inspect inspect --help)"
            );
            ExitCode::from(2)
        }
    }
}
