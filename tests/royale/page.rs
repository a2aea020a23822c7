//! One scenario page in headless Chromium, through tests/royale/driver.js:
//! what the page reports arrives as lines on the driver's stdout, and the
//! test answers a page's step on its stdin (the handshake Bridge.as
//! describes).

use flexgate_testkit::RoyaleTools;
use serde_json::Value;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

/// A whole scenario gets this long (a hang fails, it never blocks CI).
const DEADLINE: Duration = Duration::from_secs(60);

/// What the page said.
#[derive(Debug)]
pub(crate) enum Event {
    /// A checkpoint: the page waits for [`Page::go`] with this name.
    Step(String),
    /// The scenario ended with this report.
    Done(Value),
}

/// A running driver with its page.
pub(crate) struct Page {
    child: Child,
    stdin: ChildStdin,
    lines: Lines<BufReader<ChildStdout>>,
    /// Every line the driver printed, for failure messages.
    transcript: Vec<String>,
}

impl Page {
    /// Opens `url` (the app's page with its `?scenario=...` query).
    pub(crate) fn open(tools: &RoyaleTools, url: &str) -> Page {
        let mut child = Command::new(&tools.node)
            .arg(tools.dir.join("driver.js"))
            .arg(url)
            .arg(&tools.chromium)
            .current_dir(&tools.dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("node runs the driver");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        Page {
            child,
            stdin,
            lines: BufReader::new(stdout).lines(),
            transcript: Vec::new(),
        }
    }

    /// The next step or the report; panics on a failure report, a crash
    /// or the deadline, with the driver's transcript.
    pub(crate) async fn next(&mut self) -> Event {
        loop {
            let line = tokio::time::timeout(DEADLINE, self.lines.next_line()).await;
            let line = match line {
                Ok(Ok(Some(l))) => l,
                Ok(_) => self.fail("the driver ended without a result"),
                Err(_) => self.fail("no result within the deadline"),
            };
            self.transcript.push(line.clone());
            let mut parts = line.splitn(3, ' ');
            match (parts.next(), parts.next(), parts.next()) {
                (Some("step"), Some(name), _) => return Event::Step(name.to_owned()),
                (Some("result"), Some("done"), Some(json)) => {
                    let v = serde_json::from_str(json).expect("the report is JSON");
                    return Event::Done(v);
                }
                (Some("result"), _, _) => self.fail("the page reported a failure"),
                _ => {}
            }
        }
    }

    /// Waits for the page's `log page NAME DATA` line (a page that logs
    /// rather than reports, as the demo); returns DATA (`null` if none).
    pub(crate) async fn logged(&mut self, name: &str) -> Value {
        let prefix = format!("log page {name}");
        loop {
            let line = tokio::time::timeout(DEADLINE, self.lines.next_line()).await;
            let line = match line {
                Ok(Ok(Some(l))) => l,
                Ok(_) => self.fail("the driver ended"),
                Err(_) => self.fail(&format!("no {name} within the deadline")),
            };
            self.transcript.push(line.clone());
            if let Some(rest) = line.strip_prefix(&prefix) {
                if rest.is_empty() {
                    return Value::Null;
                }
                if let Some(json) = rest.strip_prefix(' ') {
                    return serde_json::from_str(json).expect("logged data is JSON");
                }
            }
        }
    }

    /// Expects step `name` next.
    pub(crate) async fn step(&mut self, name: &str) {
        match self.next().await {
            Event::Step(s) if s == name => {}
            other => self.fail(&format!("expected step {name}, got {other:?}")),
        }
    }

    /// Expects the report next.
    pub(crate) async fn report(&mut self) -> Value {
        match self.next().await {
            Event::Done(v) => v,
            other @ Event::Step(_) => self.fail(&format!("expected the report, got {other:?}")),
        }
    }

    /// Lets the page go on past step `name`.
    pub(crate) async fn go(&mut self, name: &str) {
        let line = format!("go {name}\n");
        self.stdin
            .write_all(line.as_bytes())
            .await
            .expect("driver stdin");
        self.stdin.flush().await.expect("driver stdin");
    }

    fn fail(&mut self, why: &str) -> ! {
        let _ = self.child.start_kill();
        panic!("{why}; driver said:\n{}", self.transcript.join("\n"));
    }
}
