//! The build-script half: which tests a missing prerequisite ignores.
//!
//! Why a build script: libtest has no way for a running test to report
//! itself as skipped, so "ignored" has to be decided when the test is
//! compiled. The build script looks for each prerequisite and sets its
//! `cfg`; tests carry `#[cfg_attr(not(<cfg>), ignore = "needs ...")]`.

use std::collections::BTreeSet;
use std::path::PathBuf;

use crate::prereq::{path_dirs, Prereq};

/// The variable that turns a missing prerequisite into a failure.
const CI: &str = "CI";

/// Declares the prerequisites of a package's tests; call it from
/// `build.rs`. Each entry is a prerequisite and, in words, the tests that
/// need it (for the warning).
///
/// Sets the cfg of each one that is present. Under `CI=true` it sets the
/// cfg of a missing one too, so those tests run and fail instead of being
/// ignored. Prints one `cargo:warning` naming what is missing.
pub fn declare(needs: &[(Prereq, &str)]) {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed={CI}");
    for p in Prereq::ALL {
        println!("cargo::rustc-check-cfg=cfg({})", p.cfg());
    }
    let in_ci = std::env::var(CI).is_ok_and(|v| v == "true");
    let mut env: BTreeSet<&str> = BTreeSet::new();
    let mut missing = Vec::new();
    let mut watch: BTreeSet<PathBuf> = BTreeSet::new();
    for &(prereq, tests) in needs {
        env.extend(prereq.env_vars());
        match prereq.check() {
            Ok(()) => println!("cargo::rustc-cfg={}", prereq.cfg()),
            Err(m) => {
                watch.extend(prereq.install_paths());
                if in_ci {
                    println!("cargo::rustc-cfg={}", prereq.cfg());
                }
                missing.push(format!("{tests} ({})", m.why));
            }
        }
    }
    for var in env {
        println!("cargo::rerun-if-env-changed={var}");
    }
    if missing.is_empty() {
        return;
    }
    // A binary installed later lands in a PATH directory, which changes
    // that directory: look again then. (Only while something is missing:
    // watching /usr/bin for ever would rebuild after every apt-get.)
    let mut dirs: BTreeSet<PathBuf> = path_dirs().into_iter().filter(|d| d.is_dir()).collect();
    // Only existing ones: cargo reruns a script on every build for a missing path.
    dirs.extend(watch.into_iter().filter(|p| p.exists()));
    for dir in dirs {
        println!("cargo::rerun-if-changed={}", dir.display());
    }
    // Cargo prefixes the package's name.
    if in_ci {
        println!(
            "cargo::warning=CI=true: running, to fail, {}",
            missing.join("; ")
        );
    } else {
        println!(
            "cargo::warning=ignoring {}; scripts/test installs what is missing",
            missing.join("; ")
        );
    }
}
