//! The BlazeDS reference set (fixtures/blazeds/, what Apache BlazeDS
//! answered to a fixed set of requests) replayed against flexgate: each
//! case's steps in order, in one browser session, against a gateway set
//! up like the reference's services-config.xml. Every reply must have the
//! shape of BlazeDS's (status, content type, cookie, targets, message
//! class and form, fault code and string, header names, echoed values),
//! except where a step declares a documented difference (the table
//! "BlazeDS behaviour → flexgate behaviour" in docs/protocol.md).

#[path = "../common/mod.rs"]
mod common;
mod diff;
mod push;
mod replay;
mod shape;

use common::{TestServer, AMF, STREAMING};
use flexgate_gateway::config::{ChannelConfig, ChannelKind, Config};
use replay::{replay, step, Send, Step};
use shape::{BodyValue, HttpShape, MessageShape, ValueShape};

// The documented differences (docs/protocol.md, "BlazeDS behaviour →
// flexgate behaviour", column "why"): each names the reason.
const NAMED_DESTINATION: &str = "unknown destination: the faultString names it";
const LEGACY_NO_DOT: &str = "legacy target without a dot: says so";
const LEGACY_CREDENTIALS: &str = "Credentials header checked by the built-in authenticator";
const BUILT_IN_AUTHENTICATOR: &str = "login: the built-in authenticator always answers";
const LOGOUT_SUCCEEDS: &str = "logout without a login succeeds, session kept";
const SMALL_PER_CLIENT: &str = "small messages per Flex client, not per HTTP session";
const NOT_A_MESSAGE: &str = "a null-target body that is no message: Client.Message.Encoding";
const BROKEN_PACKET: &str = "broken packet: HTTP 400";
const DECODER_TEXT: &str = "undecodable body: the decoder's own words";
const GET_REFUSED: &str = "GET: HTTP 405";
const AMF_CONTENT_TYPE: &str = "Content-Type must be application/x-amf: HTTP 415";
const CORRELATED_ACKS: &str = "every ack correlated, with the client's id";
const RECEIVER_FORM: &str = "deliveries in the form the receiver reads";
const TYPED_ECHO: &str = "typed objects pass through";
const REMOTING_TO_MESSAGING: &str = "RemotingMessage to a messaging destination refused";
const NULL_OPERATION: &str = "null remoting operation: no exception text";

/// The reference's polling channel (`my-polling-amf`).
const POLLING: &str = "/messagebroker/amfpolling";

/// The reference configuration: channels my-amf, my-polling-amf,
/// my-longpolling-amf and my-streaming-amf at BlazeDS's paths,
/// `EchoService` and `chat` (subtopics with `.`, 60 s TTL). The long-poll
/// wait is 2 s instead of 30 s, so the step that waits it out is quick.
pub(crate) fn reference_config() -> Config {
    let mut config = Config::default();
    config.channels.insert(
        "my-polling-amf".into(),
        ChannelConfig {
            kind: ChannelKind::Amf,
            path: POLLING.into(),
            ..ChannelConfig::default()
        },
    );
    for c in config.channels.values_mut() {
        if c.kind == ChannelKind::LongPolling {
            c.wait_interval_ms = 2_000;
            c.max_waiting_polls = 100;
        }
        if c.kind == ChannelKind::Streaming {
            c.max_streaming_clients = 100;
        }
    }
    config
}

async fn run_case(case: &str, steps: &[Step]) {
    let server = TestServer::start(reference_config()).await;
    replay(&server, case, steps).await;
    server.running.shutdown().await;
}

#[tokio::test]
async fn ping_nil() {
    run_case("ping_nil", &[step("ping", AMF)]).await;
}

#[tokio::test]
async fn ping_no_version() {
    run_case("ping_no_version", &[step("ping", AMF)]).await;
}

#[tokio::test]
async fn ping_small() {
    run_case("ping_small", &[step("ping", AMF)]).await;
}

#[tokio::test]
async fn ping_known_then_again() {
    run_case(
        "ping_known_then_again",
        &[step("ping1", AMF), step("ping2", AMF)],
    )
    .await;
}

#[tokio::test]
async fn ping_needsconfig() {
    run_case("ping_needsconfig", &[step("ping", AMF)]).await;
}

