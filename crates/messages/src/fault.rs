//! Fault codes and the content of an ErrorMessage.
//!
//! Codes are those BlazeDS sets on its exceptions: `MessageException`
//! (`Server.Processing` when no code is set, which is also what an unknown
//! destination and an unknown command operation get from `MessageBroker`
//! and `MessageService`), `SecurityException`, `DuplicateSessionException`,
//! `MessageService.NOT_SUBSCRIBED_CODE`, the remoting `NoSuchMethodException`
//! (`Server.ResourceUnavailable`) and `NoSuchServiceException`
//! (`Server.ResourceNotFound`), `SerializationException` and the AMF
//! deserializer, and the Flex SDK's `ErrorMessage.MESSAGE_DELIVERY_IN_DOUBT`.

use flexgate_amf::Value;
use std::fmt;

/// A fault code.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FaultCode {
    /// `Server.Processing`: generic server failure; BlazeDS's default code,
    /// used for unknown destinations and unknown command operations.
    ServerProcessing,
    /// `Server.Processing.DuplicateSessionDetected`: several HTTP sessions for one FlexClient.
    DuplicateSessionDetected,
    /// `Server.Processing.NotSubscribed`: unsubscribe/poll without a subscription.
    NotSubscribed,
    /// `Server.Processing.DuplicateId`: a FlexClient id already in use.
    DuplicateId,
    /// `Server.Processing.NullId`: a FlexClient id was required.
    NullId,
    /// `Server.ResourceUnavailable`: e.g. no such remoting method (unknown operation).
    ResourceUnavailable,
    /// `Server.ResourceNotFound`: e.g. no such remoting service (legacy `Service.method` target).
    ResourceNotFound,
    /// `Server.PollNotSupported`: the endpoint does not accept polls.
    PollNotSupported,
    /// `Client.Authentication`: bad or missing credentials.
    ClientAuthentication,
    /// `Client.Authorization`: the user may not access the resource.
    ClientAuthorization,
    /// `Server.Authentication`: the server could not authenticate.
    ServerAuthentication,
    /// `Server.Authorization`: the server could not authorize.
    ServerAuthorization,
    /// `Client.Message`: the message is not acceptable as sent (flexgate:
    /// a subscribe whose selector does not parse or passes a bound).
    ClientMessage,
    /// `Client.Message.Encoding`: the request body could not be read.
    MessageEncoding,
    /// `Client.Header.Encoding`: a request header could not be read.
    HeaderEncoding,
    /// `Client.Packet.Encoding`: the AMF packet could not be read.
    PacketEncoding,
    /// `Client.Message.Deserialize.InvalidType`: an argument could not be converted.
    InvalidType,
    /// `Client.Error.DeliveryInDoubt` (client side, Flex SDK).
    DeliveryInDoubt,
    /// Any other code.
    Other(String),
}

const CODES: &[(FaultCode, &str)] = &[
    (FaultCode::ServerProcessing, "Server.Processing"),
    (
        FaultCode::DuplicateSessionDetected,
        "Server.Processing.DuplicateSessionDetected",
    ),
    (FaultCode::NotSubscribed, "Server.Processing.NotSubscribed"),
    (FaultCode::DuplicateId, "Server.Processing.DuplicateId"),
    (FaultCode::NullId, "Server.Processing.NullId"),
    (FaultCode::ResourceUnavailable, "Server.ResourceUnavailable"),
    (FaultCode::ResourceNotFound, "Server.ResourceNotFound"),
    (FaultCode::PollNotSupported, "Server.PollNotSupported"),
    (FaultCode::ClientAuthentication, "Client.Authentication"),
    (FaultCode::ClientAuthorization, "Client.Authorization"),
    (FaultCode::ServerAuthentication, "Server.Authentication"),
    (FaultCode::ServerAuthorization, "Server.Authorization"),
    (FaultCode::ClientMessage, "Client.Message"),
    (FaultCode::MessageEncoding, "Client.Message.Encoding"),
    (FaultCode::HeaderEncoding, "Client.Header.Encoding"),
    (FaultCode::PacketEncoding, "Client.Packet.Encoding"),
    (
        FaultCode::InvalidType,
        "Client.Message.Deserialize.InvalidType",
    ),
    (FaultCode::DeliveryInDoubt, "Client.Error.DeliveryInDoubt"),
];

impl FaultCode {
    /// The wire string.
    pub fn as_str(&self) -> &str {
        match self {
            FaultCode::Other(s) => s,
            known => CODES
                .iter()
                .find(|(c, _)| c == known)
                .map_or("Server.Processing", |(_, s)| s),
        }
    }

    /// The code of a wire string (unknown strings become [`FaultCode::Other`]).
    pub fn parse(s: &str) -> Self {
        CODES
            .iter()
            .find(|(_, w)| *w == s)
            .map_or_else(|| FaultCode::Other(s.to_owned()), |(c, _)| c.clone())
    }
}

impl fmt::Display for FaultCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What went wrong, to be sent as an ErrorMessage (see [`crate::error_for`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    /// The fault code.
    pub code: FaultCode,
    /// The description shown to the user (`faultString`).
    pub string: String,
    /// Details (`faultDetail`).
    pub detail: Option<String>,
    /// The cause (`rootCause`), `Null` when none.
    pub root_cause: Value,
    /// Application data (`extendedData`), `Null` when none.
    pub extended_data: Value,
    /// HTTP status, sent in the `DSStatusCode` header when set.
    pub status_code: Option<i32>,
}

impl Fault {
    /// A fault with a code and description.
    pub fn new(code: FaultCode, string: impl Into<String>) -> Self {
        Fault {
            code,
            string: string.into(),
            detail: None,
            root_cause: Value::Null,
            extended_data: Value::Null,
            status_code: None,
        }
    }

    /// Adds details.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// The fault for a destination no service knows (`Server.Processing`, as BlazeDS).
    pub fn unknown_destination(destination: &str) -> Self {
        Fault::new(
            FaultCode::ServerProcessing,
            format!("No service is configured for destination '{destination}'."),
        )
    }

    /// The fault for a CommandMessage operation the service does not handle
    /// (`Server.Processing`, worded as BlazeDS's MessageService, 10552).
    pub fn unknown_command(operation: crate::operation::CommandOperation) -> Self {
        Fault::new(
            FaultCode::ServerProcessing,
            format!("Unknown CommandMessage operation: {}", operation.code()),
        )
    }

    /// The fault for a remoting method that does not exist, worded as
    /// BlazeDS's MethodMatcher (errors.properties 10007, detail variant 0).
    pub fn unknown_method(operation: &str) -> Self {
        Fault::cannot_invoke(operation).with_detail(format!("Method '{operation}' not found."))
    }

    /// The fault for a remoting call with `sent` arguments to a method that
    /// takes `expected`, worded as BlazeDS's MethodMatcher (10007, detail
    /// variant 1).
    pub fn argument_count(operation: &str, sent: usize, expected: usize) -> Self {
        Fault::cannot_invoke(operation).with_detail(format!(
            "{sent} arguments were sent but {expected} were expected."
        ))
    }

    /// `Server.ResourceUnavailable` "Cannot invoke method '…'.": what
    /// BlazeDS answers for any remoting method it could not match.
    fn cannot_invoke(operation: &str) -> Self {
        Fault::new(
            FaultCode::ResourceUnavailable,
            format!("Cannot invoke method '{operation}'."),
        )
    }
}
