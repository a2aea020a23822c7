//! Class aliases: the names messages carry in AMF traits.

/// `flex.messaging.messages.AsyncMessage` (full form).
pub const ASYNC_MESSAGE: &str = "flex.messaging.messages.AsyncMessage";
/// `flex.messaging.messages.CommandMessage` (full form).
pub const COMMAND_MESSAGE: &str = "flex.messaging.messages.CommandMessage";
/// `flex.messaging.messages.AcknowledgeMessage` (full form).
pub const ACKNOWLEDGE_MESSAGE: &str = "flex.messaging.messages.AcknowledgeMessage";
/// `flex.messaging.messages.ErrorMessage` (full form only).
pub const ERROR_MESSAGE: &str = "flex.messaging.messages.ErrorMessage";
/// `flex.messaging.messages.RemotingMessage` (full form only).
pub const REMOTING_MESSAGE: &str = "flex.messaging.messages.RemotingMessage";

/// `DSA`: the small, externalizable form of an AsyncMessage (`AsyncMessageExt`).
pub const ASYNC_MESSAGE_EXT: &str = "DSA";
/// `DSC`: the small, externalizable form of a CommandMessage (`CommandMessageExt`).
pub const COMMAND_MESSAGE_EXT: &str = "DSC";
/// `DSK`: the small, externalizable form of an AcknowledgeMessage (`AcknowledgeMessageExt`).
pub const ACKNOWLEDGE_MESSAGE_EXT: &str = "DSK";

/// `flex.messaging.io.ArrayCollection` (`mx.collections.ArrayCollection` on the client).
pub const ARRAY_COLLECTION: &str = "flex.messaging.io.ArrayCollection";
/// `flex.messaging.io.ArrayList` (`mx.collections.ArrayList` on the client).
pub const ARRAY_LIST: &str = "flex.messaging.io.ArrayList";
/// `flex.messaging.io.ObjectProxy` (`mx.utils.ObjectProxy` on the client).
pub const OBJECT_PROXY: &str = "flex.messaging.io.ObjectProxy";
