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
        // The client's selector: syntax or a bound (docs/limits.md).
        BrokerError::Selector(_) => Fault::new(FaultCode::ClientMessage, e.to_string()),
        _ => Fault::new(FaultCode::ServerProcessing, e.to_string()),
    }
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
}
