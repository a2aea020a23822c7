//! `[session]`: the HTTP session cookie Flex clients are bound to (see
//! [`session`](crate::session) and docs/security.md).

use serde::Deserialize;

/// The `SameSite` attribute of the session cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
pub enum SameSite {
    /// Sent only with same-site requests.
    Strict,
    /// Sent with same-site requests and top-level navigations (the default).
    #[default]
    Lax,
    /// Sent with cross-site requests too (a SWF hosted on another site);
    /// browsers then require `secure = true`.
    None,
}

impl SameSite {
    /// The attribute value as `Set-Cookie` spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            SameSite::Strict => "Strict",
            SameSite::Lax => "Lax",
            SameSite::None => "None",
        }
    }
}

/// `[session]`: the cookie Flex clients are bound to.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SessionConfig {
    /// Refuse a `DSId` used from another session. Turn off only for
    /// clients that cannot keep cookies (they then rely on the `DSId` alone).
    pub bind_clients: bool,
    /// The cookie name.
    pub cookie_name: String,
    /// Add `Secure` (the gateway is reached over HTTPS through a proxy).
    pub secure: bool,
    /// The cookie's `SameSite` attribute.
    pub same_site: SameSite,
    /// Sessions without cookies, as BlazeDS: a reply to a request that
    /// named no session carries the AMF header `AppendToGatewayUrl`
    /// (`;jsessionid=TOKEN`), and a channel URL with that path parameter
    /// names the session as the cookie does. Tokens in URLs can leak
    /// (Referer, proxy logs): see docs/security.md.
    pub url_tokens: bool,
    /// The path parameter carrying the token in channel URLs.
    pub url_parameter: String,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            bind_clients: true,
            cookie_name: "FLEXGATE_SESSION".into(),
            secure: false,
            same_site: SameSite::Lax,
            url_tokens: true,
            url_parameter: "jsessionid".into(),
        }
    }
}