#[tokio::test]
async fn messaging_flow() {
    let steps = [
        "01_ping",
        "02_subscribe",
        "03_subscribe_again",
        "04_publish_room1",
        "05_publish_room2",
        "06_poll",
        "07_poll_empty",
        "08_publish_small",
        "09_poll_small",
        "10_multi_subscribe",
        "11_unsubscribe",
        "12_unsubscribe_again",
        "13_publish_room3",
        "14_poll",
        "15_disconnect",
        "16_poll_after_disconnect",
    ]
    .map(|n| step(n, AMF));
    let [s01, s02, s03, s04, s05, s06, s07, s08, s09, s10, s11, s12, s13, s14, s15, s16] = steps;
    let correlated = |s: &mut HttpShape| {
        let m = s.message(0);
        (m.client_id, m.correlation_id) = (true, true);
    };
    let steps = [
        s01,
        s02,
        s03,
        s04,
        s05,
        s06,
        s07.differs(CORRELATED_ACKS, correlated),
        s08,
        s09.differs(RECEIVER_FORM, |s| match &mut s.message(0).body {
            BodyValue::Messages(m) => m[0].class = "flex.messaging.messages.AsyncMessage".into(),
            other => panic!("{other:?}"),
        }),
        s10,
        s11,
        s12,
        s13,
        s14,
        s15.differs(CORRELATED_ACKS, correlated),
        s16,
    ];
    run_case("messaging_flow", &steps).await;
}

#[tokio::test]
async fn remoting() {
    let steps = [
        "01_ping",
        "02_echo_string",
        "03_echo_values",
        "04_echo_anon_collection",
        "05_echo_typed_person",
        "06_two_bodies",
        "07_echo_no_args",
        "08_echo_two_args",
        "09_unknown_operation",
        "10_unknown_destination",
        "11_remoting_to_messaging_dest",
        "12_null_operation",
        "13_echo_no_ping_session",
    ]
    .map(|n| step(n, AMF));
    let [s01, s02, s03, s04, s05, s06, s07, s08, s09, s10, s11, s12, s13] = steps;
    let steps = [
        s01,
        s02,
        s03,
        s04,
        s05.differs(TYPED_ECHO, |s| {
            let b = s.body(0).expect("a body");
            b.target = "/1/onResult".into();
            b.value = ValueShape::Message(Box::new(MessageShape {
                class: "DSK".into(),
                operation: None,
                fault_code: None,
                fault_string: None,
                fault_detail: None,
                headers: Vec::new(),
                client_id: true,
                correlation_id: true,
                destination: None,
                time_to_live: 0,
                body: BodyValue::Plain(
                    "com.example.Person{age: Integer(31), name: String(\"Ann\")}".into(),
                ),
            }));
        }),
        s06,
        s07,
        s08,
        s09,
        s10.differs(NAMED_DESTINATION, |s| {
            s.message(0).fault_string =
                Some("No service is configured for destination 'NoSuchService'.".into());
        }),
        s11.differs(REMOTING_TO_MESSAGING, |s| {
            s.body(0).expect("a body").target = "/1/onStatus".into();
            let m = s.message(0);
            m.fault(
                "Server.Processing",
                "No service is configured for destination 'chat'.",
            );
            m.destination = Some("chat".into());
        }),
        s12.differs(NULL_OPERATION, |s| {
            let m = s.message(0);
            m.fault("Server.ResourceUnavailable", "Cannot invoke method ''.");
            m.fault_detail = Some("Method '' not found.".into());
        }),
        s13.differs(SMALL_PER_CLIENT, |s| {
            s.message(0).class = "flex.messaging.messages.AcknowledgeMessage".into();
        }),
    ];
    run_case("remoting", &steps).await;
}

#[tokio::test]
async fn remoting_no_ping() {
    run_case("remoting_no_ping", &[step("echo", AMF)]).await;
}

#[tokio::test]
async fn legacy() {
    let steps = [
        "01_amf0_echo_obj",
        "02_amf3_echo_obj",
        "03_amf0_echo_string",
        "04_amf3_echo_string",
        "05_amf0_three_args",
        "06_amf0_unknown_service",
        "07_amf0_unknown_method",
        "08_amf0_no_dot",
        "09_amf0_two_calls",
        "10_amf0_credentials_header",
    ]
    .map(|n| step(n, AMF));
    let [s01, s02, s03, s04, s05, s06, s07, s08, s09, s10] = steps;
    let status_message = |text: &'static str| {
        move |s: &mut HttpShape| match &mut s.body(0).expect("a body").value {
            ValueShape::Status { message, .. } => *message = Some(text.into()),
            other => panic!("{other:?}"),
        }
    };
    let steps = [
        s01,
        s02,
        s03,
        s04,
        s05,
        s06.differs(
            NAMED_DESTINATION,
            status_message("No service is configured for destination 'NoSuchService'."),
        ),
        s07,
        s08.differs(
            LEGACY_NO_DOT,
            status_message("Target 'echo' is not of the form Service.method."),
        ),
        s09,
        s10.differs(LEGACY_CREDENTIALS, |s| {
            let b = s.body(0).expect("a body");
            b.target = "/1/onStatus".into();
            b.value = ValueShape::Status {
                code: Some("Client.Authentication".into()),
                message: Some("Invalid login.".into()),
                details: None,
            };
        }),
    ];
    run_case("legacy", &steps).await;
}

