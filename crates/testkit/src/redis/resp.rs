//! Just enough of Redis's protocol for test cleanup, over a std
//! `TcpStream`: commands as RESP arrays, one-line replies back.
//!
//! Synchronous on purpose: a guard's `Drop` can then talk to Redis
//! without a runtime (the test's own may be unwinding).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// How long connecting, and waiting for each reply, may take.
const IO_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest reply line read: an integer, `+OK` or an error message.
const MAX_LINE: u64 = 4096;
/// Redis's port when a URL names none.
const DEFAULT_PORT: u16 = 6379;

/// Why a Redis command failed.
#[derive(Debug, thiserror::Error)]
pub enum RespError {
    /// The URL is not `redis://[[user]:password@]host[:port][/db]`.
    #[error("not a redis://host[:port][/db] URL: {0:?}")]
    Url(String),
    /// Connecting, writing or reading failed (or timed out).
    #[error("Redis I/O: {0}")]
    Io(#[from] std::io::Error),
    /// Redis answered with an error.
    #[error("Redis answered: {0}")]
    Server(String),
    /// A reply this client does not read (bulk, array, too long, cut off).
    #[error("unexpected Redis reply: {0:?}")]
    Reply(String),
}

/// A one-line reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Reply {
    /// `+OK` and other status replies.
    Status(String),
    /// `:n`.
    Int(i64),
}

/// Where a `redis://` URL points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    pub(crate) host: String,
    pub(crate) port: u16,
    pub(crate) db: u32,
    pub(crate) user: Option<String>,
    pub(crate) password: Option<String>,
}

impl Target {
    /// Parses `redis://[[user]:password@]host[:port][/db]` (no
    /// percent-decoding: test URLs do not need it).
    pub(crate) fn parse(url: &str) -> Result<Target, RespError> {
        let bad = || RespError::Url(url.to_owned());
        let rest = url.strip_prefix("redis://").ok_or_else(bad)?;
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        let (user, password) = match userinfo.map(|u| u.split_once(':')) {
            None => (None, None),
            Some(Some((u, p))) => ((!u.is_empty()).then(|| u.to_owned()), Some(p.to_owned())),
            Some(None) => (None, userinfo.map(str::to_owned)),
        };
        // `[::1]:6379`: the port follows the bracket.
        let (host, port) = match hostport.strip_prefix('[') {
            Some(v6) => {
                let (host, after) = v6.split_once(']').ok_or_else(bad)?;
                (host, after.strip_prefix(':'))
            }
            None => match hostport.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (hostport, None),
            },
        };
        if host.is_empty() {
            return Err(bad());
        }
        let port = match port {
            Some(p) => p.parse().map_err(|_| bad())?,
            None => DEFAULT_PORT,
        };
        let path = path.split_once('?').map_or(path, |(p, _)| p);
        let db = if path.is_empty() {
            0
        } else {
            path.parse().map_err(|_| bad())?
        };
        Ok(Target {
            host: host.to_owned(),
            port,
            db,
            user,
            password,
        })
    }
}

/// One connection, authenticated and on the URL's database.
pub(crate) struct Conn {
    stream: BufReader<TcpStream>,
}

impl Conn {
    /// Connects, then AUTH (when the URL has a password) and SELECT.
    pub(crate) fn open(url: &str) -> Result<Conn, RespError> {
        let target = Target::parse(url)?;
        let stream = connect(&target.host, target.port)?;
        stream.set_read_timeout(Some(IO_TIMEOUT))?;
        stream.set_write_timeout(Some(IO_TIMEOUT))?;
        let mut conn = Conn {
            stream: BufReader::new(stream),
        };
        match (&target.user, &target.password) {
            (Some(user), Some(pass)) => {
                conn.command(&[b"AUTH", user.as_bytes(), pass.as_bytes()])?;
            }
            (None, Some(pass)) => {
                conn.command(&[b"AUTH", pass.as_bytes()])?;
            }
            _ => {}
        }
        if target.db != 0 {
            conn.command(&[b"SELECT", target.db.to_string().as_bytes()])?;
        }
        Ok(conn)
    }

    /// Sends one command and reads its one-line reply.
    pub(crate) fn command(&mut self, args: &[&[u8]]) -> Result<Reply, RespError> {
        let mut out = format!("*{}\r\n", args.len()).into_bytes();
        for arg in args {
            out.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
            out.extend_from_slice(arg);
            out.extend_from_slice(b"\r\n");
        }
        self.stream.get_mut().write_all(&out)?;
        self.reply()
    }

    fn reply(&mut self) -> Result<Reply, RespError> {
        let mut line = Vec::new();
        (&mut self.stream)
            .take(MAX_LINE)
            .read_until(b'\n', &mut line)?;
        let text = String::from_utf8_lossy(&line).into_owned();
        let Some(body) = text.strip_suffix("\r\n") else {
            return Err(RespError::Reply(text));
        };
        match body.split_at_checked(1) {
            Some(("+", status)) => Ok(Reply::Status(status.to_owned())),
            Some(("-", error)) => Err(RespError::Server(error.to_owned())),
            Some((":", n)) => n
                .parse()
                .map(Reply::Int)
                .map_err(|_| RespError::Reply(text)),
            _ => Err(RespError::Reply(text)),
        }
    }
}

fn connect(host: &str, port: u16) -> Result<TcpStream, RespError> {
    use std::net::ToSocketAddrs;
    let mut last = None;
    for addr in (host, port).to_socket_addrs()? {
        match TcpStream::connect_timeout(&addr, IO_TIMEOUT) {
            Ok(s) => return Ok(s),
            Err(e) => last = Some(e),
        }
    }
    Err(last.map_or_else(|| RespError::Url(format!("{host}:{port}")), RespError::Io))
}
