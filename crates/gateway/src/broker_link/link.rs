//! One bridged destination, whichever the broker: its settings, health
//! and this gateway's origin mark.

use super::health::LinkHealth;

/// The broker header naming the gateway that published a message out.
pub(crate) const ORIGIN_HEADER: &str = "Flexgate-Origin";

/// One destination's link.
#[derive(Debug)]
pub(crate) struct Link {
    /// The messaging destination it bridges.
    pub(super) destination: String,
    /// The destination's subtopic separator.
    pub(super) separator: String,
    /// Connection state and counts for the status pages.
    pub(super) health: LinkHealth,
    /// This gateway's mark on what it publishes out (the
    /// [`ORIGIN_HEADER`]): its own messages come back on its subscription
    /// and are skipped there.
    pub(super) origin: String,
    /// Bounds on what comes in (as for the publish API).
    pub(super) max_depth: usize,
    /// Longest header name or value that crosses.
    pub(super) max_header_bytes: usize,
}
