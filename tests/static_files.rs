//! `[static] root` over HTTP: files beside the channels, content types,
//! revalidation, and nothing outside the root however the path is spelt.

mod common;

use common::raw::{request, RawReply};
use common::TestServer;
use flexgate_gateway::config::Config;
use std::path::{Path, PathBuf};

/// A fresh directory tree: `site/` (the root) and `secret.txt` beside it.
fn site(tag: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let base = std::env::temp_dir().join(format!(
        "flexgate-static-{tag}-{}-{nanos}",
        std::process::id()
    ));
    let root = base.join("site");
    std::fs::create_dir_all(root.join("app/js")).expect("dirs");
    std::fs::create_dir_all(root.join("empty")).expect("dirs");
    let write = |p: &str, data: &[u8]| std::fs::write(root.join(p), data).expect("write");
    write("index.html", b"<html>root index</html>");
    write("app/index.html", b"<html>app index</html>");
    write("app/js/App.js", b"console.log('app');");
    write("app/movie.swf", b"FWS\x0a\x00\x00\x00\x00");
    write("app/ruffle.wasm", b"\x00asm\x01\x00\x00\x00");
    write("app/style.css", b"body{}");
    write("app/data.bin", b"\x01\x02");
    std::fs::write(base.join("secret.txt"), b"TOP SECRET").expect("write");
    root
}

async fn server(root: &Path) -> TestServer {
    let mut config = Config::default();
    config.static_files.root = Some(root.to_owned());
    TestServer::start(config).await
}

async fn get(s: &TestServer, target: &str) -> RawReply {
    request(s.running.local_addr(), "GET", target, &[]).await
}

#[tokio::test]
async fn files_are_served_with_their_content_types() {
    let root = site("types");
    let s = server(&root).await;
    for (path, ty, body) in [
        (
            "/",
            "text/html; charset=utf-8",
            &b"<html>root index</html>"[..],
        ),
        (
            "/app/",
            "text/html; charset=utf-8",
            b"<html>app index</html>",
        ),
        (
            "/app/js/App.js",
            "text/javascript; charset=utf-8",
            b"console.log('app');",
        ),
        (
            "/app/movie.swf",
            "application/x-shockwave-flash",
            b"FWS\x0a\x00\x00\x00\x00",
        ),
        (
            "/app/ruffle.wasm",
            "application/wasm",
            b"\x00asm\x01\x00\x00\x00",
        ),
        ("/app/style.css", "text/css; charset=utf-8", b"body{}"),
        ("/app/data.bin", "application/octet-stream", b"\x01\x02"),
    ] {
        let r = get(&s, path).await;
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.header("content-type"), Some(ty), "{path}");
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(r.body, body, "{path}");
        assert!(r.header("etag").is_some() && r.header("last-modified").is_some());
    }
    // A directory without its slash is sent to it (relative links resolve).
    let r = get(&s, "/app").await;
    assert_eq!((r.status, r.header("location")), (301, Some("/app/")));
    // No listing of a directory without index.html, and no missing files.
    assert_eq!(get(&s, "/empty/").await.status, 404);
    assert_eq!(get(&s, "/app/nope.js").await.status, 404);
    // HEAD: the headers, no body.
    let r = request(s.running.local_addr(), "HEAD", "/app/js/App.js", &[]).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-length"), Some("19"));
    assert!(r.body.is_empty());
    // Other methods are refused (a channel path still takes POST).
    let r = request(s.running.local_addr(), "DELETE", "/app/js/App.js", &[]).await;
    assert_eq!((r.status, r.header("allow")), (405, Some("GET, HEAD")));
}

#[tokio::test]
async fn channels_and_status_keep_their_paths() {
    let root = site("precedence");
    std::fs::create_dir_all(root.join("messagebroker")).expect("dir");
    std::fs::write(root.join("messagebroker/amf"), b"shadow").expect("write");
    std::fs::write(root.join("status.json"), b"shadow").expect("write");
    let s = server(&root).await;
    let r = get(&s, "/messagebroker/amf").await;
    assert_eq!(r.status, 405, "the channel answers, not the file");
    let r = get(&s, "/status.json").await;
    assert_eq!(r.status, 200);
    assert_ne!(r.body, b"shadow");
    // Without a root, non-channel paths are 404 as before.
    let plain = TestServer::start(Config::default()).await;
    assert_eq!(get(&plain, "/index.html").await.status, 404);
}

