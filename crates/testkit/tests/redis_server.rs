//! The private redis-server: it answers, it stops when told, it stops when
//! the test process that started it ends, and a taken port is an error.

use std::io::{BufRead, BufReader};
use std::net::{Ipv4Addr, TcpListener};
use std::process::{Command, Stdio};
use std::time::Duration;

use flexgate_testkit::redis::{answers_ping, RedisServer, StartError};

/// Set in the child process of `the_server_stops_when_its_process_ends`.
const CHILD: &str = "FLEXGATE_TESTKIT_CHILD";

/// Waits (bounded) until `port` no longer answers PING.
fn stops_answering(port: u16) -> bool {
    for _ in 0..500 {
        if !answers_ping(port) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

#[test]
#[cfg_attr(
    not(flexgate_redis_server),
    ignore = "needs redis-server on the PATH (scripts/test installs it)"
)]
fn a_killed_server_stops_answering() {
    let mut server = RedisServer::start_on_free_port().expect("server starts");
    assert!(answers_ping(server.port()));
    assert!(server.url().starts_with("redis://127.0.0.1:"));
    server.kill();
    assert!(!answers_ping(server.port()), "still answering after kill");
}

#[test]
#[cfg_attr(
    not(flexgate_redis_server),
    ignore = "needs redis-server on the PATH (scripts/test installs it)"
)]
fn the_server_stops_when_its_process_ends() {
    if std::env::var_os(CHILD).is_some() {
        // The child: start the shared server, say where, and exit without
        // any destructor (as a test binary does).
        let url = flexgate_testkit::redis::url();
        println!("{url}");
        std::process::exit(0);
    }
    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--exact",
            "the_server_stops_when_its_process_ends",
            "--nocapture",
        ])
        .args(["--include-ignored", "--test-threads=1"])
        .env(CHILD, "1")
        .stdout(Stdio::piped())
        .spawn()
        .expect("child runs");
    let out = BufReader::new(child.stdout.take().expect("stdout"));
    let port: u16 = out
        .lines()
        .map_while(Result::ok)
        .find_map(|l| {
            // libtest may print the test's name first on the same line.
            l.split_once("redis://127.0.0.1:")
                .and_then(|(_, r)| r.strip_suffix("/0"))
                .and_then(|p| p.parse().ok())
        })
        .expect("the child printed its Redis URL");
    assert!(child.wait().expect("child exits").success());
    assert!(
        stops_answering(port),
        "redis-server on {port} outlived its test process"
    );
}

#[test]
#[cfg_attr(
    not(flexgate_redis_server),
    ignore = "needs redis-server on the PATH (scripts/test installs it)"
)]
fn a_taken_port_is_an_error() {
    let taken = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("listener");
    let port = taken.local_addr().expect("address").port();
    match RedisServer::start(port) {
        Err(StartError::Exited(p)) => assert_eq!(p, port),
        other => panic!("expected Exited({port}), got {other:?}"),
    }
}
