//! The packet being read: version, headers and bodies, as JSON.

use crate::keys as k;
use serde_json::{Map, Value as Json};

/// The packet being read.
pub(super) struct Envelope {
    pub(super) version: u16,
    pub(super) headers: Vec<Json>,
    pub(super) bodies: Vec<Json>,
    /// The header or body whose value is being read, and its declared length.
    pub(super) current: Option<(Map<String, Json>, u32, bool)>,
}

impl Envelope {
    /// The packet's JSON.
    pub(super) fn finish(self) -> Json {
        let mut packet = Map::new();
        packet.insert(k::VERSION.into(), self.version.into());
        packet.insert(k::HEADERS.into(), self.headers.into());
        packet.insert(k::BODIES.into(), self.bodies.into());
        Json::Object(packet)
    }
}
