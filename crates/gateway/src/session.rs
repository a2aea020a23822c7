//! Binds each Flex client (`DSId`) to an HTTP session cookie, as BlazeDS
//! binds a FlexClient to its servlet `HttpSession` (JSESSIONID).
//!
//! The `DSId` travels in every message header and in the streaming open
//! form, so anyone who learns it could poll, stream or disconnect that
//! client. The cookie is the second factor: the first request without a
//! valid session cookie gets a fresh random token in `Set-Cookie`; the
//! first message that uses a Flex client records that token on it (a
//! connection attribute, so it lives and expires with the client, in
//! whichever store holds it); afterwards a request naming that `DSId` with
//! another cookie, or none, is refused with BlazeDS's
//! `Server.Processing.DuplicateSessionDetected` fault (errors.properties
//! 10035), which Flex applications already treat as "session lost".
//! See docs/security.md.

use crate::config::SessionConfig;
use crate::flex::fault;
use crate::state::State;
use flexgate_broker::{Connection, ConnectionUpdate};
use flexgate_messages::{Fault, FaultCode};
use hyper::header::{HeaderMap, HeaderValue, COOKIE};

/// Connection attribute holding the session token a client is bound to.
const BINDING_ATTRIBUTE: &str = "flexgate.session";

/// Hex digits in a session token (128 random bits).
const TOKEN_LEN: usize = 32;

/// The HTTP session of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    token: String,
    fresh: bool,
}

impl Session {
    /// The session named by the request's cookie, or a fresh one when the
    /// cookie is absent or not a token this gateway could have issued.
    pub fn from_headers(headers: &HeaderMap, config: &SessionConfig) -> Session {
        let found = headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, value)| *name == config.cookie_name && is_token(value))
            .map(|(_, value)| value.to_owned());
        match found {
            Some(token) => Session {
                token,
                fresh: false,
            },
            None => Session::fresh(),
        }
    }

    /// The session named by the request's cookie or, failing that (a
    /// client that keeps no cookies), by the `;jsessionid=TOKEN`-style path
    /// parameter of its URL when `url_tokens` is on; else a fresh one.
    pub fn from_request(headers: &HeaderMap, path: &str, config: &SessionConfig) -> Session {
        let from_cookie = Session::from_headers(headers, config);
        if !from_cookie.fresh || !config.url_tokens {
            return from_cookie;
        }
        let found = path
            .split(';')
            .skip(1)
            .filter_map(|param| param.split_once('='))
            .find(|(name, value)| *name == config.url_parameter && is_token(value));
        match found {
            Some((_, token)) => Session {
                token: token.to_owned(),
                fresh: false,
            },
            None => from_cookie,
        }
    }

    /// The `AppendToGatewayUrl` value announcing a fresh session to a
    /// client that may keep no cookies (`;jsessionid=TOKEN`); `None` when
    /// the request already named its session, or `url_tokens` is off.
    pub fn url_suffix(&self, config: &SessionConfig) -> Option<String> {
        (self.fresh && config.url_tokens)
            .then(|| format!(";{}={}", config.url_parameter, self.token))
    }

    /// A new session with a random token.
    pub fn fresh() -> Session {
        Session {
            // 122 random bits from the OS generator, not uuid's fast one.
            token: crate::os_random::uuid_v4().simple().to_string(),
            fresh: true,
        }
    }

    /// The session's token (what admission counts new clients by).
    pub(crate) fn token(&self) -> &str {
        &self.token
    }

    /// Whether the request carried no valid cookie (the reply must set one).
    pub fn is_fresh(&self) -> bool {
        self.fresh
    }

    /// The `Set-Cookie` value announcing a fresh session; `None` when the
    /// client already has it.
    pub fn set_cookie(&self, config: &SessionConfig) -> Option<HeaderValue> {
        if !self.fresh {
            return None;
        }
        let mut cookie = format!(
            "{}={}; Path=/; HttpOnly; SameSite={}",
            config.cookie_name,
            self.token,
            config.same_site.as_str()
        );
        if config.secure {
            cookie.push_str("; Secure");
        }
        HeaderValue::from_str(&cookie).ok()
    }

    /// Whether `client` may be used from this session; `true` while it is
    /// bound to none.
    pub(crate) fn may_use(&self, client: &Connection) -> bool {
        client
            .attributes
            .get(BINDING_ATTRIBUTE)
            .is_none_or(|bound| constant_time_eq(bound, &self.token))
    }
}

