//! The `flexgate import-blazeds` subcommand on the BlazeDS reference
//! config, and `flexgate serve --config` on its output answering a ping on
//! every channel path the XML named.

use flexgate_gateway::config::Config;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_flexgate");

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

fn flexgate(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .output()
        .expect("flexgate runs")
}

/// Ends the server this test started when the test ends, pass or fail.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// POSTs the ping fixture to `path`; the raw HTTP response.
fn ping(addr: &str, path: &str) -> String {
    let body = std::fs::read(repo("fixtures/requests/ping.amf")).expect("ping fixture");
    let mut s = TcpStream::connect(addr).expect("connects");
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-amf\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).expect("head");
    s.write_all(&body).expect("body");
    let mut reply = Vec::new();
    s.read_to_end(&mut reply).expect("reply");
    String::from_utf8_lossy(&reply).into_owned()
}

#[test]
fn imports_the_reference_config_and_serves_its_channels() {
    let config = repo("fixtures/blazeds/config/services-config.xml");
    let out = flexgate(&["import-blazeds", config.to_str().expect("utf-8 path")]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let toml = String::from_utf8(out.stdout).expect("utf-8");
    let parsed = Config::parse(&toml).expect("the output loads");
    assert!(stderr
        .lines()
        .all(|l| l.starts_with("unmapped: ") || l.starts_with("note: ")));
    assert!(stderr.contains("remoting-config.xml:14: service[remoting-service]/destination[EchoService]/properties/source: the Java class demo.EchoService"));
    assert!(stderr
        .contains("{context.root} in endpoint URLs was replaced with nothing (--context-root)"));

    let dir = std::env::temp_dir().join(format!("flexgate-import-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("flexgate.toml");
    std::fs::write(&file, format!("listen = \"127.0.0.1:0\"\n{toml}")).expect("written");
    let mut child = Command::new(BIN)
        .args(["serve", "--config", file.to_str().expect("utf-8 path")])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve starts");
    let stdout = child.stdout.take().expect("stdout");
    let server = Server(child);
    // Log lines come first on stdout too; a bounded look for the address.
    let addr = BufReader::new(stdout)
        .lines()
        .take(100)
        .map_while(Result::ok)
        .find_map(|l| {
            l.strip_prefix("flexgate listening on http://")
                .map(str::to_owned)
        })
        .expect("serve prints its address");
    for c in parsed.channels.values() {
        let reply = ping(&addr, &c.path);
        assert!(reply.starts_with("HTTP/1.1 200"), "{}: {reply}", c.path);
        assert!(reply.contains("/1/onResult"), "{}: {reply}", c.path);
    }
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_arguments_and_missing_files_fail_clearly() {
    let out = flexgate(&["import-blazeds"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("usage: flexgate import-blazeds"));
    let out = flexgate(&["import-blazeds", "--token", "novalue", "x.xml"]);
    assert_eq!(out.status.code(), Some(2));
    let out = flexgate(&["import-blazeds", "/no/such/services-config.xml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr)
        .starts_with("flexgate import-blazeds: cannot read /no/such/services-config.xml"));
}
