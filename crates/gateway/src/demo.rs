//! What `flexgate` serves without `--config`: the built-in demo
//! ([`Config::default`]: its channels and destinations) plus the demo page,
//! a Royale client of them that `scripts/build-demo` compiles into
//! [`PAGE_ROOT`] (flexgate.toml says the same). The page is built, never
//! committed: Royale's framework output is third-party code.

use crate::config::Config;
use std::path::Path;

/// Where `scripts/build-demo` writes the page, relative to the directory
/// flexgate runs in (the repository root for `cargo run`).
pub const PAGE_ROOT: &str = "target/demo";

/// The demo configuration: [`Config::default`] serving [`PAGE_ROOT`] at `/`.
pub fn config() -> Config {
    let mut config = Config::default();
    config.static_files.root = Some(PAGE_ROOT.into());
    config
}

/// Whether the page has been built (its `index.html` exists under `root`).
pub fn page_built(root: &Path) -> bool {
    root.join("index.html").is_file()
}
