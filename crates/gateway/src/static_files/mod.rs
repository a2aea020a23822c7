//! `[static] root`: serves a Flex deployment (HTML, SWF, JavaScript,
//! WebAssembly) from one directory beside the channels, so a page and the
//! gateway it talks to share an origin.
//!
//! GET and HEAD only; no directory listings (`index.html` answers for a
//! directory); nothing outside the root: dot segments and encoded
//! separators are refused ([`path`]) and a symlink leading out is answered
//! 404. Bodies are streamed ([`body`]); `ETag`/`Last-Modified` make
//! revalidation a 304.

mod body;
mod content_type;
mod path;

use crate::config::StaticConfig;
use crate::response::{text, ResponseBody};
use body::FileBody;
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::header::{
    HeaderMap, HeaderValue, ALLOW, CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE, ETAG,
    IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED, LOCATION, X_CONTENT_TYPE_OPTIONS,
};
use hyper::{Method, Response, StatusCode};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// The file `index.html` stands for a directory.
const INDEX: &str = "index.html";

/// Answers `path` from the static root; `None` when no root is configured.
pub(crate) async fn handle(
    config: &StaticConfig,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
) -> Option<Response<ResponseBody>> {
    let root = config.root.as_deref()?;
    if method != Method::GET && method != Method::HEAD {
        let mut r = text(
            StatusCode::METHOD_NOT_ALLOWED,
            "static files take GET or HEAD",
        );
        r.headers_mut()
            .insert(ALLOW, HeaderValue::from_static("GET, HEAD"));
        return Some(r);
    }
    let rel = match path::relative(path) {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(error = %e, "refused a static file path");
            return Some(text(StatusCode::BAD_REQUEST, &format!("bad path: {e}")));
        }
    };
    let file = match locate(root, &rel).await {
        Ok(Found::File(p, meta)) => (p, meta),
        Ok(Found::Directory) => {
            // Relative links in its index.html resolve against the slash.
            let mut r = text(StatusCode::MOVED_PERMANENTLY, "a directory");
            let location = format!("{}/", path.split(';').next().unwrap_or(path));
            if let Ok(v) = HeaderValue::from_str(&location) {
                r.headers_mut().insert(LOCATION, v);
            }
            return Some(r);
        }
        Err(NotServed) => return Some(text(StatusCode::NOT_FOUND, "no such file")),
    };
    Some(serve(config, method, headers, file).await)
}

/// What a request path resolves to.
enum Found {
    File(PathBuf, std::fs::Metadata),
    /// A directory named without its trailing slash.
    Directory,
}

/// Missing, outside the root, not a regular file, or unreadable: all 404.
struct NotServed;

async fn locate(root: &Path, rel: &path::Relative) -> Result<Found, NotServed> {
    let root = tokio::fs::canonicalize(root).await.map_err(|e| {
        tracing::warn!(error = %e, root = %root.display(), "static root unusable");
        NotServed
    })?;
    let mut target = inside(&root, &root.join(&rel.path)).await?;
    let mut meta = tokio::fs::metadata(&target).await.map_err(|_| NotServed)?;
    if meta.is_dir() {
        if !rel.directory {
            return Ok(Found::Directory);
        }
        target = inside(&root, &target.join(INDEX)).await?;
        meta = tokio::fs::metadata(&target).await.map_err(|_| NotServed)?;
    }
    if !meta.is_file() {
        return Err(NotServed);
    }
    Ok(Found::File(target, meta))
}

/// `candidate` with every symlink resolved, if that is still under `root`.
async fn inside(root: &Path, candidate: &Path) -> Result<PathBuf, NotServed> {
    let real = tokio::fs::canonicalize(candidate)
        .await
        .map_err(|_| NotServed)?;
    if real.starts_with(root) {
        Ok(real)
    } else {
        tracing::warn!(path = %candidate.display(), "refused a symlink leaving the static root");
        Err(NotServed)
    }
}

async fn serve(
    config: &StaticConfig,
    method: &Method,
    headers: &HeaderMap,
    (path, meta): (PathBuf, std::fs::Metadata),
) -> Response<ResponseBody> {
    let len = meta.len();
    if len > config.max_file_bytes {
        tracing::warn!(path = %path.display(), len, "static file over max_file_bytes");
        return text(StatusCode::NOT_FOUND, "no such file");
    }
    let modified = meta.modified().unwrap_or(UNIX_EPOCH);
    let validators = Validators::new(len, modified);
    if validators.not_modified(headers) {
        let mut r = Response::new(Empty::new().boxed());
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        validators.insert(r.headers_mut());
        return r;
    }
    let body = if method == Method::HEAD {
        Empty::<Bytes>::new().boxed()
    } else {
        match tokio::fs::File::open(&path).await {
            Ok(f) => FileBody::new(f, len).boxed(),
            Err(e) => {
                tracing::warn!(error = %e, path = %path.display(), "static file unreadable");
                return text(StatusCode::NOT_FOUND, "no such file");
            }
        }
    };
    let mut r = Response::new(body);
    let h = r.headers_mut();
    h.insert(CONTENT_LENGTH, HeaderValue::from(len));
    h.insert(
        CONTENT_TYPE,
        HeaderValue::from_static(content_type::for_path(&path)),
    );
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    validators.insert(h);
    r
}

/// `ETag` and `Last-Modified` of one file version.
struct Validators {
    etag: String,
    /// Whole seconds: HTTP dates have no finer grain.
    modified_secs: i64,
    last_modified: String,
}

impl Validators {
    fn new(len: u64, modified: SystemTime) -> Self {
        let since = modified.duration_since(UNIX_EPOCH).unwrap_or_default();
        let at = chrono::DateTime::<chrono::Utc>::from(modified);
        Validators {
            etag: format!("\"{len:x}-{:x}\"", since.as_nanos()),
            modified_secs: at.timestamp(),
            last_modified: at.format("%a, %d %b %Y %H:%M:%S GMT").to_string(),
        }
    }

    /// RFC 9110 §13.1: `If-None-Match` (weak comparison) decides when
    /// present; else `If-Modified-Since`.
    fn not_modified(&self, headers: &HeaderMap) -> bool {
        if let Some(inm) = headers.get(IF_NONE_MATCH) {
            let Ok(inm) = inm.to_str() else { return false };
            return inm
                .split(',')
                .map(str::trim)
                .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == self.etag);
        }
        headers
            .get(IF_MODIFIED_SINCE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| chrono::DateTime::parse_from_rfc2822(v).ok())
            .is_some_and(|since| self.modified_secs <= since.timestamp())
    }

    fn insert(&self, h: &mut HeaderMap) {
        // Revalidate every time: a redeployed app is seen at once.
        h.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        if let Ok(v) = HeaderValue::from_str(&self.etag) {
            h.insert(ETAG, v);
        }
        if let Ok(v) = HeaderValue::from_str(&self.last_modified) {
            h.insert(LAST_MODIFIED, v);
        }
    }
}
