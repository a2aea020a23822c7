//! `flexgate import-blazeds`: a BlazeDS `services-config.xml`, with the
//! files it includes, → flexgate's TOML configuration, and a list of every
//! element that has no flexgate setting (docs/import-blazeds.md).
//!
//! The XML is untrusted input: files are size-capped, element trees depth-
//! and count-capped, DOCTYPEs refused (so no entity expansion) and each
//! file read once (so include cycles end in an error).

pub mod cli;
mod context;
mod error;
mod load;
mod map;
mod options;
mod out;
mod report;
mod url;
mod xml;

pub use error::ImportError;
pub use options::Options;
pub use report::{Finding, FindingKind};
pub use xml::XmlError;

use crate::config::Config;
use context::{Ctx, Node};
use std::path::Path;

/// A finished import.
#[derive(Debug)]
pub struct Import {
    /// The TOML, loadable by [`Config::parse`].
    pub toml: String,
    /// Unmapped elements and notes, in document order.
    pub findings: Vec<Finding>,
}

/// Imports `path` (a services-config.xml).
pub fn import(path: &Path, options: &Options) -> Result<Import, ImportError> {
    let mut ctx = Ctx::new(options);
    let doc = ctx.loader.load(path, "the command line")?;
    if doc.root.name != "services-config" {
        return Err(ImportError::Root {
            path: doc.file.clone(),
            found: doc.root.name.clone(),
            expected: "<services-config>".into(),
        });
    }
    let root = Node::root(&doc);
    map::services_config(&mut ctx, &root)?;
    if ctx.context_root_replaced {
        let root_shown = if options.context_root.trim_matches('/').is_empty() {
            "nothing".to_owned()
        } else {
            format!("/{}", options.context_root.trim_matches('/'))
        };
        ctx.note(
            &root,
            format!(
                "{{context.root}} in endpoint URLs was replaced with {root_shown} (--context-root)"
            ),
        );
    }
    if ctx.out.destinations.values().any(|d| !d.roles.is_empty()) {
        ctx.note(
            &root,
            "destinations require roles: give users those roles in [users], or plug in a Gateway::authenticator",
        );
    }
    let mut body = toml::to_string(&ctx.out).map_err(|e| ImportError::Output(e.to_string()))?;
    if !body.ends_with('\n') {
        body.push('\n');
    }
    let toml = format!(
        "# Imported by `flexgate import-blazeds` from {}\n\
         # What has no flexgate setting was listed on standard error\n\
         # (docs/import-blazeds.md). BlazeDS took host and port from its\n\
         # servlet container: set `listen` (default 127.0.0.1:8400).\n\n{body}",
        path.display()
    );
    Config::parse(&toml).map_err(|e| ImportError::Output(e.to_string()))?;
    Ok(Import {
        toml,
        findings: ctx.findings,
    })
}
