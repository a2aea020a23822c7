//! The suite's Royale application, compiled once per source version: the
//! output is cached under target/royale/<hash of the sources and the lock
//! file>, so only a change to tests/royale/app (or the SDK) recompiles.

use flexgate_testkit::RoyaleTools;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// What mxmlc writes beside the page (the unoptimised build: one file per
/// class, names as written, so what the page reports reads as the source).
const SITE: &str = "bin/js-debug";

/// The compiled application's directory (its index.html), compiling it
/// first when the cache has no build of these sources.
pub(crate) fn site(tools: &RoyaleTools) -> PathBuf {
    static SITE_DIR: OnceLock<PathBuf> = OnceLock::new();
    SITE_DIR.get_or_init(|| compile(tools)).clone()
}

fn compile(tools: &RoyaleTools) -> PathBuf {
    let sources = tools.dir.join("app");
    let out = target_dir()
        .join("royale")
        .join(format!("{:016x}", hash_sources(&sources, &tools.dir)));
    if out.join(SITE).join("index.html").is_file() {
        return out.join(SITE);
    }
    // Compiled beside, then renamed: a crashed compile leaves no half cache.
    let tmp = out.with_extension(format!("tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let started = std::time::Instant::now();
    let result = Command::new(&tools.mxmlc)
        .current_dir(&sources)
        .arg("-targets=JSRoyale")
        .arg(format!("-js-output={}", tmp.display()))
        .arg(format!(
            "-js-library-path+={}",
            tools
                .dir
                .join("node_modules/@apache-royale/royale-js/royale-asjs/frameworks/js/libs/MXRoyaleBaseJS.swc")
                .display()
        ))
        .arg("-source-path+=.")
        .arg("Suite.mxml")
        .output()
        .expect("mxmlc runs");
    assert!(
        result.status.success() && tmp.join(SITE).join("index.html").is_file(),
        "mxmlc failed:\n{}\n{}",
        String::from_utf8_lossy(&result.stdout),
        String::from_utf8_lossy(&result.stderr)
    );
    eprintln!("royale: compiled the suite in {:?}", started.elapsed());
    if std::fs::rename(&tmp, &out).is_err() {
        // Another test process got there first: its build is as good.
        let _ = std::fs::remove_dir_all(&tmp);
    }
    out.join(SITE)
}

/// The demo page (demo/), built by scripts/build-demo as a newcomer builds
/// it, into target/royale/demo-<hash> (cached like the suite).
pub(crate) fn demo_site(tools: &RoyaleTools) -> PathBuf {
    static DEMO_DIR: OnceLock<PathBuf> = OnceLock::new();
    DEMO_DIR
        .get_or_init(|| {
            let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
            let hash = hash_sources(&repo.join("demo"), &tools.dir);
            let out = target_dir()
                .join("royale")
                .join(format!("demo-{hash:016x}"));
            if out.join("index.html").is_file() {
                return out;
            }
            let tmp = out.with_extension(format!("tmp-{}", std::process::id()));
            let result = Command::new(repo.join("scripts/build-demo"))
                .arg(&tmp)
                .output()
                .expect("scripts/build-demo runs");
            assert!(
                result.status.success() && tmp.join("index.html").is_file(),
                "scripts/build-demo failed:\n{}\n{}",
                String::from_utf8_lossy(&result.stdout),
                String::from_utf8_lossy(&result.stderr)
            );
            if std::fs::rename(&tmp, &out).is_err() {
                let _ = std::fs::remove_dir_all(&tmp);
            }
            out
        })
        .clone()
}

/// `target/` of this workspace (or `CARGO_TARGET_DIR`).
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("target"),
        PathBuf::from,
    )
}

/// FNV-1a over the app's files (names and contents, in name order) and
/// the npm lock file: stable across Rust versions, unlike `DefaultHasher`.
fn hash_sources(sources: &Path, npm_dir: &Path) -> u64 {
    let mut files: Vec<PathBuf> = std::fs::read_dir(sources)
        .expect("tests/royale/app")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files.push(npm_dir.join("package-lock.json"));
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for f in files {
        let name = f.file_name().map(|n| n.to_string_lossy().into_owned());
        let bytes = std::fs::read(&f).unwrap_or_default();
        for b in name.unwrap_or_default().bytes().chain([0]).chain(bytes) {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}
