//! The Flex message model (BlazeDS `flex.messaging.messages.*`, Flex SDK
//! `mx.messaging.messages.*`) on top of `flexgate-amf`.
//!
//! * [`Message`] and its classes ([`AsyncMessage`], [`CommandMessage`],
//!   [`AcknowledgeMessage`], [`ErrorMessage`], [`RemotingMessage`]) with
//!   [`Message::from_value`] reading both the full and the small (`DSA`,
//!   `DSC`, `DSK`) forms and [`Message::to_value`] writing either ([`Form`]).
//! * [`registry`]: the externalizable readers to decode packets with.
//! * [`ack_for`] / [`error_for`] build replies; [`Fault`]/[`FaultCode`].
//! * [`AmfClass`] and [`amf_class!`] map plain structs to typed objects.
//!
//! ```
//! use flexgate_messages::{ack_for, registry, CommandOperation, Form, Message};
//! use flexgate_amf::{from_amf3, to_amf3};
//!
//! let mut ping = flexgate_messages::CommandMessage::default();
//! ping.operation = CommandOperation::ClientPing;
//! ping.base.message_id = Some(flexgate_messages::uid::new_uid());
//! let bytes = to_amf3(&Message::from(ping).to_value(Form::Full)).unwrap();
//!
//! let request = Message::from_value(&from_amf3(bytes.into(), registry()).unwrap()).unwrap();
//! let ack = Message::from(ack_for(&request));
//! assert_eq!(ack.correlation_id(), request.message_id());
//! let _reply = ack.to_value(Form::Small);
//! ```

pub mod alias;
mod anonymous;
mod as_collections;
pub mod class;
mod collections;
pub mod convert;
mod error;
mod fault;
mod form;
mod full;
pub mod headers;
mod message;
mod operation;
mod registry;
mod reply;
mod small;
pub mod uid;

/// The AMF crate, re-exported for [`amf_class!`] and convenience.
pub use flexgate_amf as amf;

pub use as_collections::{arrays_as_collections, CollectionForm};
pub use class::AmfClass;
pub use collections::{ArrayCollection, ArrayList, ObjectProxy};
pub use convert::{FromAmf, ToAmf};
pub use error::MessageError;
pub use fault::{Fault, FaultCode};
pub use form::Form;
pub use headers::Headers;
pub use message::{
    AbstractMessage, AcknowledgeMessage, AsyncMessage, CommandMessage, ErrorMessage, Message,
    RemotingMessage,
};
pub use operation::CommandOperation;
pub use registry::{register_all, registry};
pub use reply::{ack_for, error_for};
pub use small::{
    announced_values, external_layout, AcknowledgeMessageExt, AsyncMessageExt, CommandMessageExt,
    ExternalLayout,
};
