//! A private `nats-server` with JetStream for tests that kill it: on a
//! port of the test's choosing, with its store in a directory the test
//! keeps across restarts.

use std::io::{BufRead, BufReader, Read};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::prereq::{nats_server, Missing};

/// How long a new server may take to greet a client (JetStream recovers
/// its store first).
const START_TIMEOUT: Duration = Duration::from_secs(20);
/// Pause between readiness probes.
const PROBE_INTERVAL: Duration = Duration::from_millis(20);
/// What a NATS server sends first on every connection.
const GREETING: &str = "INFO ";
/// Most of the greeting read (it is a line of JSON, well under this).
const MAX_GREETING: u64 = 64 * 1024;

/// Runs the server given as arguments and SIGKILLs it when the wrapper's
/// stdin closes: on [`NatsServer::kill`], on drop, or when the test
/// process ends however it ends (a killed process runs no destructor).
/// SIGKILL because the restart tests want a crash, not a clean shutdown.
/// `read` is on fd 3 because a background job's stdin is /dev/null.
const WRAPPER: &str = r#"exec 3<&0 0</dev/null
"$@" &
server=$!
{ read -r _ <&3; kill -KILL "$server" 2>/dev/null; } &
watcher=$!
wait "$server"; status=$?
kill "$watcher" 2>/dev/null
exit "$status""#;

/// Why a private server could not be had.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// No binary.
    #[error(transparent)]
    Missing(#[from] Missing),
    /// The wrapper shell could not be spawned.
    #[error("cannot run sh for nats-server: {0}")]
    Spawn(std::io::Error),
    /// The server exited before greeting (port taken, bad flags).
    #[error("nats-server on port {0} exited at start")]
    Exited(u16),
    /// It did not greet in time.
    #[error("nats-server on port {0} did not answer within {START_TIMEOUT:?}")]
    Timeout(u16),
}

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
    wrapper: Child,
    /// Closing it kills the server.
    stop: Option<ChildStdin>,
    port: u16,
}

impl NatsServer {
    /// Starts `nats-server -js` on `port` with its store in `store`, and
    /// waits until it greets a client. Blocking: call it off an async
    /// runtime's worker (`spawn_blocking`).
    pub fn start(port: u16, store: &Path) -> Result<NatsServer, StartError> {
        let binary = nats_server()?;
        let mut wrapper = Command::new("sh")
            .args(["-c", WRAPPER, "sh"])
            .arg(binary)
            .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string()])
            .arg("-sd")
            .arg(store)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(StartError::Spawn)?;
        let stop = wrapper.stdin.take();
        let mut server = NatsServer {
            wrapper,
            stop,
            port,
        };
        server.wait_ready()?;
        Ok(server)
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
        drop(self.stop.take());
        // The wrapper exits once the server has.
        let _ = self.wrapper.wait();
    }

    fn wait_ready(&mut self) -> Result<(), StartError> {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Ok(Some(_)) = self.wrapper.try_wait() {
                return Err(StartError::Exited(self.port));
            }
            if greets(self.port) {
                return Ok(());
            }
            if Instant::now() >= deadline {
                self.kill();
                return Err(StartError::Timeout(self.port));
            }
            std::thread::sleep(PROBE_INTERVAL);
        }
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Whether a NATS server on loopback `port` sends its INFO greeting.
fn greets(port: u16) -> bool {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let Ok(s) = TcpStream::connect_timeout(&addr, PROBE_INTERVAL * 10) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(PROBE_INTERVAL * 10));
    let mut line = String::new();
    BufReader::new(s.take(MAX_GREETING))
        .read_line(&mut line)
        .is_ok()
        && line.starts_with(GREETING)
}
