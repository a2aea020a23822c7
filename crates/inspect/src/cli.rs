//! The `inspect` and `encode` subcommands of the `flexgate` binary.

use crate::{from_json, hexdump, to_json, Format, Input};
use bytes::Bytes;
use std::io::{Read, Write};
use std::process::ExitCode;

const INSPECT_USAGE: &str =
    "usage: flexgate inspect [--value amf0|amf3] [--pretty] [--hexdump] FILE|-\n\
    Decodes an AMF packet (or, with --value, one bare value) and prints it as JSON\n\
    (docs/json-mapping.md); --hexdump prints the bytes beside what they decode to.";

const ENCODE_USAGE: &str = "usage: flexgate encode [--value amf0|amf3] FILE|-\n\
    Encodes the JSON that `flexgate inspect` prints back to AMF bytes on stdout.";

/// Options shared by both subcommands.
struct Options {
    what: Input,
    pretty: bool,
    hexdump: bool,
    path: String,
}

/// Why the command line was refused.
enum Refused {
    Help,
    Usage(String),
}

fn parse(args: &[String], inspect: bool) -> Result<Options, Refused> {
    let mut what = Input::Packet;
    let (mut pretty, mut hexdump) = (false, false);
    let mut path = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--value" => {
                what = match args.next().map(String::as_str) {
                    Some("amf0") => Input::Value(Format::Amf0),
                    Some("amf3") => Input::Value(Format::Amf3),
                    _ => return Err(Refused::Usage("--value needs amf0 or amf3".into())),
                }
            }
            "--pretty" if inspect => pretty = true,
            "--hexdump" if inspect => hexdump = true,
            "--help" | "-h" => return Err(Refused::Help),
            p if path.is_none() && (p == "-" || !p.starts_with('-')) => path = Some(p.to_owned()),
            other => return Err(Refused::Usage(format!("unexpected argument '{other}'"))),
        }
    }
    let path = path.ok_or_else(|| Refused::Usage("a FILE (or - for stdin) is needed".into()))?;
    Ok(Options {
        what,
        pretty,
        hexdump,
        path,
    })
}

fn read_input(path: &str) -> std::io::Result<Vec<u8>> {
    if path == "-" {
        let mut buf = Vec::new();
        std::io::stdin().read_to_end(&mut buf)?;
        Ok(buf)
    } else {
        std::fs::read(path)
    }
}

fn write_stdout(bytes: &[u8]) -> ExitCode {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail("", &format!("cannot write the output: {e}")),
    }
}

fn fail(command: &str, msg: &str) -> ExitCode {
    eprintln!("flexgate {command}: {msg}");
    ExitCode::FAILURE
}

fn refused(r: Refused, usage: &str) -> ExitCode {
    match r {
        Refused::Help => {
            println!("{usage}");
            ExitCode::SUCCESS
        }
        Refused::Usage(msg) => {
            eprintln!("flexgate: {msg}\n{usage}");
            ExitCode::from(2)
        }
    }
}

/// `flexgate inspect ARGS`: exit 0, 1 on undecodable input, 2 on a bad command line.
pub fn inspect(args: &[String]) -> ExitCode {
    let opts = match parse(args, true) {
        Ok(o) => o,
        Err(r) => return refused(r, INSPECT_USAGE),
    };
    let input = match read_input(&opts.path) {
        Ok(b) => Bytes::from(b),
        Err(e) => return fail("inspect", &format!("{}: {e}", opts.path)),
    };
    if opts.hexdump {
        let (dump, error) = hexdump(input, opts.what);
        let code = write_stdout(dump.as_bytes());
        return match error {
            Some(e) => fail("inspect", &format!("{}: {e}", opts.path)),
            None => code,
        };
    }
    let json = match to_json(input, opts.what) {
        Ok(j) => j,
        Err(e) => return fail("inspect", &format!("{}: {e}", opts.path)),
    };
    let text = if opts.pretty {
        serde_json::to_string_pretty(&json)
    } else {
        serde_json::to_string(&json)
    };
    match text {
        Ok(t) => write_stdout(format!("{t}\n").as_bytes()),
        Err(e) => fail("inspect", &format!("cannot print the JSON: {e}")),
    }
}

/// `flexgate encode ARGS`: exit 0, 1 on unusable JSON, 2 on a bad command line.
pub fn encode(args: &[String]) -> ExitCode {
    let opts = match parse(args, false) {
        Ok(o) => o,
        Err(r) => return refused(r, ENCODE_USAGE),
    };
    let text = match read_input(&opts.path) {
        Ok(b) => b,
        Err(e) => return fail("encode", &format!("{}: {e}", opts.path)),
    };
    let json = match serde_json::from_slice(&text) {
        Ok(j) => j,
        Err(e) => return fail("encode", &format!("{}: not JSON: {e}", opts.path)),
    };
    match from_json(&json, opts.what) {
        Ok(bytes) => write_stdout(&bytes),
        Err(e) => fail("encode", &format!("{}: {e}", opts.path)),
    }
}
