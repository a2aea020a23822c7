//! Reading services-config.xml and the files it includes, with caps on
//! file size, file count and nesting, and each file read at most once
//! (which also stops include cycles).

use crate::import::error::ImportError;
use crate::import::xml::{self, Element, XmlLimits};
use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Largest file read: real configs are a few kB.
pub(crate) const MAX_FILE_BYTES: u64 = 1024 * 1024;
/// Most files read in all, the root one included.
pub(crate) const MAX_FILES: usize = 64;
/// Bounds on each file's element tree.
pub(crate) const XML_LIMITS: XmlLimits = XmlLimits {
    max_depth: 32,
    max_elements: 20_000,
};

/// One read file: its name as shown in messages, and its root element.
pub(crate) struct Doc {
    pub(crate) file: String,
    pub(crate) root: Element,
}

/// Reads files, remembering which.
#[derive(Default)]
pub(crate) struct Loader {
    seen: HashSet<PathBuf>,
}

impl Loader {
    /// Reads and parses `path`; `by` names the including file and element
    /// (for the error when it was read before).
    pub(crate) fn load(&mut self, path: &Path, by: &str) -> Result<Doc, ImportError> {
        let shown = path.display().to_string();
        let read = |source| ImportError::Read {
            path: shown.clone(),
            source,
        };
        let key = std::fs::canonicalize(path).map_err(read)?;
        if self.seen.len() >= MAX_FILES {
            return Err(ImportError::TooManyFiles {
                path: by.to_owned(),
                max: MAX_FILES,
            });
        }
        if !self.seen.insert(key) {
            return Err(ImportError::IncludedTwice {
                path: shown,
                by: by.to_owned(),
            });
        }
        let file = std::fs::File::open(path).map_err(read)?;
        // Read one byte past the cap to tell "at the cap" from "over it".
        let mut bytes = Vec::new();
        file.take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(read)?;
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(ImportError::TooLarge {
                path: shown,
                max: MAX_FILE_BYTES,
            });
        }
        let text = String::from_utf8(bytes).map_err(|e| ImportError::Xml {
            path: shown.clone(),
            source: xml::XmlError::Syntax {
                line: 1,
                message: format!("not UTF-8: {e}"),
            },
        })?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let root = xml::parse(text, XML_LIMITS).map_err(|source| ImportError::Xml {
            path: shown.clone(),
            source,
        })?;
        Ok(Doc { file: shown, root })
    }

    /// The files an include element names, resolved against the including
    /// file's directory: `file-path` (one file) or `directory-path` (its
    /// `*.xml` files, by name).
    pub(crate) fn include_file(
        &mut self,
        including: &str,
        target: &str,
        by: &str,
    ) -> Result<Vec<Doc>, ImportError> {
        let base = Path::new(including).parent().unwrap_or(Path::new(""));
        self.load(&base.join(target), by).map(|d| vec![d])
    }

    /// `directory-path`: every `*.xml` file in the directory, by name.
    pub(crate) fn include_directory(
        &mut self,
        including: &str,
        target: &str,
        by: &str,
    ) -> Result<Vec<Doc>, ImportError> {
        let base = Path::new(including).parent().unwrap_or(Path::new(""));
        let dir = base.join(target);
        let read = |source| ImportError::Read {
            path: dir.display().to_string(),
            source,
        };
        let mut files = Vec::new();
        for entry in std::fs::read_dir(&dir).map_err(read)? {
            let path = entry.map_err(read)?.path();
            if path.extension().is_some_and(|e| e == "xml") && path.is_file() {
                files.push(path);
                if files.len() > MAX_FILES {
                    return Err(ImportError::TooManyFiles {
                        path: by.to_owned(),
                        max: MAX_FILES,
                    });
                }
            }
        }
        files.sort();
        files.iter().map(|f| self.load(f, by)).collect()
    }
}
