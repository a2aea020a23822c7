//! The JSON body of a backend call and the reading of the answer:
//! `{"result": …}` or `{"fault": {"code", "string", "detail"}}`.

use super::trace::TraceParent;
use crate::auth::Principal;
use crate::json_values::{from_json, to_json, FromJsonOptions, JsonError};
use flexgate_amf::Value;
use flexgate_messages::headers::is_credentials_header;
use flexgate_messages::{Fault, FaultCode, Headers};
use hyper::StatusCode;
use serde_json::{Map, Value as Json};

/// Member names of the request and answer bodies.
mod field {
    pub(super) const DESTINATION: &str = "destination";
    pub(super) const OPERATION: &str = "operation";
    pub(super) const ARGS: &str = "args";
    pub(super) const PRINCIPAL: &str = "principal";
    pub(super) const NAME: &str = "name";
    pub(super) const ROLES: &str = "roles";
    pub(super) const HEADERS: &str = "headers";
    pub(super) const MESSAGE_ID: &str = "messageId";
    pub(super) const RESULT: &str = "result";
    pub(super) const FAULT: &str = "fault";
    pub(super) const CODE: &str = "code";
    pub(super) const STRING: &str = "string";
    pub(super) const DETAIL: &str = "detail";
}

/// What a backend is told about one call.
pub(crate) struct BackendCall<'a> {
    /// The destination id.
    pub(crate) destination: &'a str,
    /// The method (RemotingMessage `operation`, or after the last dot of
    /// a legacy target).
    pub(crate) operation: &'a str,
    /// The arguments.
    pub(crate) args: &'a [Value],
    /// The logged-in user, if any.
    pub(crate) principal: Option<&'a Principal>,
    /// The RemotingMessage's headers (none for a legacy call); those
    /// carrying credentials are left out.
    pub(crate) headers: Option<&'a Headers>,
    /// The RemotingMessage's id (none for a legacy call).
    pub(crate) message_id: Option<&'a str>,
    /// The trace of the HTTP request the call came in, if it had a valid
    /// `traceparent`: the backend call continues it.
    pub(crate) trace: Option<&'a TraceParent>,
}

/// A fault about destination `destination`'s backend (`Server.Processing`).
pub(super) fn backend_fault(destination: &str, what: impl std::fmt::Display) -> Fault {
    Fault::new(
        FaultCode::ServerProcessing,
        format!("The backend of destination '{destination}' {what}."),
    )
}

impl BackendCall<'_> {
    /// The request body. An argument without a JSON form is refused as
    /// BlazeDS refuses an argument it cannot convert.
    pub(super) fn body(&self, max_depth: usize) -> Result<Vec<u8>, Fault> {
        let refuse = |e: JsonError| {
            Fault::new(
                FaultCode::InvalidType,
                format!(
                    "Cannot send the call to destination '{}': {e}.",
                    self.destination
                ),
            )
        };
        let mut args = Vec::with_capacity(self.args.len());
        for a in self.args {
            args.push(to_json(a, max_depth).map_err(refuse)?);
        }
        let mut headers = Map::new();
        for (k, v) in self.headers.into_iter().flat_map(Headers::iter) {
            if !is_credentials_header(k) {
                headers.insert(k.to_owned(), to_json(v, max_depth).map_err(refuse)?);
            }
        }
        let principal = self.principal.map_or(
            Json::Null,
            |p| serde_json::json!({ field::NAME: p.name, field::ROLES: p.roles }),
        );
        let mut body = Map::new();
        body.insert(field::DESTINATION.into(), Json::from(self.destination));
        body.insert(field::OPERATION.into(), Json::from(self.operation));
        body.insert(field::ARGS.into(), Json::Array(args));
        body.insert(field::PRINCIPAL.into(), principal);
        body.insert(field::HEADERS.into(), Json::Object(headers));
        body.insert(
            field::MESSAGE_ID.into(),
            self.message_id.map_or(Json::Null, Json::from),
        );
        serde_json::to_vec(&Json::Object(body)).map_err(|e| {
            backend_fault(
                self.destination,
                format_args!("could not be sent the call: {e}"),
            )
        })
    }
}

