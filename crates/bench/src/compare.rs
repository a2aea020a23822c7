//! Gateway against the fixed-body ceiling, in alternating rounds of one
//! run (issue #18, target 1): the fixed server answers with the bytes the
//! gateway itself answered the same request with, captured once at the
//! start, so both send replies of the same size and the load generator
//! does the same work for both.

use crate::client::{load, Conn, LoadSpec};
use crate::packets::{self, Call};
use bytes::Bytes;
use hyper::StatusCode;
use std::io::BufRead;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Sends `call` once from a new Flex client and returns the reply bytes.
pub(crate) async fn capture(url: &str, call: Call) -> Result<Vec<u8>, BoxError> {
    let uri: hyper::Uri = url.parse()?;
    let mut conn = Conn::open(url).await?;
    let ds_id = flexgate_messages::uid::new_uid();
    conn.post(uri.path(), Bytes::from(packets::ping_packet(&ds_id)?))
        .await?;
    let (status, reply) = conn
        .post(uri.path(), Bytes::from(call.packet(&ds_id)?))
        .await?;
    if status != StatusCode::OK || !packets::is_ack(&reply) {
        return Err(format!("{call:?} was not acknowledged ({status})").into());
    }
    Ok(reply.to_vec())
}

/// A `fixed-server` child process of this executable; killed on drop.
struct FixedServer(Child);

impl FixedServer {
    /// Starts `flexgate-bench fixed-server ADDR --reply FILE` and waits for
    /// its first line (it is listening then).
    fn start(addr: SocketAddr, reply: &Path) -> Result<FixedServer, BoxError> {
        let mut child = Command::new(std::env::current_exe()?)
            .arg("fixed-server")
            .arg(addr.to_string())
            .arg("--reply")
            .arg(reply)
            .stdout(Stdio::piped())
            .spawn()?;
        let out = child.stdout.take().ok_or("no stdout")?;
        let mut line = String::new();
        std::io::BufReader::new(out).read_line(&mut line)?;
        let server = FixedServer(child);
        if line.is_empty() {
            return Err("the fixed server exited at start".into());
        }
        print!("{line}");
        Ok(server)
    }
}

impl Drop for FixedServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `rounds` rounds of `load` against the gateway at `url` (process `pid`,
/// if given) then the fixed server at `fixed`, same spec; one ratio per round.
pub(crate) async fn compare(
    url: &str,
    fixed: SocketAddr,
    rounds: usize,
    spec: LoadSpec,
) -> Result<String, BoxError> {
    let reply = capture(url, spec.call).await?;
    let file: PathBuf =
        std::env::temp_dir().join(format!("flexgate-bench-{:?}-reply.amf", spec.call));
    std::fs::write(&file, &reply)?;
    println!(
        "captured the gateway's {:?} reply: {} bytes, {}",
        spec.call,
        reply.len(),
        file.display()
    );
    let server = FixedServer::start(fixed, &file)?;
    let fixed_url = format!("http://{fixed}{}", url.parse::<hyper::Uri>()?.path());
    let fixed_spec = LoadSpec {
        pid: Some(server.0.id()),
        ..spec
    };
    let mut ratios = Vec::with_capacity(rounds);
    for round in 1..=rounds {
        let g = load(url, spec).await?;
        println!("round {round} gateway: {}", g.line);
        let f = load(&fixed_url, fixed_spec).await?;
        println!("round {round} fixed:   {}", f.line);
        if g.ok == 0 || f.ok == 0 {
            return Err(format!("round {round}: a server answered nothing").into());
        }
        let ratio = g.rate / f.rate;
        println!(
            "round {round} ratio: gateway {:.1} % of the fixed server",
            ratio * 100.0
        );
        ratios.push(ratio);
    }
    drop(server);
    let list: Vec<String> = ratios
        .iter()
        .map(|r| format!("{:.1} %", r * 100.0))
        .collect();
    Ok(format!(
        "{:?} ratios per round: {}",
        spec.call,
        list.join(", ")
    ))
}
