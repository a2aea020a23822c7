//! A private RabbitMQ node for tests that kill and restart their broker
//! (tests/amqp_restart.rs), so the machine's shared RabbitMQ on 5672 that
//! other tests use concurrently is never disturbed: its own node name,
//! AMQP and distribution ports, and data, log and config files in a
//! temporary directory; no plugins.
//!
//! The node runs as the test's user (root here: Debian's /usr/sbin wrapper
//! would `su rabbitmq` into a session of its own, out of reach of a process
//! group kill; flexgate_testkit::rabbitmq_server picks the script proper).
//! It is started in a process group of its own and killed as a group with
//! every descendant (erl_child_setup makes itself a session leader), so
//! nothing is left running; a wrapper also kills the group when the test
//! process goes without dropping the node (a panic in another thread, a
//! signal).

use super::browser::TempDir;
use flexgate_testkit::ports::restartable_port;
use std::collections::HashMap;
use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Hang guard for a node to accept AMQP connections (about 7 s here).
const START_WAIT: Duration = Duration::from_secs(90);
/// Hang guard for a killed node's processes to be gone.
const EXIT_WAIT: Duration = Duration::from_secs(10);
/// The RabbitMQ console's file in the node's directory.
const CONSOLE: &str = "console.log";

/// Runs `rabbitmq-server` (the arguments) and kills its whole process
/// group when the wrapper's stdin closes, which the test process holds:
/// as with testkit's redis wrapper, `read` is on fd 3 because a background
/// job's stdin is /dev/null.
const WRAPPER: &str = r#"exec 3<&0 0</dev/null
"$@" &
server=$!
{ read -r _ <&3; kill -s KILL 0; } &
wait "$server""#;

/// A private RabbitMQ node on loopback (user guest, password guest);
/// killed and its directory removed on drop.
pub(crate) struct RabbitNode {
    dir: TempDir,
    name: String,
    port: u16,
    dist_port: u16,
    /// The wrapper (its process group's leader) while the node runs.
    process: Option<Child>,
}

impl RabbitNode {
    /// Starts a node on free ports and waits until it accepts AMQP
    /// connections.
    pub(crate) async fn start() -> RabbitNode {
        let dir = TempDir::new("rabbitmq");
        // Both kept across restarts (see restartable_port).
        let port = restartable_port();
        let dist_port = restartable_port();
        // Letters, digits and `_` only: the name is an Erlang atom's text.
        let name = format!("flexgate_test_{}_{port}@localhost", std::process::id());
        let listener = format!("listeners.tcp.default = 127.0.0.1:{port}\n");
        for (file, text) in [
            ("rabbitmq.conf", listener.as_str()),
            ("enabled_plugins", "[].\n"),
            // Replaces /etc/rabbitmq/rabbitmq-env.conf, which names the
            // shared node.
            ("rabbitmq-env.conf", ""),
        ] {
            std::fs::write(dir.0.join(file), text).expect("node config");
        }
        let mut node = RabbitNode {
            dir,
            name,
            port,
            dist_port,
            process: None,
        };
        node.run().await;
        node
    }

    /// The node's AMQP URL (default vhost).
    pub(crate) fn url(&self) -> String {
        format!("amqp://guest:guest@127.0.0.1:{}/%2f", self.port)
    }

    /// Kills the node hard (SIGKILL, no shutdown) and waits until none of
    /// its processes is left; its data stays for [`RabbitNode::restart`].
    pub(crate) fn kill(&mut self) {
        if let Err(e) = self.stop() {
            panic!("node {}: {e}", self.name);
        }
    }