/// Admits a request's use of `client`: binds an unbound client to the
/// session, refuses one bound to another.
pub(crate) async fn admit(
    state: &State,
    client: &Connection,
    session: &Session,
) -> Result<(), Fault> {
    if !state.config.session.bind_clients {
        return Ok(());
    }
    if !session.may_use(client) {
        tracing::warn!(client_id = %client.id, "Flex client used from another HTTP session; refused");
        return Err(duplicate_session(&client.id));
    }
    if !client.attributes.contains_key(BINDING_ATTRIBUTE) {
        state
            .broker
            .update_connection(
                &client.id,
                ConnectionUpdate::Attribute {
                    name: BINDING_ATTRIBUTE.into(),
                    value: Some(session.token.clone()),
                },
            )
            .await
            .map_err(fault::from_broker)?;
    }
    Ok(())
}

/// BlazeDS's fault for a FlexClient arriving over another HTTP session.
fn duplicate_session(client: &str) -> Fault {
    Fault::new(
        FaultCode::DuplicateSessionDetected,
        format!(
            "A request for Flex client '{client}' arrived over another HTTP session than \
             the one it is bound to."
        ),
    )
}

fn is_token(s: &str) -> bool {
    s.len() == TOKEN_LEN && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Compares without an early exit, so timing does not reveal a prefix.
pub(crate) fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SameSite;

    fn headers(cookie: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(COOKIE, HeaderValue::from_str(cookie).expect("header"));
        h
    }

    #[test]
    fn the_cookie_is_read_among_others() {
        let config = SessionConfig::default();
        let token = "0123456789abcdef0123456789abcdef";
        let s = Session::from_headers(
            &headers(&format!("a=b; FLEXGATE_SESSION={token}; c=d")),
            &config,
        );
        assert_eq!(s.token, token);
        assert!(!s.is_fresh());
        assert_eq!(s.set_cookie(&config), None);
    }

    #[test]
    fn a_missing_or_forged_cookie_gives_a_fresh_session() {
        let config = SessionConfig::default();
        for cookie in ["a=b", "FLEXGATE_SESSION=short", "FLEXGATE_SESSION=../etc"] {
            let s = Session::from_headers(&headers(cookie), &config);
            assert!(s.is_fresh(), "{cookie}");
            assert!(is_token(&s.token));
        }
        assert_ne!(Session::fresh().token, Session::fresh().token);
    }

    #[test]
    fn set_cookie_attributes() {
        let mut config = SessionConfig::default();
        let s = Session::fresh();
        let v = s.set_cookie(&config).expect("fresh sets a cookie");
        assert_eq!(
            v.to_str().expect("ascii"),
            format!(
                "FLEXGATE_SESSION={}; Path=/; HttpOnly; SameSite=Lax",
                s.token
            )
        );
        config.secure = true;
        config.same_site = SameSite::None;
        let v = s.set_cookie(&config).expect("cookie");
        assert!(v
            .to_str()
            .expect("ascii")
            .ends_with("; SameSite=None; Secure"));
    }

    #[test]
    fn the_url_token_names_the_session_when_there_is_no_cookie() {
        let mut config = SessionConfig::default();
        let token = "0123456789abcdef0123456789abcdef";
        let path = format!("/messagebroker/amf;jsessionid=junk;jsessionid={token}");
        let s = Session::from_request(&HeaderMap::new(), &path, &config);
        assert_eq!((s.token.as_str(), s.is_fresh()), (token, false));
        assert_eq!(s.url_suffix(&config), None);
        let other = "ffffffffffffffffffffffffffffffff";
        let s = Session::from_request(
            &headers(&format!("FLEXGATE_SESSION={other}")),
            &path,
            &config,
        );
        assert_eq!(s.token, other, "the cookie wins");
        let fresh = Session::from_request(&HeaderMap::new(), "/messagebroker/amf", &config);
        let suffix = fresh.url_suffix(&config).expect("announced");
        assert_eq!(suffix, format!(";jsessionid={}", fresh.token));
        config.url_tokens = false;
        assert!(Session::from_request(&HeaderMap::new(), &path, &config).is_fresh());
        assert_eq!(fresh.url_suffix(&config), None);
    }

    #[test]
    fn binding_compares_the_token() {
        let s = Session::fresh();
        let mut c = Connection::new("ID", "amf", 0, 1000);
        assert!(s.may_use(&c), "an unbound client may be used");
        c.attributes
            .insert(BINDING_ATTRIBUTE.into(), s.token.clone());
        assert!(s.may_use(&c));
        assert!(!Session::fresh().may_use(&c));
    }
}
