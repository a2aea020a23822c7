//! Hosting a Flex deployment: `/crossdomain.xml`, CORS on the channel
//! paths, and sessions for clients that keep no cookies (the BlazeDS
//! `AppendToGatewayUrl` header and `;jsessionid=` channel URLs). The
//! browser side of CORS: tests/cors_browser.rs.

mod common;

use bytes::Bytes;
use common::{command, fixture, http, subscribe, FlexClient, TestServer, AMF};
use flexgate_amf::{Body, Packet, Str, Value, Version};
use flexgate_gateway::config::Config;
use flexgate_messages::{headers as h, registry, CommandOperation, Form, Message};
use http_body_util::{BodyExt, Full};
use hyper::{HeaderMap, Method, Request, StatusCode};

/// Sends `method url` with `headers` and `body`; status, headers, body.
async fn send(
    method: Method,
    url: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> (StatusCode, HeaderMap, Bytes) {
    let mut req = Request::builder().method(method).uri(url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let req = req.body(Full::new(Bytes::from(body))).expect("request");
    let res = http().request(req).await.expect("server answers");
    let (parts, body) = res.into_parts();
    let body = body.collect().await.expect("body").to_bytes();
    (parts.status, parts.headers, body)
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn crossdomain_xml_only_when_configured() {
    let server = TestServer::start(Config::default()).await;
    let (status, _, _) = send(
        Method::GET,
        &server.url("/crossdomain.xml"),
        &[],
        Vec::new(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    server.running.shutdown().await;

    let config = Config::parse("[crossdomain]\nallow = [\"*.example.com\", \"app.example.org\"]\n")
        .expect("config");
    let server = TestServer::start(config).await;
    let (status, headers, body) = send(
        Method::GET,
        &server.url("/crossdomain.xml"),
        &[],
        Vec::new(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        header(&headers, "content-type"),
        Some("text/x-cross-domain-policy")
    );
    let xml = String::from_utf8(body.to_vec()).expect("UTF-8");
    assert!(xml.contains("<cross-domain-policy>"), "{xml}");
    assert!(
        xml.contains("<allow-access-from domain=\"*.example.com\"/>"),
        "{xml}"
    );
    assert!(
        xml.contains("<allow-access-from domain=\"app.example.org\"/>"),
        "{xml}"
    );
    assert!(
        !xml.contains("secure="),
        "secure=\"false\" only when asked: {xml}"
    );
    let (status, _, _) = send(
        Method::POST,
        &server.url("/crossdomain.xml"),
        &[],
        Vec::new(),
    )
    .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    server.running.shutdown().await;

    let config = Config::parse("[crossdomain]\nallow = [\"*\"]\nsecure = false\n").expect("config");
    let server = TestServer::start(config).await;
    let (_, _, body) = send(
        Method::GET,
        &server.url("/crossdomain.xml"),
        &[],
        Vec::new(),
    )
    .await;
    let xml = String::from_utf8(body.to_vec()).expect("UTF-8");
    assert!(
        xml.contains("<allow-access-from domain=\"*\" secure=\"false\"/>"),
        "{xml}"
    );
    server.running.shutdown().await;
}

#[test]
fn config_refuses_what_would_never_match_or_would_break_the_xml() {
    for bad in [
        "[crossdomain]\nallow = [\"a\\\"/><x\"]\n",
        "[crossdomain]\nallow = [\"\"]\n",
        "[cors]\norigins = [\"*\"]\n",
        "[cors]\norigins = [\"http://app.example.com/\"]\n",
        "[cors]\norigins = [\"app.example.com\"]\n",
    ] {
        assert!(Config::parse(bad).is_err(), "{bad}");
    }
}

const ORIGIN: &str = "http://app.example.com:8080";

fn cors_config() -> Config {
    Config::parse(&format!("[cors]\norigins = [\"{ORIGIN}\"]\n")).expect("config")
}

#[tokio::test]
async fn cors_preflight_and_replies_for_the_configured_origin_only() {
    let server = TestServer::start(cors_config()).await;
    let preflight = |origin: &'static str| {
        let url = server.url(AMF);
        async move {
            send(
                Method::OPTIONS,
                &url,
                &[
                    ("origin", origin),
                    ("access-control-request-method", "POST"),
                    ("access-control-request-headers", "content-type"),
                ],
                Vec::new(),
            )
            .await
        }
    };
    let (status, headers, _) = preflight(ORIGIN).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        header(&headers, "access-control-allow-origin"),
        Some(ORIGIN)
    );
    assert_eq!(
        header(&headers, "access-control-allow-credentials"),
        Some("true")
    );
    assert_eq!(
        header(&headers, "access-control-allow-methods"),
        Some("POST")
    );
    assert_eq!(
        header(&headers, "access-control-allow-headers"),
        Some("content-type")
    );
    assert_eq!(header(&headers, "vary"), Some("Origin"));

    let (status, headers, _) = preflight("http://evil.example.com").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(header(&headers, "access-control-allow-origin"), None);

    let ping = fixture("requests/ping.amf");
    let amf = ("content-type", "application/x-amf");
    let (status, headers, _) = send(
        Method::POST,
        &server.url(AMF),
        &[amf, ("origin", ORIGIN)],
        ping.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        header(&headers, "access-control-allow-origin"),
        Some(ORIGIN)
    );
    assert_eq!(
        header(&headers, "access-control-allow-credentials"),
        Some("true")
    );
    assert_eq!(header(&headers, "vary"), Some("Origin"));
    let evil = ("origin", "http://evil.example.com");
    let (status, headers, _) = send(Method::POST, &server.url(AMF), &[amf, evil], ping).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the browser, not the server, withholds the reply"
    );
    assert_eq!(header(&headers, "access-control-allow-origin"), None);
    assert_eq!(header(&headers, "access-control-allow-credentials"), None);
    assert_eq!(header(&headers, "vary"), Some("Origin"));
    // Not on the operator pages.
    let (_, headers, _) = send(
        Method::GET,
        &server.url("/status.json"),
        &[("origin", ORIGIN)],
        Vec::new(),
    )
    .await;
    assert_eq!(header(&headers, "access-control-allow-origin"), None);
    server.running.shutdown().await;

    // None configured: no CORS at all, OPTIONS is a method the channel refuses.
    let server = TestServer::start(Config::default()).await;
    let (status, headers, _) = send(
        Method::OPTIONS,
        &server.url(AMF),
        &[("origin", ORIGIN)],
        Vec::new(),
    )
    .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(header(&headers, "access-control-allow-origin"), None);
    server.running.shutdown().await;
}

/// A ping packet (`DSId` "nil"), as a Flex channel connects.
fn ping_packet() -> Packet {
    let mut ping = command(CommandOperation::ClientPing, "");
    ping.base_mut().headers.set(h::DS_ID, "nil");
    ping.base_mut().message_id = Some(flexgate_messages::uid::new_uid());
    Packet {
        version: Version::Amf3,
        headers: Vec::new(),
        bodies: vec![Body {
            target: Str::from_static("null"),
            response: "/1".into(),
            value: Value::array(vec![ping.to_value(Form::Full)]),
        }],
    }
}

/// Posts `packet` with no cookie; the reply packet and its `Set-Cookie`.
async fn post_without_cookies(url: &str, packet: &Packet) -> (Packet, Option<String>) {
    let r = common::post_with_cookie(
        url,
        "application/x-amf",
        packet.encode_request().expect("encodes"),
        None,
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    (
        Packet::decode(r.body, registry()).expect("reply decodes"),
        r.set_cookie,
    )
}

fn append_to_gateway_url(p: &Packet) -> Option<(&str, bool)> {
    p.headers
        .iter()
        .find(|h| h.name.as_str() == "AppendToGatewayUrl")
        .map(|h| (h.value.as_str().expect("a string"), h.must_understand))
}

#[tokio::test]
async fn a_client_without_cookies_keeps_its_session_in_the_url() {
    let server = TestServer::start(Config::default()).await;
    let (reply, set_cookie) = post_without_cookies(&server.url(AMF), &ping_packet()).await;
    let (suffix, must_understand) = append_to_gateway_url(&reply).expect("AppendToGatewayUrl");
    assert!(must_understand, "BlazeDS marks it mustUnderstand");
    let token = suffix
        .strip_prefix(";jsessionid=")
        .expect("a jsessionid parameter");
    assert_eq!(token.len(), 32);
    // The same token as the cookie a browser would keep.
    let cookie = set_cookie.expect("Set-Cookie too");
    assert!(
        cookie.starts_with(&format!("FLEXGATE_SESSION={token};")),
        "{cookie}"
    );
    let ack = Message::from_value(&reply.bodies[0].value).expect("ack");
    let ds_id = ack
        .header(h::DS_ID)
        .and_then(Value::as_str)
        .expect("DSId")
        .to_owned();

    // The client appends the suffix, as NetConnection does, and sends no cookie.
    let mut client = FlexClient::new(format!("{}{suffix}", server.url(AMF)));
    client.ds_id = Some(ds_id.clone());
    let r = client.send_one(subscribe("chat", "C1", None, None)).await;
    assert!(r.is_result(), "{r:?}");
    assert_eq!(client.cookie, None, "a named session gets no new cookie");
    let (again, _) = post_without_cookies(&client.url, &ping_packet()).await;
    assert_eq!(append_to_gateway_url(&again), None, "announced once");

    // The DSId is bound to that token: without it, or with another, refused.
    for url in [
        server.url(AMF),
        format!(
            "{};jsessionid=0123456789abcdef0123456789abcdef",
            server.url(AMF)
        ),
    ] {
        let mut stranger = FlexClient::new(url);
        stranger.ds_id = Some(ds_id.clone());
        let r = stranger.send_one(subscribe("chat", "C2", None, None)).await;
        assert_eq!(
            r.fault_code(),
            Some("Server.Processing.DuplicateSessionDetected"),
            "{r:?}"
        );
    }
    server.running.shutdown().await;
}

#[tokio::test]
async fn url_tokens_can_be_turned_off() {
    let config = Config::parse("[session]\nurl_tokens = false\n").expect("config");
    let server = TestServer::start(config).await;
    let (reply, _) = post_without_cookies(&server.url(AMF), &ping_packet()).await;
    assert_eq!(append_to_gateway_url(&reply), None);
    server.running.shutdown().await;
}
