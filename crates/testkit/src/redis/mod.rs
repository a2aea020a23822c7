//! Redis for tests: a private `redis-server` per test process, else the
//! Redis in `FLEXGATE_TEST_REDIS`; and deleting a test's keys.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::prereq::{redis_server, test_redis_url, Missing, Prereq};

mod keys;
mod resp;

pub use keys::{delete_prefix, KeyCleanup};
pub use resp::RespError;

/// How long a new server may take to answer PING.
const START_TIMEOUT: Duration = Duration::from_secs(10);
/// Pause between readiness probes.
const PROBE_INTERVAL: Duration = Duration::from_millis(20);
/// Ports tried for the shared server when a chosen free port is taken
/// before redis-server binds it.
const START_ATTEMPTS: usize = 3;

/// Runs redis-server and stops it when the wrapper's stdin closes. The
/// test process holds the other end, so the server goes when the process
/// does, however it ends (statics are never dropped, and a killed process
/// runs no destructor). `read` is on fd 3 because a background job's
/// stdin is /dev/null.
const WRAPPER: &str = r#"exec 3<&0 0</dev/null
redis-server "$@" &
server=$!
{ read -r _ <&3; kill "$server" 2>/dev/null; } &
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
    #[error("cannot run sh for redis-server: {0}")]
    Spawn(std::io::Error),
    /// The server exited before answering (port taken, bad flags).
    #[error("redis-server on port {0} exited at start")]
    Exited(u16),
    /// It did not answer PING in time.
    #[error("redis-server on port {0} did not answer PING within {START_TIMEOUT:?}")]
    Timeout(u16),
}

/// A private redis-server on loopback that keeps nothing on disk; stopped
/// on [`RedisServer::kill`], on drop, or when the test process ends.
#[derive(Debug)]
pub struct RedisServer {
    wrapper: Child,
    /// Closing it stops the server.
    stop: Option<ChildStdin>,
    port: u16,
}

impl RedisServer {
    /// Starts a server on `port` and waits until it answers PING.
    pub fn start(port: u16) -> Result<RedisServer, StartError> {
        redis_server()?;
        let mut wrapper = Command::new("sh")
            .args(["-c", WRAPPER, "sh"])
            .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
            .args(["--save", "", "--appendonly", "no"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(StartError::Spawn)?;
        let stop = wrapper.stdin.take();
        let mut server = RedisServer {
            wrapper,
            stop,
            port,
        };
        server.wait_ready()?;
        Ok(server)
    }

    /// Starts a server on a free port.
    pub fn start_on_free_port() -> Result<RedisServer, StartError> {
        let mut last = None;
        for _ in 0..START_ATTEMPTS {
            match RedisServer::start(free_port()) {
                // Another process took the port between the probe and bind.
                Err(e @ StartError::Exited(_)) => last = Some(e),
                other => return other,
            }
        }
        Err(last.unwrap_or(StartError::Exited(0)))
    }

    /// Its port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Its URL (database 0).
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    /// Stops the server and waits until it has exited.
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
            if answers_ping(self.port) {
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

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("no free loopback port: {e}"))
}

/// Whether a Redis on loopback `port` answers an inline PING with `+PONG`.
pub fn answers_ping(port: u16) -> bool {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let Ok(mut s) = TcpStream::connect_timeout(&addr, PROBE_INTERVAL * 10) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(PROBE_INTERVAL * 10));
    let mut reply = [0u8; 16];
    s.write_all(b"PING\r\n").is_ok()
        && s.read(&mut reply)
            .is_ok_and(|n| reply[..n].starts_with(b"+PONG"))
}

/// The Redis URL for tests that share one server: this process's private
/// redis-server (started on first use) when the binary exists, else
/// `FLEXGATE_TEST_REDIS`. Panics when there is neither: the test was
/// compiled to run (`cfg(flexgate_redis)`), so that is a failure.
pub fn url() -> String {
    static SHARED: OnceLock<Result<String, String>> = OnceLock::new();
    let found = SHARED.get_or_init(|| {
        if redis_server().is_ok() {
            let server = RedisServer::start_on_free_port().map_err(|e| e.to_string())?;
            let url = server.url();
            // Lives as long as the process; the wrapper stops it at exit.
            std::mem::forget(server);
            return Ok(url);
        }
        test_redis_url().ok_or_else(|| {
            Prereq::Redis
                .check()
                .err()
                .map_or_else(String::new, |m| m.to_string())
        })
    });
    match found {
        Ok(url) => url.clone(),
        Err(e) => {
            panic!("no Redis for the test: {e} (scripts/install-test-deps installs redis-server)")
        }
    }
}
