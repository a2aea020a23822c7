//! `[crossdomain]`, `[cors]` and `[compat]`: what a Flex deployment served
//! from another origin, or run in Ruffle, needs (see docs/security.md).

use serde::Deserialize;

/// `[crossdomain]`: the Flash `/crossdomain.xml` policy. None is served
/// (404) unless `allow` names at least one domain.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CrossDomainConfig {
    /// Domains whose SWFs may call the gateway (`*.example.com`, `*`).
    pub allow: Vec<String>,
    /// `false` writes `secure="false"`: SWFs loaded over HTTP may call a
    /// gateway served over HTTPS. Set only when that is wanted.
    pub secure: Option<bool>,
}

/// `[cors]`: browsers' cross-origin access to the channel paths (Ruffle or
/// a Royale/JS client on a page from another origin).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CorsConfig {
    /// Origins allowed, exactly as a browser sends them
    /// (`http://app.example.com:8080`); empty: no CORS headers at all.
    pub origins: Vec<String>,
    /// How long a browser may cache a preflight answer, in seconds.
    pub max_age_secs: u32,
}

impl Default for CorsConfig {
    fn default() -> Self {
        CorsConfig {
            origins: Vec::new(),
            max_age_secs: 600,
        }
    }
}

/// `[compat]`: tolerance for clients that do not send what Flash does.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CompatConfig {
    /// Read anonymous objects shaped like Flex messages as those messages
    /// (Ruffle sends them so). On by default: no conforming client sends
    /// those shapes, so nothing else is read differently.
    pub anonymous_messages: bool,
}

impl Default for CompatConfig {
    fn default() -> Self {
        CompatConfig {
            anonymous_messages: true,
        }
    }
}

impl CrossDomainConfig {
    /// Refuses a domain that could break out of the XML attribute.
    pub(crate) fn validate(&self) -> Result<(), String> {
        let ok = |d: &String| {
            !d.is_empty()
                && d.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"*.-_:[]".contains(&b))
        };
        match self.allow.iter().find(|d| !ok(d)) {
            Some(d) => Err(format!(
                "crossdomain: '{d}' is not a domain (letters, digits, '*', '.', '-', ':')"
            )),
            None => Ok(()),
        }
    }
}

impl CorsConfig {
    /// Refuses an origin a browser never sends (a path, a trailing slash,
    /// `*`): it would never match, silently.
    pub(crate) fn validate(&self) -> Result<(), String> {
        for o in &self.origins {
            let rest = o
                .strip_prefix("http://")
                .or_else(|| o.strip_prefix("https://"));
            let valid = rest.is_some_and(|host| {
                !host.is_empty()
                    && host
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
            });
            if !valid {
                return Err(format!(
                    "cors: origin '{o}' must be scheme://host[:port], as browsers send it"
                ));
            }
        }
        Ok(())
    }
}
