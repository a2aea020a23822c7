//! `/crossdomain.xml`: the policy Flash Player (and Ruffle) fetch before a
//! SWF from another domain may call the gateway. Served only when
//! `[crossdomain] allow` names domains; otherwise the path is a 404 like
//! any other.

use crate::config::CrossDomainConfig;
use crate::response::{text, ResponseBody};
use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Full};
use hyper::header::{HeaderValue, ALLOW, CACHE_CONTROL, CONTENT_TYPE};
use hyper::{Method, Response, StatusCode};

/// Where Flash Player looks for the master policy file.
pub(crate) const PATH: &str = "/crossdomain.xml";

/// The media type Flash Player's strict policy checks want.
const CONTENT_TYPE_POLICY: &str = "text/x-cross-domain-policy";

/// The answer to `method path`, when it is the policy file and one is configured.
pub(crate) fn handle(
    config: &CrossDomainConfig,
    method: &Method,
    path: &str,
) -> Option<Response<ResponseBody>> {
    if path != PATH || config.allow.is_empty() {
        return None;
    }
    if method != Method::GET && method != Method::HEAD {
        let mut r = text(StatusCode::METHOD_NOT_ALLOWED, "the policy file takes GET");
        r.headers_mut()
            .insert(ALLOW, HeaderValue::from_static("GET, HEAD"));
        return Some(r);
    }
    let body = if method == Method::HEAD {
        Empty::new().boxed()
    } else {
        Full::new(Bytes::from(policy(config))).boxed()
    };
    let mut r = Response::new(body);
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE_POLICY));
    r.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Some(r)
}

/// The policy document. Domains were checked at load to hold no XML
/// metacharacters (config/hosting.rs), so they go in as they are.
pub(crate) fn policy(config: &CrossDomainConfig) -> String {
    let secure = match config.secure {
        Some(false) => " secure=\"false\"",
        _ => "",
    };
    let mut xml = String::from(
        "<?xml version=\"1.0\"?>\n\
         <!DOCTYPE cross-domain-policy SYSTEM \"http://www.adobe.com/xml/dtds/cross-domain-policy.dtd\">\n\
         <cross-domain-policy>\n\
         \x20 <site-control permitted-cross-domain-policies=\"master-only\"/>\n",
    );
    for domain in &config.allow {
        xml.push_str(&format!(
            "  <allow-access-from domain=\"{domain}\"{secure}/>\n"
        ));
    }
    xml.push_str("</cross-domain-policy>\n");
    xml
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn none_unless_configured() {
        let config = CrossDomainConfig::default();
        assert!(handle(&config, &Method::GET, PATH).is_none());
    }

    #[test]
    fn secure_false_only_when_asked() {
        let mut config = CrossDomainConfig {
            allow: vec!["*.example.com".into()],
            secure: None,
        };
        assert!(policy(&config).contains("<allow-access-from domain=\"*.example.com\"/>"));
        config.secure = Some(false);
        assert!(policy(&config)
            .contains("<allow-access-from domain=\"*.example.com\" secure=\"false\"/>"));
    }
}