/// The call's outcome from the backend's answer: its result, its fault,
/// or a `Server.Processing` fault saying what was wrong with the answer.
/// A fault body is read whatever the status (a backend may send its
/// faults as 500s); any other non-2xx answer is a fault naming the status.
pub(super) fn read_reply(
    destination: &str,
    status: StatusCode,
    body: &[u8],
    options: FromJsonOptions,
) -> Result<Value, Fault> {
    let parsed = serde_json::from_slice::<Json>(body);
    let Ok(Json::Object(mut answer)) = parsed else {
        if !status.is_success() {
            return Err(backend_fault(
                destination,
                format_args!("answered HTTP {status}"),
            ));
        }
        return Err(match parsed {
            Err(e) => backend_fault(destination, format_args!("answered invalid JSON ({e})")),
            Ok(_) => backend_fault(destination, "answered JSON that is not an object"),
        });
    };
    let bad_value = |e: JsonError| {
        backend_fault(
            destination,
            format_args!("answered a value with no AMF form: {e}"),
        )
    };
    if let Some(fault) = answer.get(field::FAULT) {
        return Err(backend_fault_body(destination, fault));
    }
    if !status.is_success() {
        return Err(backend_fault(
            destination,
            format_args!("answered HTTP {status}"),
        ));
    }
    match answer.remove(field::RESULT) {
        Some(result) => from_json(&result, options).map_err(bad_value),
        None => Err(backend_fault(
            destination,
            "answered an object with neither \"result\" nor \"fault\"",
        )),
    }
}

/// The backend's own fault: its code (default `Server.Processing`),
/// string and detail.
fn backend_fault_body(destination: &str, fault: &Json) -> Fault {
    let text = |name| fault.get(name).and_then(Json::as_str);
    let code = text(field::CODE).map_or(FaultCode::ServerProcessing, FaultCode::parse);
    let string = text(field::STRING).map_or_else(
        || format!("The backend of destination '{destination}' answered a fault."),
        str::to_owned,
    );
    let mut f = Fault::new(code, string);
    f.detail = text(field::DETAIL).map(str::to_owned);
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPTIONS: FromJsonOptions = FromJsonOptions { max_depth: 16 };

    fn read(status: u16, body: &str) -> Result<Value, Fault> {
        let status = StatusCode::from_u16(status).expect("status");
        read_reply("Orders", status, body.as_bytes(), OPTIONS)
    }

    #[test]
    fn results_and_faults_are_read() {
        assert_eq!(read(200, r#"{"result": 5}"#), Ok(Value::Integer(5)));
        assert_eq!(read(200, r#"{"result": null}"#), Ok(Value::Null));
        let f = read(
            500,
            r#"{"fault": {"code": "Orders.Invalid", "string": "no", "detail": "d"}}"#,
        )
        .expect_err("fault");
        assert_eq!(
            (f.code.as_str(), f.string.as_str()),
            ("Orders.Invalid", "no")
        );
        assert_eq!(f.detail.as_deref(), Some("d"));
    }

    #[test]
    fn a_broken_answer_is_a_fault_naming_the_destination() {
        for (status, body, says) in [
            (200, "not json", "invalid JSON"),
            (200, "[1]", "not an object"),
            (200, "{}", "neither"),
            (503, "busy", "HTTP 503"),
            (404, r#"{"result": 1}"#, "HTTP 404"),
            (200, r#"{"result": {"$date": "soon"}}"#, "no AMF form"),
        ] {
            let f = read(status, body).expect_err(body);
            assert_eq!(f.code, FaultCode::ServerProcessing, "{body}");
            assert!(
                f.string.contains("'Orders'") && f.string.contains(says),
                "{}",
                f.string
            );
        }
    }
}
