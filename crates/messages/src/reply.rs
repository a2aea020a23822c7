//! Building replies: [`ack_for`] and [`error_for`].

use crate::fault::Fault;
use crate::headers::{Headers, DS_STATUS_CODE};
use crate::message::{AbstractMessage, AcknowledgeMessage, ErrorMessage, Message};
use crate::uid::{new_uid, now_millis};
use flexgate_amf::Value;

/// The common fields of a reply to `request`: its clientId and destination,
/// a fresh messageId and the current time, as BlazeDS's `MessageBroker`
/// and `MessageBrokerFilter` fill them.
fn reply_base(request: &Message) -> AbstractMessage {
    let r = request.base();
    AbstractMessage {
        body: Value::Null,
        client_id: r.client_id.clone(),
        destination: r.destination.clone(),
        headers: Headers::new(),
        message_id: Some(new_uid()),
        timestamp: now_millis(),
        time_to_live: 0,
    }
}

/// An acknowledgement of `request`: correlationId = its messageId, same
/// clientId, a fresh messageId, timestamp now, no body and no destination
/// (BlazeDS's MessageBroker builds its acks without one; only
/// ErrorMessages repeat the request's destination).
pub fn ack_for(request: &Message) -> AcknowledgeMessage {
    let mut base = reply_base(request);
    base.destination = None;
    AcknowledgeMessage {
        base,
        correlation_id: request.base().message_id.clone(),
    }
}

/// An ErrorMessage answering `request` with `fault` (fields as [`ack_for`];
/// the fault's status code, if any, goes in the `DSStatusCode` header).
pub fn error_for(request: &Message, fault: Fault) -> ErrorMessage {
    let mut base = reply_base(request);
    if let Some(status) = fault.status_code {
        base.headers.set(DS_STATUS_CODE, status);
    }
    ErrorMessage {
        base,
        correlation_id: request.base().message_id.clone(),
        fault_code: Some(fault.code.as_str().to_owned()),
        fault_string: Some(fault.string),
        fault_detail: fault.detail,
        root_cause: fault.root_cause,
        extended_data: fault.extended_data,
    }
}