    /// [`RabbitNode::kill`] without the panic (for drop).
    fn stop(&mut self) -> Result<(), String> {
        let Some(mut process) = self.process.take() else {
            return Ok(());
        };
        let leader = process.id();
        let tree = descendants(leader);
        let killed = Command::new("kill")
            .args(["-s", "KILL", "--", &format!("-{leader}")])
            .args(tree.iter().map(u32::to_string))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        killed.map_err(|e| format!("cannot run kill: {e}"))?;
        // Reaps the wrapper (and closes its stdin).
        let _ = process.wait();
        let deadline = Instant::now() + EXIT_WAIT;
        while tree.iter().any(|pid| alive(*pid)) || !in_group(leader).is_empty() {
            if Instant::now() >= deadline {
                return Err(format!("processes outlived SIGKILL: {tree:?}"));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(())
    }

    /// Starts the killed node again on the same ports and data (durable
    /// queues and persistent messages come back); returns how long it took
    /// to accept connections.
    pub(crate) async fn restart(&mut self) -> Duration {
        self.kill();
        let started = Instant::now();
        self.run().await;
        started.elapsed()
    }

    /// Spawns the node and waits until it accepts AMQP connections.
    async fn run(&mut self) {
        let script = flexgate_testkit::require(flexgate_testkit::rabbitmq_server());
        let console = File::options()
            .create(true)
            .append(true)
            .open(self.path(CONSOLE))
            .expect("console log");
        let console_err = console.try_clone().expect("console log");
        let dir = &self.dir.0;
        let process = Command::new("sh")
            .args(["-c", WRAPPER, "sh"])
            .arg(script)
            .current_dir(dir)
            .env("RABBITMQ_NODENAME", &self.name)
            .env("RABBITMQ_NODE_PORT", self.port.to_string())
            .env("RABBITMQ_DIST_PORT", self.dist_port.to_string())
            .env("RABBITMQ_MNESIA_BASE", dir.join("mnesia"))
            .env("RABBITMQ_LOG_BASE", dir.join("log"))
            .env("RABBITMQ_CONFIG_FILE", dir.join("rabbitmq.conf"))
            .env("RABBITMQ_ADVANCED_CONFIG_FILE", dir.join("advanced.config"))
            .env("RABBITMQ_ENABLED_PLUGINS_FILE", dir.join("enabled_plugins"))
            .env("RABBITMQ_CONF_ENV_FILE", dir.join("rabbitmq-env.conf"))
            // The Erlang cookie is created in $HOME when missing: keep it
            // in the node's directory, not the tester's home.
            .env("HOME", dir)
            .env_remove("ERL_FLAGS")
            .stdin(Stdio::piped())
            .stdout(console)
            .stderr(console_err)
            .process_group(0)
            .spawn()
            .expect("rabbitmq-server runs");
        self.process = Some(process);
        self.until_ready().await;
    }

    async fn until_ready(&mut self) {
        let deadline = Instant::now() + START_WAIT;
        let url = self.url();
        loop {
            if let Some(status) = self
                .process
                .as_mut()
                .and_then(|p| p.try_wait().ok().flatten())
            {
                panic!("rabbitmq-server exited ({status}):\n{}", self.console());
            }
            let props = lapin::ConnectionProperties::default();
            let attempt = lapin::Connection::connect(&url, props);
            if let Ok(Ok(c)) = tokio::time::timeout(Duration::from_secs(5), attempt).await {
                let _ = c.close(200, "ready".into()).await;
                return;
            }
            if Instant::now() >= deadline {
                let console = self.console();
                self.kill();
                panic!("node {} not ready in {START_WAIT:?}:\n{console}", self.name);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn path(&self, file: &str) -> PathBuf {
        self.dir.0.join(file)
    }

    /// The last lines the node printed, for failure messages.
    fn console(&self) -> String {
        let text = std::fs::read_to_string(self.path(CONSOLE)).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }
}

impl Drop for RabbitNode {
    fn drop(&mut self) {
        if let Err(e) = self.stop() {
            eprintln!("node {}: {e}", self.name);
        }
    }
}

/// A process's state, parent and process group from /proc/<pid>/stat
/// (`pid (comm) state ppid pgrp ...`; comm may hold spaces and parens).
fn stat(proc_dir: &Path) -> Option<(char, u32, u32)> {
    let text = std::fs::read_to_string(proc_dir.join("stat")).ok()?;
    let rest = &text[text.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace();
    let state = fields.next()?.chars().next()?;
    let ppid = fields.next()?.parse().ok()?;
    let pgrp = fields.next()?.parse().ok()?;
    Some((state, ppid, pgrp))
}

/// Every live (not zombie) process: pid to (parent, group).
fn processes() -> HashMap<u32, (u32, u32)> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return HashMap::new();
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let pid = e.file_name().to_str()?.parse().ok()?;
            let (state, ppid, pgrp) = stat(&e.path())?;
            (state != 'Z').then_some((pid, (ppid, pgrp)))
        })
        .collect()
}

/// The processes below `root`, at any depth (bounded by the table).
fn descendants(root: u32) -> Vec<u32> {
    let table = processes();
    let mut found = vec![root];
    let mut i = 0;
    while let Some(parent) = found.get(i).copied() {
        let children: Vec<u32> = table
            .iter()
            .filter(|(pid, (ppid, _))| *ppid == parent && !found.contains(pid))
            .map(|(pid, _)| *pid)
            .collect();
        found.extend(children);
        i += 1;
    }
    found.remove(0);
    found
}

/// The live members of process group `pgrp`.
fn in_group(pgrp: u32) -> Vec<u32> {
    processes()
        .into_iter()
        .filter(|(_, (_, g))| *g == pgrp)
        .map(|(pid, _)| pid)
        .collect()
}

/// Whether `pid` is a live process.
fn alive(pid: u32) -> bool {
    let p = PathBuf::from(format!("/proc/{pid}"));
    stat(&p).is_some_and(|(state, _, _)| state != 'Z')
}
