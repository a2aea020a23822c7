//! Replays the recorded requests of one case of fixtures/blazeds/ in one
//! browser session and compares each reply's shape with BlazeDS's.

use super::common::{cookie_pair, http, TestServer};
use super::shape::{http_shape, recorded_head, HttpShape};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request};
use std::path::{Path, PathBuf};

/// How a step's request goes out.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Send {
    /// POST with this `Content-Type` (`None`: no such header).
    Post(Option<&'static str>),
    /// GET, no body.
    Get,
}

/// A known, documented difference from BlazeDS's reply: `why` names the
/// row of docs/protocol.md that gives the reason, `edit` turns BlazeDS's
/// shape into flexgate's.
pub(crate) struct Differs {
    pub(crate) why: &'static str,
    pub(crate) edit: Box<dyn Fn(&mut HttpShape)>,
}

/// One recorded request.
pub(crate) struct Step {
    /// The file stem in fixtures/blazeds/<case>/.
    pub(crate) name: &'static str,
    pub(crate) path: &'static str,
    pub(crate) send: Send,
    pub(crate) differs: Vec<Differs>,
}

/// A POST of `application/x-amf` to `path`, answered as BlazeDS did.
pub(crate) fn step(name: &'static str, path: &'static str) -> Step {
    Step {
        name,
        path,
        send: Send::Post(Some("application/x-amf")),
        differs: Vec::new(),
    }
}

impl Step {
    /// Sent another way.
    pub(crate) fn sent(mut self, send: Send) -> Step {
        self.send = send;
        self
    }

    /// Answered differently, for the reason `why`.
    pub(crate) fn differs(
        mut self,
        why: &'static str,
        edit: impl Fn(&mut HttpShape) + 'static,
    ) -> Step {
        self.differs.push(Differs {
            why,
            edit: Box::new(edit),
        });
        self
    }
}

pub(crate) fn case_dir(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/blazeds")
        .join(case)
}

/// What BlazeDS answered to a step.
pub(crate) fn recorded(case: &str, name: &str) -> HttpShape {
    let dir = case_dir(case);
    let body = std::fs::read(dir.join(format!("{name}.blazeds.amf"))).unwrap_or_default();
    let body = Bytes::from(body);
    // push/ recorded bodies only: BlazeDS answered 200 and, as the
    // `AppendToGatewayUrl` header shows, set a cookie when it made a session.
    let (status, content_type, cookie) =
        match std::fs::read_to_string(dir.join(format!("{name}.blazeds.http"))) {
            Ok(head) => recorded_head(&head),
            Err(_) => (200, Some("application/x-amf".into()), opens_session(&body)),
        };
    // Jetty's HTML 404 page is no AMF.
    let body = if content_type.as_deref() == Some("application/x-amf") {
        body
    } else {
        Bytes::new()
    };
    http_shape(status, content_type.as_deref(), cookie, &body)
}

/// Whether a recorded reply carries BlazeDS's new-session header.
fn opens_session(body: &Bytes) -> bool {
    flexgate_amf::Packet::decode(Bytes::clone(body), flexgate_messages::registry()).is_ok_and(|p| {
        p.headers
            .iter()
            .any(|h| h.name.as_ref() == "AppendToGatewayUrl")
    })
}

/// The recorded request body of a step (empty when there is none: a GET).
pub(crate) fn request_body(case: &str, name: &str) -> Vec<u8> {
    std::fs::read(case_dir(case).join(format!("{name}.req.amf"))).unwrap_or_default()
}

/// One browser: its cookie jar of one session cookie.
#[derive(Default)]
pub(crate) struct Browser {
    pub(crate) cookie: Option<String>,
}

/// A whole reply.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) content_type: Option<String>,
    pub(crate) sets_cookie: bool,
    pub(crate) body: Bytes,
}

impl Browser {
    /// Sends `body` as `send` says to `url`, keeping the cookie.
    pub(crate) async fn request(&mut self, url: &str, send: Send, body: Vec<u8>) -> Answer {
        let mut req = Request::builder().uri(url);
        req = match send {
            Send::Get => req.method(Method::GET),
            Send::Post(content_type) => {
                let req = req.method(Method::POST);
                match content_type {
                    Some(t) => req.header("content-type", t),
                    None => req,
                }
            }
        };
        if let Some(c) = &self.cookie {
            req = req.header("cookie", c);
        }
        let req = req.body(Full::new(Bytes::from(body))).expect("request");
        let res = http().request(req).await.expect("server answers");
        let header = |name: &str| {
            res.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let content_type = header("content-type");
        let set_cookie = header("set-cookie");
        if let Some(set) = &set_cookie {
            self.cookie = Some(cookie_pair(set));
        }
        let status = res.status().as_u16();
        let body = res.into_body().collect().await.expect("body").to_bytes();
        Answer {
            status,
            content_type,
            sets_cookie: set_cookie.is_some(),
            body,
        }
    }
}

/// The shape of a live reply.
pub(crate) fn answer_shape(a: &Answer) -> HttpShape {
    let amf = a.content_type.as_deref() == Some("application/x-amf");
    let body = if amf { a.body.clone() } else { Bytes::new() };
    http_shape(
        a.status,
        a.content_type.as_deref().filter(|_| amf),
        a.sets_cookie,
        &body,
    )
}

/// Sends one step in `browser` and compares; returns the mismatch, if any,
/// and the live reply.
pub(crate) async fn run(
    server: &TestServer,
    case: &str,
    step: &Step,
    browser: &mut Browser,
) -> (Option<String>, Answer) {
    let answer = browser
        .request(
            &server.url(step.path),
            step.send,
            request_body(case, step.name),
        )
        .await;
    let got = answer_shape(&answer);
    let mut want = recorded(case, step.name);
    for d in &step.differs {
        (d.edit)(&mut want);
    }
    let why: Vec<&str> = step.differs.iter().map(|d| d.why).collect();
    let problem = (got != want).then(|| {
        format!(
            "{case}/{} (differs: {why:?}; - expected, + flexgate)\n{}",
            step.name,
            super::diff::diff(&format!("{want:#?}"), &format!("{got:#?}"))
        )
    });
    (problem, answer)
}

/// Runs the steps of `case` in order in one browser session against a
/// fresh gateway; panics listing every step whose reply differs.
pub(crate) async fn replay(server: &TestServer, case: &str, steps: &[Step]) {
    let mut browser = Browser::default();
    let mut problems = Vec::new();
    for s in steps {
        if let (Some(p), _) = run(server, case, s, &mut browser).await {
            problems.push(p);
        }
    }
    assert!(
        problems.is_empty(),
        "{} of {} steps differ:\n{}",
        problems.len(),
        steps.len(),
        problems.join("\n")
    );
}
