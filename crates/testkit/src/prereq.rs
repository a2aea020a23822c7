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
    /// The Royale browser suite: node, java, chromium and the npm
    /// packages of tests/royale installed (`npm ci`).
    Royale,
    /// A `python3` on the PATH (the standard library only).
    Python,
    /// A `node` on the PATH (no npm packages).
    Node,
    /// A NATS server at 127.0.0.1:4222 (the broker link tests).
    Nats,
    /// A `nats-server` binary (PATH or /usr/sbin), to start private servers.
    NatsServer,
    /// An AMQP server (RabbitMQ, guest/guest) at 127.0.0.1:5672.
    Amqp,
    /// A `rabbitmq-server` script, to start private RabbitMQ nodes.
    RabbitmqServer,
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
    pub const ALL: [Prereq; 11] = [
        Prereq::RedisServer,
        Prereq::Redis,
        Prereq::Py3amf,
        Prereq::Chromium,
        Prereq::Royale,
        Prereq::Python,
        Prereq::Node,
        Prereq::Nats,
        Prereq::NatsServer,
        Prereq::Amqp,
        Prereq::RabbitmqServer,
    ];

    /// What it is, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Prereq::RedisServer => "redis-server",
            Prereq::Redis => "Redis",
            Prereq::Py3amf => "py3amf",
            Prereq::Chromium => "chromium",
            Prereq::Royale => "the Royale suite's tools",
            Prereq::Python => "python3",
            Prereq::Node => "node",
            Prereq::Nats => "NATS at 127.0.0.1:4222",
            Prereq::NatsServer => "nats-server",
            Prereq::Amqp => "RabbitMQ at 127.0.0.1:5672",
            Prereq::RabbitmqServer => "rabbitmq-server",
        }
    }

    /// The `cfg` a build script sets when the tests needing this should run.
    pub fn cfg(self) -> &'static str {
        match self {
            Prereq::RedisServer => "flexgate_redis_server",
            Prereq::Redis => "flexgate_redis",
            Prereq::Py3amf => "flexgate_py3amf",
            Prereq::Chromium => "flexgate_chromium",
            Prereq::Royale => "flexgate_royale",
            Prereq::Python => "flexgate_python",
            Prereq::Node => "flexgate_node",
            Prereq::Nats => "flexgate_nats",
            Prereq::NatsServer => "flexgate_nats_server",
            Prereq::Amqp => "flexgate_amqp",
            Prereq::RabbitmqServer => "flexgate_rabbitmq_server",
        }
    }

    /// The environment variables the lookup reads (build scripts rerun
    /// when one changes).
    pub fn env_vars(self) -> &'static [&'static str] {
        match self {
            Prereq::RedisServer | Prereq::NatsServer => &["PATH"],
            Prereq::Redis => &["PATH", "FLEXGATE_TEST_REDIS"],
            Prereq::Py3amf => &["PATH", "FLEXGATE_PY3AMF_PYTHON", "XDG_CACHE_HOME", "HOME"],
            Prereq::Chromium | Prereq::Royale => &["PATH", "FLEXGATE_CHROMIUM"],
            Prereq::Python | Prereq::Node => &["PATH"],
            Prereq::RabbitmqServer => &["PATH", "FLEXGATE_RABBITMQ_SERVER"],
            // A server is not a file: the build script cannot watch for
            // one, so the test checks again when it runs.
            Prereq::Nats | Prereq::Amqp => &[],
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
            Prereq::Royale => royale().map(drop),
            Prereq::Nats => nats().map(drop),
            Prereq::NatsServer => nats_server().map(drop),
            Prereq::Amqp => amqp().map(drop),
            Prereq::RabbitmqServer => rabbitmq_server().map(drop),
        }
    }

    /// Paths whose change may make a missing prerequisite present (an
    /// install writes there); build scripts watch them while it is missing.
    pub fn install_paths(self) -> Vec<PathBuf> {
        match self {
            Prereq::Royale => vec![royale_dir(), royale_dir().join("node_modules")],
            _ => Vec::new(),
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

/// Where Debian's package puts `nats-server`, off a user's PATH.
const NATS_SERVER_SBIN: &str = "/usr/sbin/nats-server";

/// The `nats-server` binary: on the PATH, else Debian's /usr/sbin one.
pub fn nats_server() -> Result<PathBuf, Missing> {
    on_path("nats-server")
        .or_else(|| Some(PathBuf::from(NATS_SERVER_SBIN)).filter(|p| is_executable(p)))
        .ok_or_else(|| Missing {
            prereq: Prereq::NatsServer,
            why: format!("no nats-server on the PATH or at {NATS_SERVER_SBIN}"),
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

/// Where the broker link tests find NATS.
pub const NATS_ADDR: &str = "127.0.0.1:4222";

/// Where the broker link tests find RabbitMQ (user guest, password guest).
pub const AMQP_ADDR: &str = "127.0.0.1:5672";

/// A NATS server that accepts a TCP connection at [`NATS_ADDR`].
pub fn nats() -> Result<std::net::SocketAddr, Missing> {
    listening(Prereq::Nats, NATS_ADDR)
}

/// An AMQP server that accepts a TCP connection at [`AMQP_ADDR`].
pub fn amqp() -> Result<std::net::SocketAddr, Missing> {
    listening(Prereq::Amqp, AMQP_ADDR)
}

/// Debian's `rabbitmq-server` proper. The one on the PATH there
/// (/usr/sbin) runs it through `su rabbitmq`, in a session of its own, so
/// a test could not stop the node by killing its process group.
const DEBIAN_RABBITMQ_SERVER: &str = "/usr/lib/rabbitmq/bin/rabbitmq-server";

/// The `rabbitmq-server` script for private nodes:
/// `FLEXGATE_RABBITMQ_SERVER` (which must exist), else Debian's
/// [`DEBIAN_RABBITMQ_SERVER`], else `rabbitmq-server` on the PATH.
pub fn rabbitmq_server() -> Result<PathBuf, Missing> {
    let missing = |why: String| Missing {
        prereq: Prereq::RabbitmqServer,
        why,
    };
    if let Some(p) = std::env::var_os("FLEXGATE_RABBITMQ_SERVER").filter(|v| !v.is_empty()) {
        let p = PathBuf::from(p);
        return if is_executable(&p) {
            Ok(p)
        } else {
            Err(missing(format!(
                "FLEXGATE_RABBITMQ_SERVER={} is not an executable",
                p.display()
            )))
        };
    }
    Some(PathBuf::from(DEBIAN_RABBITMQ_SERVER))
        .filter(|p| is_executable(p))
        .or_else(|| on_path("rabbitmq-server"))
        .ok_or_else(|| {
            missing(format!(
                "no {DEBIAN_RABBITMQ_SERVER}, no rabbitmq-server on the PATH"
            ))
        })
}

/// A server is taken to be there when its port accepts a connection.
fn listening(prereq: Prereq, at: &str) -> Result<std::net::SocketAddr, Missing> {
    let missing = |why: String| Missing { prereq, why };
    let addr: std::net::SocketAddr = at.parse().map_err(|e| missing(format!("{at}: {e}")))?;
    std::net::TcpStream::connect_timeout(&addr, std::time::Duration::from_secs(2))
        .map(|_| addr)
        .map_err(|e| missing(format!("nothing answers at {at}: {e}")))
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

/// The npm package versions the Royale suite is written against (also
/// pinned by tests/royale/package.json and its lock file).
pub const ROYALE_PACKAGES: [(&str, &str); 2] = [
    ("@apache-royale/royale-js", "0.9.12"),
    ("playwright-core", "1.56.1"),
];

/// tests/royale: the suite's npm project (package.json, node_modules).
pub fn royale_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/royale")
}

/// What the Royale suite runs with.
#[derive(Debug, Clone)]
pub struct RoyaleTools {
    /// `node`, to run the page driver.
    pub node: PathBuf,
    /// The Chromium the driver launches.
    pub chromium: PathBuf,
    /// The Royale SDK's mxmlc (a shell script that runs java).
    pub mxmlc: PathBuf,
    /// tests/royale.
    pub dir: PathBuf,
}

/// The Royale suite's tools: node and java on the PATH, chromium (as
/// [`chromium`]), and tests/royale/node_modules holding the pinned packages.
pub fn royale() -> Result<RoyaleTools, Missing> {
    find_royale().map_err(|why| Missing {
        prereq: Prereq::Royale,
        why,
    })
}

fn find_royale() -> Result<RoyaleTools, String> {
    let node = on_path("node").ok_or("no node on the PATH")?;
    on_path("java").ok_or("no java on the PATH")?;
    let chromium = find_chromium()?;
    let dir = royale_dir();
    for (package, version) in ROYALE_PACKAGES {
        let manifest = dir.join("node_modules").join(package).join("package.json");
        let text = std::fs::read_to_string(&manifest)
            .map_err(|_| format!("no {package} in tests/royale/node_modules (npm ci there)"))?;
        // Enough of package.json to compare versions, without a JSON parser.
        if !text.contains(&format!("\"version\": \"{version}\"")) {
            return Err(format!(
                "{package} in tests/royale/node_modules is not {version}"
            ));
        }
    }
    let mxmlc = dir.join("node_modules/@apache-royale/royale-js/royale-asjs/js/bin/mxmlc");
    if !is_executable(&mxmlc) {
        return Err(format!("{} is not an executable", mxmlc.display()));
    }
    Ok(RoyaleTools {
        node,
        chromium,
        mxmlc,
        dir,
    })
}
