//! `[static]`: a directory of files served beside the channels (a Flex
//! deployment: its HTML page, SWF or Royale JavaScript, Ruffle's files).

use serde::Deserialize;
use std::path::PathBuf;

/// `[static]`: where the files are and how large one may be.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StaticConfig {
    /// The directory served at `/`; unset: no files are served.
    pub root: Option<PathBuf>,
    /// Larger files are answered 404 (the body is streamed, this only
    /// keeps a stray multi-gigabyte file from being published).
    pub max_file_bytes: u64,
}

impl Default for StaticConfig {
    fn default() -> Self {
        StaticConfig {
            root: None,
            max_file_bytes: 256 * 1024 * 1024,
        }
    }
}
