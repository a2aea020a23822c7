//! A backend process started by a test: one of the scripts under
//! tests/backends/, listening on a free loopback port it prints first.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// A running backend; killed when dropped.
pub(crate) struct BackendProcess {
    child: Child,
    /// `http://127.0.0.1:PORT/rpc`.
    pub(crate) url: String,
}

impl BackendProcess {
    /// Runs `program tests/backends/<script>` and reads its "listening PORT" line.
    pub(crate) fn start(program: &Path, script: &str) -> BackendProcess {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/backends")
            .join(script);
        let mut child = Command::new(program)
            .arg(&path)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()));
        let stdout = child.stdout.take().expect("piped stdout");
        let mut line = String::new();
        // The script exits (EOF) rather than hang when it cannot start.
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("backend output");
        let port = line
            .trim()
            .strip_prefix("listening ")
            .and_then(|p| p.parse::<u16>().ok())
            .unwrap_or_else(|| panic!("{script} did not start: {line:?}"));
        BackendProcess {
            child,
            url: format!("http://127.0.0.1:{port}/rpc"),
        }
    }
}

impl Drop for BackendProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
