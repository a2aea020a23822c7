//! What a Flex handler answers: a message and whether it may go small.

use flexgate_messages::{ack_for, uid, Form, Message};

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
    let mut ack = Message::Acknowledge(ack_for(request));
    if ack.base().client_id.is_none() {
        ack.base_mut().client_id = Some(uid::new_uid());
    }
    ack
}
