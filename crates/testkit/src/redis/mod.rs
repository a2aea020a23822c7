//! Redis for tests: a private `redis-server` per test process, else the
//! Redis in `FLEXGATE_TEST_REDIS`; and deleting a test's keys.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::sync::OnceLock;
use std::time::Duration;

pub use crate::ports::free_port;
use crate::prereq::{redis_server, test_redis_url, Prereq};
pub use crate::watched::StartError;
use crate::watched::{Stop, Watched, PROBE_TIMEOUT};

mod keys;
mod resp;

pub use keys::{delete_prefix, KeyCleanup};
pub use resp::RespError;

/// How long a new server may take to answer PING.
const START_TIMEOUT: Duration = Duration::from_secs(10);
/// Ports tried for the shared server when a chosen free port is taken
/// before redis-server binds it.
const START_ATTEMPTS: usize = 3;

/// A private redis-server on loopback that keeps nothing on disk; stopped
/// on [`RedisServer::kill`], on drop, or when the test process ends.
#[derive(Debug)]
pub struct RedisServer {
    server: Watched,
    port: u16,
}

impl RedisServer {
    /// Starts a server on `port` and waits until it answers PING.
    pub fn start(port: u16) -> Result<RedisServer, StartError> {
        let binary = redis_server()?;
        let port_arg = port.to_string();
        let args = ["--bind", "127.0.0.1", "--port", &port_arg];
        let no_disk = ["--save", "", "--appendonly", "no"];
        let server = Watched::start(
            Stop::Term,
            binary,
            args.iter().chain(&no_disk),
            (port, START_TIMEOUT),
            || answers_ping(port),
        )?;
        Ok(RedisServer { server, port })
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
        self.server.kill();
    }
}

/// Whether a Redis on loopback `port` answers an inline PING with `+PONG`.
pub fn answers_ping(port: u16) -> bool {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let Ok(mut s) = TcpStream::connect_timeout(&addr, PROBE_TIMEOUT) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(PROBE_TIMEOUT));
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
