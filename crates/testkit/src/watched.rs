//! A server process a test starts and must not outlive: run under a small
//! shell wrapper that signals it when the wrapper's stdin closes, on
//! [`Watched::kill`], on drop, or when the test process ends however it
//! ends (statics are never dropped, and a killed process runs no
//! destructor). Shared by the private Redis and NATS servers.

use std::ffi::OsStr;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use crate::prereq::Missing;

/// Runs `"$@"` after the signal name and sends it that signal once stdin
/// closes. `read` is on fd 3 because a background job's stdin is
/// /dev/null.
const WRAPPER: &str = r#"signal=$1; shift
exec 3<&0 0</dev/null
"$@" &
server=$!
{ read -r _ <&3; kill -"$signal" "$server" 2>/dev/null; } &
watcher=$!
wait "$server"; status=$?
kill "$watcher" 2>/dev/null
exit "$status""#;

/// Pause between readiness probes.
const PROBE_INTERVAL: Duration = Duration::from_millis(20);
/// How long one readiness probe may wait to connect or read.
pub(crate) const PROBE_TIMEOUT: Duration = Duration::from_millis(200);

/// How a watched server is stopped.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Stop {
    /// SIGTERM: a clean shutdown.
    Term,
    /// SIGKILL: a crash, for the tests that restart a broker.
    Kill,
}

impl Stop {
    fn signal(self) -> &'static str {
        match self {
            Stop::Term => "TERM",
            Stop::Kill => "KILL",
        }
    }
}

/// Why a private server could not be had.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// No binary.
    #[error(transparent)]
    Missing(#[from] Missing),
    /// The wrapper shell could not be spawned.
    #[error("cannot run sh for a test server: {0}")]
    Spawn(std::io::Error),
    /// The server on this port exited before it was ready (port taken,
    /// bad flags).
    #[error("the test server on port {0} exited at start")]
    Exited(u16),
    /// The server on this port was not ready in time.
    #[error("the test server on port {0} was not ready in time")]
    Timeout(u16),
}

/// A running server under the wrapper.
#[derive(Debug)]
pub(crate) struct Watched {
    wrapper: Child,
    /// Closing it stops the server.
    stop: Option<ChildStdin>,
}

impl Watched {
    /// Runs `program args…` (a server on `port`), stopped with `stop`, and
    /// waits until `ready` holds (probed every 20 ms) for at most `timeout`.
    pub(crate) fn start<I, S>(
        stop: Stop,
        program: impl AsRef<OsStr>,
        args: I,
        (port, timeout): (u16, Duration),
        ready: impl Fn() -> bool,
    ) -> Result<Watched, StartError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut wrapper = Command::new("sh")
            .args(["-c", WRAPPER, "sh", stop.signal()])
            .arg(program)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(StartError::Spawn)?;
        let stop = wrapper.stdin.take();
        let mut server = Watched { wrapper, stop };
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(Some(_)) = server.wrapper.try_wait() {
                return Err(StartError::Exited(port));
            }
            if ready() {
                return Ok(server);
            }
            if Instant::now() >= deadline {
                server.kill();
                return Err(StartError::Timeout(port));
            }
            std::thread::sleep(PROBE_INTERVAL);
        }
    }

    /// Stops the server and waits until it has exited.
    pub(crate) fn kill(&mut self) {
        drop(self.stop.take());
        // The wrapper exits once the server has.
        let _ = self.wrapper.wait();
    }
}

impl Drop for Watched {
    fn drop(&mut self) {
        self.kill();
    }
}
