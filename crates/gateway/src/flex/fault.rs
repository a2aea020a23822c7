//! The one place where broker and store failures become the Flex faults
//! BlazeDS would send for them.

use flexgate_broker::BrokerError;
use flexgate_messages::{Fault, FaultCode};

/// A broker failure as the fault BlazeDS would send.
pub(crate) fn from_broker(e: BrokerError) -> Fault {
    match &e {
        BrokerError::UnknownDestination(d) => Fault::unknown_destination(d),
        BrokerError::TooManyConnections(max) => Fault::new(
            FaultCode::ServerProcessing,
            format!("The server has its maximum of {max} Flex clients; try again later."),
        ),
        // Worded as BlazeDS's MessageService (errors.properties 10556).
        BrokerError::WildcardPublish(subtopic) => Fault::new(
            FaultCode::ServerProcessing,
            format!(
                "The sent message contains a subtopic wildcard, '{subtopic}', which is not allowed."
            ),
        ),
        // The client's selector: syntax or a bound (docs/limits.md).
        BrokerError::Selector(_) => Fault::new(FaultCode::ClientMessage, e.to_string()),
        _ => Fault::new(FaultCode::ServerProcessing, e.to_string()),
    }
}

/// A poll's broker failure. A client the store does not know (never
/// pinged, expired, disconnected, lost in a store restart) or that holds
/// no subscription gets [`not_subscribed`], as BlazeDS answers all of
/// these, so that the Flex client resubscribes; the rest as [`from_broker`].
pub(crate) fn from_poll(e: BrokerError, endpoint: &str) -> Fault {
    match e {
        BrokerError::NotConnected(_) | BrokerError::NotSubscribed(_) => not_subscribed(endpoint),
        other => from_broker(other),
    }
}

/// BlazeDS's fault for a poll over an endpoint the client has no
/// subscription through (`FlexClient.throwNotSubscribedException`,
/// errors.properties 10028).
pub(crate) fn not_subscribed(endpoint: &str) -> Fault {
    Fault::new(
        FaultCode::NotSubscribed,
        format!("The client has no active subscriptions over endpoint '{endpoint}'."),
    )
}

/// BlazeDS's fault for a `Consumer.receive()` poll from a consumer that
/// holds no subscription to the destination (MessageService,
/// errors.properties 10551).
pub(crate) fn not_subscribed_to(destination: &str) -> Fault {
    Fault::new(
        FaultCode::NotSubscribed,
        format!("Not subscribed to destination '{destination}'."),
    )
}

/// A Producer's message to a broker-backed destination that the broker
/// did not take (down past the wait, refused, unmappable): not stored
/// here either, so the Producer may send it again.
pub(crate) fn not_relayed(destination: &str, why: &impl std::fmt::Display) -> Fault {
    Fault::new(
        FaultCode::ServerProcessing,
        format!("The message was not delivered to the broker of destination '{destination}'."),
    )
    .with_detail(why.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broker_errors_map_to_blazeds_codes() {
        let unknown = from_broker(BrokerError::UnknownDestination("nope".into()));
        assert_eq!(unknown, Fault::unknown_destination("nope"));
        let full = from_broker(BrokerError::TooManyConnections(3));
        assert_eq!(full.code, FaultCode::ServerProcessing);
        assert!(
            full.string.contains("maximum of 3 Flex clients"),
            "{full:?}"
        );
        let gone = from_broker(BrokerError::NotConnected("X".into()));
        assert_eq!(gone.code, FaultCode::ServerProcessing);
    }

    #[test]
    fn a_poll_without_a_known_subscribed_client_is_not_subscribed() {
        let reference = "The client has no active subscriptions over endpoint 'my-amf'.";
        for e in [
            BrokerError::NotConnected("X".into()),
            BrokerError::NotSubscribed("X".into()),
        ] {
            let fault = from_poll(e, "my-amf");
            assert_eq!(fault.code, FaultCode::NotSubscribed);
            assert_eq!(fault.string, reference);
        }
        let other = from_poll(BrokerError::UnknownDestination("d".into()), "my-amf");
        assert_eq!(other, Fault::unknown_destination("d"));
    }
}
