//! A private `nats-server` with JetStream for tests that kill it: on a
//! port of the test's choosing, with its store in a directory the test
//! keeps across restarts.

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::prereq::nats_server;
pub use crate::watched::StartError;
use crate::watched::{Stop, Watched, PROBE_TIMEOUT};

/// How long a new server may take to greet a client (JetStream recovers
/// its store first).
const START_TIMEOUT: Duration = Duration::from_secs(20);
/// What a NATS server sends first on every connection.
const GREETING: &str = "INFO ";
/// Most of the greeting read (it is a line of JSON, well under this).
const MAX_GREETING: u64 = 64 * 1024;

/// A directory under the system's temp dir, removed on drop: a private
/// server's JetStream store, kept while the server restarts.
#[derive(Debug)]
pub struct StoreDir(PathBuf);

impl StoreDir {
    /// A new, empty directory named after `tag`.
    pub fn new(tag: &str) -> std::io::Result<StoreDir> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("flexgate-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        Ok(StoreDir(dir))
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for StoreDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A private nats-server with JetStream on loopback; SIGKILLed on
/// [`NatsServer::kill`], on drop, or when the test process ends.
#[derive(Debug)]
pub struct NatsServer {
    server: Watched,
    port: u16,
}

impl NatsServer {
    /// Starts `nats-server -js` on `port` with its store in `store`, and
    /// waits until it greets a client. Blocking: call it off an async
    /// runtime's worker (`spawn_blocking`).
    pub fn start(port: u16, store: &Path) -> Result<NatsServer, StartError> {
        let binary = nats_server()?;
        let mut args: Vec<OsString> = ["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-sd"]
            .map(OsString::from)
            .into();
        args.push(store.into());
        // SIGKILL: the restart tests want a crash, not a clean shutdown.
        let timing = (port, START_TIMEOUT);
        let server = Watched::start(Stop::Kill, binary, args, timing, || greets(port))?;
        Ok(NatsServer { server, port })
    }

    /// Its port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Its URL.
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// SIGKILLs the server and waits until it has exited.
    pub fn kill(&mut self) {
        self.server.kill();
    }
}

/// Whether a NATS server on loopback `port` sends its INFO greeting.
fn greets(port: u16) -> bool {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let Ok(s) = TcpStream::connect_timeout(&addr, PROBE_TIMEOUT) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(PROBE_TIMEOUT));
    let mut line = String::new();
    BufReader::new(s.take(MAX_GREETING))
        .read_line(&mut line)
        .is_ok()
        && line.starts_with(GREETING)
}
