//! `[api]`: the HTTP publish API (`POST /api/publish`), off unless a
//! bearer token is configured.

use serde::Deserialize;
use std::path::PathBuf;

/// The publish API's settings: at most one of `token` and `token_file`.
#[derive(Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ApiConfig {
    /// The bearer token callers send (`Authorization: Bearer <token>`).
    pub token: Option<String>,
    /// A file holding the token (surrounding whitespace is ignored), so
    /// that it stays out of the config file.
    pub token_file: Option<PathBuf>,
}

// The token is a secret: `{:?}` shows whether one is set, not what it is.
impl std::fmt::Debug for ApiConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiConfig")
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("token_file", &self.token_file)
            .finish()
    }
}

impl ApiConfig {
    /// The token, read from `token_file` when that is how it is given;
    /// `None` when the API is off. An unreadable or empty file, an empty
    /// token, or both keys set are errors.
    pub fn secret(&self) -> Result<Option<String>, ApiTokenError> {
        let token = match (&self.token, &self.token_file) {
            (None, None) => return Ok(None),
            (Some(t), None) => t.clone(),
            (None, Some(path)) => std::fs::read_to_string(path)
                .map_err(|e| ApiTokenError::Unreadable(path.display().to_string(), e.to_string()))?
                .trim()
                .to_owned(),
            (Some(_), Some(_)) => return Err(ApiTokenError::Both),
        };
        if token.is_empty() {
            return Err(ApiTokenError::Empty);
        }
        Ok(Some(token))
    }
}

/// Why the API token cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiTokenError {
    /// Both `token` and `token_file`.
    #[error("api: set either `token` or `token_file`, not both")]
    Both,
    /// The token file cannot be read.
    #[error("api: cannot read token_file {0}: {1}")]
    Unreadable(String, String),
    /// An empty token (or a file of whitespace).
    #[error("api: the token is empty")]
    Empty,
}
