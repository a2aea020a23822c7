//! Why an import failed: always with the file, and the element or line.

use crate::import::xml::XmlError;

/// A BlazeDS configuration that could not be imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// A file over the size cap.
    #[error("{path}: larger than {max} bytes")]
    TooLarge {
        /// The file.
        path: String,
        /// The cap.
        max: u64,
    },
    /// Not XML that is accepted.
    #[error("{path}: {source}")]
    Xml {
        /// The file.
        path: String,
        /// Why.
        source: XmlError,
    },
    /// The root element is not what the file's role needs.
    #[error("{path}: the root element is <{found}>, expected {expected}")]
    Root {
        /// The file.
        path: String,
        /// What it is.
        found: String,
        /// What it may be.
        expected: String,
    },
    /// A file included a second time (an include cycle, or the same file
    /// reached twice).
    #[error("{path}: included again by {by} (an include cycle or a repeated include)")]
    IncludedTwice {
        /// The file.
        path: String,
        /// The including file and element.
        by: String,
    },
    /// More included files than the cap.
    #[error("{path}: more than {max} files in all with the includes")]
    TooManyFiles {
        /// The including file.
        path: String,
        /// The cap.
        max: usize,
    },
    /// An element whose content BlazeDS would refuse too.
    #[error("{path}:{line}: {element}: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// The element's line.
        line: usize,
        /// The element path (`services-config/channels/channel-definition[my-amf]`).
        element: String,
        /// What is wrong.
        message: String,
    },
    /// The TOML written does not load: a bug in the importer.
    #[error("the imported configuration does not load: {0}")]
    Output(String),
}
