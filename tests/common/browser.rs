//! Headless Chromium for the browser tests (tests/status_page.rs,
//! tests/cors_browser.rs): runs a page and returns its DOM.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The Chromium binary (`flexgate_testkit::chromium`: `FLEXGATE_CHROMIUM`,
/// else `chromium` or `chromium-browser` on the PATH). The tests that call
/// it are ignored when the build found none; so here a missing one fails.
pub(crate) fn chromium() -> PathBuf {
    flexgate_testkit::require(flexgate_testkit::chromium())
}

/// A fresh, empty directory (removed on drop).
pub(crate) struct TempDir(pub(crate) PathBuf);

impl TempDir {
    pub(crate) fn new(tag: &str) -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let p = std::env::temp_dir().join(format!("flexgate-{tag}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&p).expect("temp dir");
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs headless Chromium on `url` with `args` (e.g. `--dump-dom`) and a
/// fresh profile; returns its stdout. Virtual time lets the page's timers
/// and fetches run for `budget_ms` of page time, independent of the clock.
pub(crate) async fn headless(
    chromium: &Path,
    url: &str,
    budget_ms: u64,
    args: &[String],
) -> String {
    let profile = TempDir::new("chromium");
    let mut cmd = Command::new(chromium);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--hide-scrollbars",
        "--mute-audio",
    ])
    .arg(format!("--user-data-dir={}", profile.0.display()))
    .arg(format!("--virtual-time-budget={budget_ms}"))
    .args(args)
    .arg(url)
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    // Blocking wait on the blocking pool: the gateway under test runs on
    // this test's runtime and must keep serving the browser.
    let out = tokio::task::spawn_blocking(move || {
        let out = cmd.output().expect("chromium runs");
        drop(profile);
        out
    })
    .await
    .expect("chromium task");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "chromium failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The text content of the element with `id` in a serialized DOM (for
/// elements whose content is text only).
pub(crate) fn text_of<'a>(dom: &'a str, id: &str) -> &'a str {
    let at = dom
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} in the page"));
    let start = at + dom[at..].find('>').expect("tag end") + 1;
    let end = start + dom[start..].find('<').expect("closing tag");
    &dom[start..end]
}

/// The value of attribute `attr` on the element with `id`.
pub(crate) fn attr_of<'a>(dom: &'a str, id: &str, attr: &str) -> Option<&'a str> {
    let at = dom.find(&format!("id=\"{id}\""))?;
    let tag_start = dom[..at].rfind('<')?;
    let tag_end = at + dom[at..].find('>')?;
    let tag = &dom[tag_start..tag_end];
    let key = format!(" {attr}=\"");
    let v = tag.find(&key)? + key.len();
    Some(&tag[v..v + tag[v..].find('"')?])
}