#[tokio::test]
async fn faults() {
    let steps = [
        step("01_ping", AMF),
        step("02_poll_not_subscribed", AMF),
        step("03_unsubscribe_not_subscribed", AMF),
        step("04_subscribe_unknown_destination", AMF).differs(NAMED_DESTINATION, |s| {
            s.message(0).fault_string =
                Some("No service is configured for destination 'nochat'.".into());
        }),
        step("05_publish_unknown_destination", AMF).differs(NAMED_DESTINATION, |s| {
            s.message(0).fault_string =
                Some("No service is configured for destination 'nochat'.".into());
        }),
        step("06_subscribe_remoting_destination", AMF).differs(NAMED_DESTINATION, |s| {
            s.message(0).fault_string =
                Some("No service is configured for destination 'EchoService'.".into());
        }),
        step("07_publish_wildcard_subtopic", AMF),
        step("08_subscribe_wildcard_subtopic", AMF),
        step("09_unknown_command_op", AMF),
        step("10_login_no_users", AMF).differs(BUILT_IN_AUTHENTICATOR, |s| {
            let m = s.message(0);
            m.fault("Client.Authentication", "Invalid login.");
            m.destination = Some("auth".into());
        }),
        step("11_logout", AMF).differs(LOGOUT_SUCCEEDS, |s| {
            s.sets_cookie = false;
            s.body(0).expect("a body").target = "/1/onResult".into();
            let m = s.message(0);
            (m.class, m.fault_code, m.fault_string) = ("DSK".into(), None, None);
            m.body = BodyValue::Plain("String(\"success\")".into());
        }),
        step("12_poll_on_streaming_endpoint", STREAMING),
        step("13_body_not_a_message", AMF).differs(NOT_A_MESSAGE, |s| {
            s.body(0).expect("a body").value = ValueShape::Message(Box::new(MessageShape {
                class: "flex.messaging.messages.ErrorMessage".into(),
                operation: None,
                fault_code: Some("Client.Message.Encoding".into()),
                fault_string: Some(
                    "Cannot read the message: expected a Flex message, found array".into(),
                ),
                fault_detail: None,
                headers: Vec::new(),
                client_id: false,
                correlation_id: false,
                destination: None,
                time_to_live: 0,
                body: BodyValue::Null,
            }));
        }),
        step("14_subscribe_no_clientid", AMF)
            .differs(SMALL_PER_CLIENT, |s| s.message(0).class = "DSK".into()),
    ];
    run_case("faults", &steps).await;
}

#[tokio::test]
async fn poll_fresh_session() {
    run_case("poll_fresh_session", &[step("poll", AMF)]).await;
}

#[tokio::test]
async fn unsubscribe_fresh_session() {
    run_case("unsubscribe_fresh_session", &[step("unsubscribe", AMF)]).await;
}

#[tokio::test]
async fn malformed() {
    let steps = [
        step("01_garbage", AMF).differs(BROKEN_PACKET, |s| s.http_error(400)),
        step("02_truncated_ping", AMF).differs(BROKEN_PACKET, |s| s.http_error(400)),
        step("03_empty_body", AMF).differs(BROKEN_PACKET, |s| s.http_error(400)),
        step("04_version_2", AMF).differs(BROKEN_PACKET, |s| s.http_error(400)),
        step("05_body_count_too_big", AMF).differs(BROKEN_PACKET, |s| s.http_error(400)),
        step("06_bad_amf3_marker", AMF).differs(DECODER_TEXT, |s| {
            // The first answered request of the session sets the cookie.
            s.sets_cookie = true;
            s.message(0).fault_string = Some(
                "Cannot read the message: AMF decode error at byte 26: \
                 unknown AMF3 type marker 0x13"
                    .into(),
            );
        }),
        step("07_trailing_garbage", AMF).differs(BROKEN_PACKET, |s| s.http_error(400)),
        step("08_get", AMF)
            .sent(Send::Get)
            .differs(GET_REFUSED, |s| s.http_error(405)),
        step("09_unknown_path", "/messagebroker/nope"),
        step("10_text_plain", AMF)
            .sent(Send::Post(Some("text/plain")))
            .differs(AMF_CONTENT_TYPE, |s| s.http_error(415)),
        step("11_no_content_type", AMF)
            .sent(Send::Post(None))
            .differs(AMF_CONTENT_TYPE, |s| s.http_error(415)),
        step("12_zero_bodies", AMF),
        step("13_huge_string_length", AMF).differs(BROKEN_PACKET, |s| s.http_error(400)),
    ];
    run_case("malformed", &steps).await;
}
