//! What a Flex handler answers: a message and whether it may go small.

use flexgate_messages::{ack_for, error_for, uid, Fault, Form, Message};

/// A reply and whether it may go in small form.
pub(crate) struct Reply {
    /// The AcknowledgeMessage (or CLIENT_SYNC) to send.
    pub(crate) message: Message,
    /// The client reads small messages and this one has a small form.
    pub(crate) small: bool,
}

impl Reply {
    /// The form to encode the reply in; `allowed` is false when the
    /// envelope or the channel rules small messages out.
    pub(crate) fn form(&self, allowed: bool) -> Form {
        if self.small && allowed {
            Form::Small
        } else {
            Form::Full
        }
    }
}

/// An acknowledgement; like BlazeDS, a request without a clientId gets a
/// fresh one in its reply.
pub(crate) fn ack(request: &Message) -> Message {
    with_client_id(Message::Acknowledge(ack_for(request)))
}

/// An ErrorMessage returned as a handler's reply (sent on `/N/onStatus`,
/// see `flex::handle`), with a clientId as [`ack`] gives one.
pub(crate) fn error(request: &Message, fault: Fault) -> Message {
    with_client_id(Message::Error(error_for(request, fault)))
}

fn with_client_id(mut reply: Message) -> Message {
    if reply.base().client_id.is_none() {
        reply.base_mut().client_id = Some(uid::new_uid());
    }
    reply
}
