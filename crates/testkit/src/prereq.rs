//! Where each prerequisite is looked for.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The py3amf release the interop tests are written against; the venv of
/// `scripts/install-test-deps` is named after it.
pub const PY3AMF_VERSION: &str = "0.9.1";

/// Something a test needs that cargo does not fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prereq {
    /// A `redis-server` binary on the PATH, to start private servers.
    RedisServer,
    /// Some Redis: a private `redis-server`, else `FLEXGATE_TEST_REDIS`.
    Redis,
    /// A Python that imports py3amf's `pyamf`.
    Py3amf,
    /// A Chromium binary for the browser tests.
    Chromium,
    /// A `python3` on the PATH (the standard library only).
    Python,
    /// A `node` on the PATH (no npm packages).
    Node,
}

/// Why a prerequisite is not there.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{} missing: {why}", prereq.name())]
pub struct Missing {
    /// Which one.
    pub prereq: Prereq,
    /// What was looked for, in words.
    pub why: String,
}

impl Prereq {
    /// Every prerequisite.
    pub const ALL: [Prereq; 6] = [
        Prereq::RedisServer,
        Prereq::Redis,
        Prereq::Py3amf,
        Prereq::Chromium,
        Prereq::Python,
        Prereq::Node,
    ];

    /// What it is, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Prereq::RedisServer => "redis-server",
            Prereq::Redis => "Redis",
            Prereq::Py3amf => "py3amf",
            Prereq::Chromium => "chromium",
            Prereq::Python => "python3",
            Prereq::Node => "node",
        }
    }

    /// The `cfg` a build script sets when the tests needing this should run.
    pub fn cfg(self) -> &'static str {
        match self {
            Prereq::RedisServer => "flexgate_redis_server",
            Prereq::Redis => "flexgate_redis",
            Prereq::Py3amf => "flexgate_py3amf",
            Prereq::Chromium => "flexgate_chromium",
            Prereq::Python => "flexgate_python",
            Prereq::Node => "flexgate_node",
        }
    }

    /// The environment variables the lookup reads (build scripts rerun
    /// when one changes).
    pub fn env_vars(self) -> &'static [&'static str] {
        match self {
            Prereq::RedisServer => &["PATH"],
            Prereq::Redis => &["PATH", "FLEXGATE_TEST_REDIS"],
            Prereq::Py3amf => &["PATH", "FLEXGATE_PY3AMF_PYTHON", "XDG_CACHE_HOME", "HOME"],
            Prereq::Chromium => &["PATH", "FLEXGATE_CHROMIUM"],
            Prereq::Python | Prereq::Node => &["PATH"],
        }
    }

    /// Whether the prerequisite is there.
    pub fn check(self) -> Result<(), Missing> {
        match self {
            Prereq::RedisServer => redis_server().map(drop),
            Prereq::Redis => match (redis_server(), test_redis_url()) {
                (Err(_), None) => Err(Missing {
                    prereq: self,
                    why: "no redis-server on the PATH and FLEXGATE_TEST_REDIS unset".into(),
                }),
                _ => Ok(()),
            },
            Prereq::Py3amf => py3amf_python().map(drop),
            Prereq::Chromium => chromium().map(drop),
            Prereq::Python => python().map(drop),
            Prereq::Node => node().map(drop),
        }
    }
}

/// The value of a lookup, for a test that was compiled to run: a missing
/// prerequisite fails it (it was there when the test was built, or
/// `CI=true` demands it).
pub fn require<T>(found: Result<T, Missing>) -> T {
    found.unwrap_or_else(|m| panic!("{m} (scripts/install-test-deps installs it)"))
}

/// The `redis-server` binary on the PATH.
pub fn redis_server() -> Result<PathBuf, Missing> {
    on_path("redis-server").ok_or_else(|| Missing {
        prereq: Prereq::RedisServer,
        why: "no redis-server on the PATH".into(),
    })
}

/// `python3` on the PATH (for backends written with its standard library).
pub fn python() -> Result<PathBuf, Missing> {
    on_path("python3").ok_or_else(|| Missing {
        prereq: Prereq::Python,
        why: "no python3 on the PATH".into(),
    })
}

/// `node` on the PATH.
pub fn node() -> Result<PathBuf, Missing> {
    on_path("node").ok_or_else(|| Missing {
        prereq: Prereq::Node,
        why: "no node on the PATH".into(),
    })
}

/// `FLEXGATE_TEST_REDIS` when it holds something.
pub(crate) fn test_redis_url() -> Option<String> {
    std::env::var("FLEXGATE_TEST_REDIS")
        .ok()
        .filter(|u| !u.trim().is_empty())
}

/// The first executable file called `name` in a PATH directory.
pub(crate) fn on_path(name: &str) -> Option<PathBuf> {
    path_dirs()
        .into_iter()
        .map(|dir| dir.join(name))
        .find(|p| is_executable(p))
}

/// The PATH's directories.
pub(crate) fn path_dirs() -> Vec<PathBuf> {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default()
}

fn is_executable(p: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        p.metadata()
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        p.is_file()
    }
}

/// The venv `scripts/install-test-deps` makes (the same path as there).
pub fn py3amf_venv() -> Option<PathBuf> {
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    Some(
        cache
            .join("flexgate")
            .join(format!("py3amf-{PY3AMF_VERSION}")),
    )
}

/// The Python for the py3amf tests: `FLEXGATE_PY3AMF_PYTHON`, else the
/// install script's venv, else `python3`; the first that is set (or
/// exists) must import py3amf.
pub fn py3amf_python() -> Result<PathBuf, Missing> {
    find_py3amf_python().map_err(|why| Missing {
        prereq: Prereq::Py3amf,
        why,
    })
}

fn find_py3amf_python() -> Result<PathBuf, String> {
    let python = match std::env::var_os("FLEXGATE_PY3AMF_PYTHON").filter(|v| !v.is_empty()) {
        Some(p) => PathBuf::from(p),
        None => py3amf_venv()
            .map(|v| v.join("bin").join("python"))
            .filter(|p| is_executable(p))
            .or_else(|| on_path("python3"))
            .ok_or_else(|| {
                "no FLEXGATE_PY3AMF_PYTHON, no py3amf venv, no python3 on the PATH".to_owned()
            })?,
    };
    // The modules the interop tests import.
    let imports = "import pyamf, pyamf.remoting.client, pyamf.flex.messaging";
    match Command::new(&python)
        .args(["-c", imports])
        .stdin(Stdio::null())
        .output()
    {
        Ok(out) if out.status.success() => Ok(python),
        Ok(_) => Err(format!("{} cannot import pyamf", python.display())),
        Err(e) => Err(format!("cannot run {}: {e}", python.display())),
    }
}

/// The Chromium for the browser tests: `FLEXGATE_CHROMIUM` (which must
/// exist), else `chromium` or `chromium-browser` on the PATH.
pub fn chromium() -> Result<PathBuf, Missing> {
    find_chromium().map_err(|why| Missing {
        prereq: Prereq::Chromium,
        why,
    })
}

fn find_chromium() -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os("FLEXGATE_CHROMIUM").filter(|v: &OsString| !v.is_empty()) {
        let p = PathBuf::from(p);
        return if is_executable(&p) {
            Ok(p)
        } else {
            Err(format!(
                "FLEXGATE_CHROMIUM={} is not an executable",
                p.display()
            ))
        };
    }
    on_path("chromium")
        .or_else(|| on_path("chromium-browser"))
        .ok_or_else(|| "no chromium or chromium-browser on the PATH".into())
}
