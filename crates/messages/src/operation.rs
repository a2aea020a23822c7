//! `CommandMessage.operation` codes.

use std::fmt;

/// What a `CommandMessage` asks for. Codes are those of BlazeDS
/// `flex.messaging.messages.CommandMessage` and the Flex SDK class of the same name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum CommandOperation {
    /// 0: subscribe a consumer.
    Subscribe,
    /// 1: unsubscribe a consumer.
    Unsubscribe,
    /// 2: poll for pending messages.
    Poll,
    /// 4: client sync (data services).
    ClientSync,
    /// 5: client ping, sent when a channel connects.
    ClientPing,
    /// 7: request the cluster's endpoints.
    ClusterRequest,
    /// 8: login; the body holds base64 `user:password`.
    Login,
    /// 9: logout.
    Logout,
    /// 10: a subscription was invalidated (server to client).
    SubscriptionInvalidate,
    /// 11: multi-subscribe (`DSAddSub`/`DSRemSub` headers).
    MultiSubscribe,
    /// 12: disconnect the channel.
    Disconnect,
    /// 13: trigger a connect of the consumer's channel.
    TriggerConnect,
    /// 10000: `UNKNOWN_OPERATION`, what both implementations' constructors
    /// start with before an operation is set (also this type's default).
    #[default]
    Unknown,
    /// Any other code, kept as read (for instance 14, named `state_change`
    /// in BlazeDS's `operationNames` table but without a constant).
    Other(i32),
}

impl CommandOperation {
    /// The wire code.
    pub fn code(self) -> i32 {
        use CommandOperation::*;
        match self {
            Subscribe => 0,
            Unsubscribe => 1,
            Poll => 2,
            ClientSync => 4,
            ClientPing => 5,
            ClusterRequest => 7,
            Login => 8,
            Logout => 9,
            SubscriptionInvalidate => 10,
            MultiSubscribe => 11,
            Disconnect => 12,
            TriggerConnect => 13,
            Unknown => 10000,
            Other(c) => c,
        }
    }

    /// The operation of a wire code; codes without a name become [`CommandOperation::Other`].
    pub fn from_code(code: i32) -> Self {
        use CommandOperation::*;
        match code {
            0 => Subscribe,
            1 => Unsubscribe,
            2 => Poll,
            4 => ClientSync,
            5 => ClientPing,
            7 => ClusterRequest,
            8 => Login,
            9 => Logout,
            10 => SubscriptionInvalidate,
            11 => MultiSubscribe,
            12 => Disconnect,
            13 => TriggerConnect,
            10000 => Unknown,
            c => Other(c),
        }
    }
}

impl fmt::Display for CommandOperation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use CommandOperation::*;
        let name = match self {
            Subscribe => "subscribe",
            Unsubscribe => "unsubscribe",
            Poll => "poll",
            ClientSync => "client sync",
            ClientPing => "client ping",
            ClusterRequest => "cluster request",
            Login => "login",
            Logout => "logout",
            SubscriptionInvalidate => "subscription invalidate",
            MultiSubscribe => "multi-subscribe",
            Disconnect => "disconnect",
            TriggerConnect => "trigger connect",
            Unknown => "unknown",
            Other(c) => return write!(f, "operation {c}"),
        };
        f.write_str(name)
    }
}