#[tokio::test]
async fn nothing_outside_the_root_is_served() {
    let root = site("traversal");
    #[cfg(unix)]
    {
        let outside = root.parent().expect("base").join("secret.txt");
        std::os::unix::fs::symlink(&outside, root.join("link.txt")).expect("symlink");
        std::os::unix::fs::symlink(root.parent().expect("base"), root.join("up")).expect("symlink");
        std::os::unix::fs::symlink(root.join("app/js/App.js"), root.join("inner.js"))
            .expect("symlink");
    }
    let s = server(&root).await;
    let secret = root.parent().expect("base").join("secret.txt");
    let absolute = format!("/{}", secret.display());
    for target in [
        "/../secret.txt",
        "/app/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/secret.txt",
        "/app/%2e%2e%2f%2e%2e%2fsecret.txt",
        "/app%2f..%2f..%2fsecret.txt",
        "/..%5csecret.txt",
        "/app/js/App.js%00.html",
        "/%zz",
        absolute.as_str(),
        "//../secret.txt",
        "/link.txt",
        "/up/secret.txt",
    ] {
        let r = get(&s, target).await;
        assert!(
            r.status == 400 || r.status == 404,
            "{target}: {} {}",
            r.status,
            String::from_utf8_lossy(&r.body)
        );
        assert!(
            !String::from_utf8_lossy(&r.body).contains("TOP SECRET"),
            "{target}"
        );
    }
    // A symlink staying inside the root is an ordinary file.
    #[cfg(unix)]
    assert_eq!(get(&s, "/inner.js").await.body, b"console.log('app');");
}

#[tokio::test]
async fn revalidation_answers_304() {
    let root = site("revalidate");
    let s = server(&root).await;
    let addr = s.running.local_addr();
    let first = get(&s, "/app/js/App.js").await;
    let etag = first.header("etag").expect("etag").to_owned();
    let modified = first.header("last-modified").expect("date").to_owned();
    let r = request(addr, "GET", "/app/js/App.js", &[("If-None-Match", &etag)]).await;
    assert_eq!(r.status, 304);
    assert!(r.body.is_empty());
    assert_eq!(r.header("etag"), Some(etag.as_str()));
    let list = format!("\"nope\", W/{etag}");
    let r = request(addr, "GET", "/app/js/App.js", &[("If-None-Match", &list)]).await;
    assert_eq!(r.status, 304, "weak comparison, any of a list");
    let r = request(
        addr,
        "GET",
        "/app/js/App.js",
        &[("If-Modified-Since", &modified)],
    )
    .await;
    assert_eq!(r.status, 304);
    let old = "Mon, 01 Jan 2001 00:00:00 GMT";
    let r = request(addr, "GET", "/app/js/App.js", &[("If-Modified-Since", old)]).await;
    assert_eq!(r.status, 200);
    // If-None-Match decides when both are sent (RFC 9110 §13.2.2).
    let both = [
        ("If-None-Match", "\"other\""),
        ("If-Modified-Since", modified.as_str()),
    ];
    assert_eq!(
        request(addr, "GET", "/app/js/App.js", &both).await.status,
        200
    );
    // A changed file has a new ETag.
    std::fs::write(root.join("app/js/App.js"), b"console.log('v2');").expect("write");
    let r = request(addr, "GET", "/app/js/App.js", &[("If-None-Match", &etag)]).await;
    assert_eq!(
        (r.status, r.body.as_slice()),
        (200, &b"console.log('v2');"[..])
    );
}

#[tokio::test]
async fn files_over_the_cap_are_not_served() {
    let root = site("cap");
    let mut config = Config::default();
    config.static_files.root = Some(root.clone());
    config.static_files.max_file_bytes = 8;
    let s = TestServer::start(config).await;
    assert_eq!(get(&s, "/app/data.bin").await.status, 200);
    assert_eq!(get(&s, "/app/js/App.js").await.status, 404);
}

#[test]
fn the_static_section_parses() {
    let c = Config::parse("[static]\nroot = \"site\"\nmax_file_bytes = 1024\n").expect("parses");
    assert_eq!(c.static_files.root, Some(PathBuf::from("site")));
    assert_eq!(c.static_files.max_file_bytes, 1024);
    assert!(Config::parse("[static]\nlisting = true\n").is_err());
}
