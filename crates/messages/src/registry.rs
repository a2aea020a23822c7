//! The registry of the externalizable classes this crate reads.

use crate::alias;
use crate::collections::{ArrayCollection, ArrayList, ObjectProxy};
use crate::small::{AcknowledgeMessageExt, AsyncMessageExt, CommandMessageExt};
use flexgate_amf::Registry;
use std::sync::OnceLock;

/// Adds the readers of `DSA`, `DSC`, `DSK`, `flex.messaging.io.ArrayCollection`,
/// `flex.messaging.io.ArrayList` and `flex.messaging.io.ObjectProxy` to `registry`.
pub fn register_all(registry: &mut Registry) -> &mut Registry {
    registry
        .register(alias::ASYNC_MESSAGE_EXT, AsyncMessageExt::read)
        .register(alias::COMMAND_MESSAGE_EXT, CommandMessageExt::read)
        .register(alias::ACKNOWLEDGE_MESSAGE_EXT, AcknowledgeMessageExt::read)
        .register(alias::ARRAY_COLLECTION, ArrayCollection::read)
        .register(alias::ARRAY_LIST, ArrayList::read)
        .register(alias::OBJECT_PROXY, ObjectProxy::read)
}

/// A shared registry holding the classes of [`register_all`]; pass it to
/// `Packet::decode` or `from_amf3`.
pub fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let mut r = Registry::new();
        register_all(&mut r);
        r
    })
}
