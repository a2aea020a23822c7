//! Authentication: Flex `ChannelSet.login` credentials and legacy
//! `Credentials` headers, checked by a pluggable [`Authenticator`].

use crate::config::UserConfig;
use crate::login_throttle::{LoginThrottle, LoginThrottleConfig};
use crate::password;
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio::time::Instant;

/// A logged-in user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The user name.
    pub name: String,
    /// The roles granted.
    pub roles: Vec<String>,
}

/// Checks credentials. Implement it to plug in LDAP, a database, ...
/// It may block (a directory lookup, a password hash): the gateway calls it
/// off the async runtime, a few at a time.
pub trait Authenticator: Send + Sync + 'static {
    /// The principal for these credentials, or `None` when they are wrong.
    fn authenticate(&self, user: &str, password: &str) -> Option<Principal>;
}

/// The users listed in the config file.
#[derive(Debug, Clone, Default)]
pub struct ConfigUsers {
    users: BTreeMap<String, UserConfig>,
}

impl ConfigUsers {
    /// Users from the `[users]` table.
    pub fn new(users: BTreeMap<String, UserConfig>) -> Self {
        ConfigUsers { users }
    }
}

impl Authenticator for ConfigUsers {
    fn authenticate(&self, user: &str, given: &str) -> Option<Principal> {
        let Some(u) = self.users.get(user) else {
            // An unknown name costs what a wrong password costs, so that
            // timing does not tell which names exist.
            if self.users.values().any(|u| u.password_hash.is_some()) {
                password::verify_hash(password::decoy(), given);
            }
            return None;
        };
        let same = match (&u.password, &u.password_hash) {
            (_, Some(hash)) => password::verify_hash(hash, given),
            (Some(clear), None) => password::same_clear(clear, given),
            (None, None) => false,
        };
        same.then(|| Principal {
            name: user.to_owned(),
            roles: u.roles.clone(),
        })
    }
}

/// Password checks that may run at once; each Argon2 check holds its
/// memory (19 MiB by default) and a core while it runs.
const CONCURRENT_CHECKS: usize = 4;

/// Why a login was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoginError {
    /// Wrong user name or password.
    #[error("Invalid login.")]
    Invalid,
    /// Too many recent failures for this user or from this address.
    #[error("Too many failed logins; try again in {} s.", .0.as_secs().max(1))]
    Throttled(Duration),
}

/// Every login path (ChannelSet.login, legacy `Credentials` headers, the
/// status page's Basic auth) goes through here: the throttle first, then
/// the authenticator off the runtime.
pub(crate) struct Logins {
    authenticator: Arc<dyn Authenticator>,
    throttle: LoginThrottle,
    checks: Semaphore,
}

impl Logins {
    pub(crate) fn new(authenticator: Arc<dyn Authenticator>, config: LoginThrottleConfig) -> Self {
        Logins {
            authenticator,
            throttle: LoginThrottle::new(config),
            checks: Semaphore::new(CONCURRENT_CHECKS),
        }
    }

    /// The principal for these credentials, from `peer`.
    pub(crate) async fn login(
        &self,
        user: &str,
        given: &str,
        peer: Option<IpAddr>,
    ) -> Result<Principal, LoginError> {
        self.throttle
            .check(user, peer, Instant::now())
            .map_err(LoginError::Throttled)?;
        let principal = {
            let _permit = self
                .checks
                .acquire()
                .await
                .map_err(|_| LoginError::Invalid)?;
            let (a, u, p) = (
                self.authenticator.clone(),
                user.to_owned(),
                given.to_owned(),
            );
            tokio::task::spawn_blocking(move || a.authenticate(&u, &p))
                .await
                .ok()
                .flatten()
        };
        match principal {
            Some(p) => {
                self.throttle.succeeded(user, peer);
                Ok(p)
            }
            None => {
                self.throttle.failed(user, peer, Instant::now());
                Err(LoginError::Invalid)
            }
        }
    }
}

/// Why a login body could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CredentialsError {
    /// Not base64 of `user:password` with both parts non-empty.
    #[error("Invalid credential format.")]
    Format,
}

/// Decodes a LOGIN command body: base64 of `user:password`, split at the
/// first colon (the password may contain colons; neither part may be empty).
/// ISO-8859-1 unless the client said UTF-8 (`DSCredentialsCharset`).
pub fn decode_credentials(body: &str, utf8: bool) -> Result<(String, String), CredentialsError> {
    let bytes = crate::base64::decode(body.trim()).ok_or(CredentialsError::Format)?;
    let text = if utf8 {
        String::from_utf8(bytes).map_err(|_| CredentialsError::Format)?
    } else {
        bytes.iter().map(|&b| char::from(b)).collect()
    };
    match text.split_once(':') {
        Some((user, password)) if !user.is_empty() && !password.is_empty() => {
            Ok((user.to_owned(), password.to_owned()))
        }
        _ => Err(CredentialsError::Format),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_split_at_the_first_colon() {
        // base64("alice:se:cret")
        assert_eq!(
            decode_credentials("YWxpY2U6c2U6Y3JldA==", false),
            Ok(("alice".into(), "se:cret".into()))
        );
        // base64("alice:secret"), as py3amf's fixture sends it
        assert_eq!(
            decode_credentials("YWxpY2U6c2VjcmV0", false),
            Ok(("alice".into(), "secret".into()))
        );
    }

    #[test]
    fn bad_credentials_are_a_format_error() {
        for body in ["", "!!!!", "YWxpY2U=", "OnNlY3JldA==", "YWxpY2U6", "YW=x"] {
            assert_eq!(
                decode_credentials(body, false),
                Err(CredentialsError::Format),
                "{body}"
            );
        }
    }

    #[test]
    fn latin1_and_utf8() {
        // base64 of the bytes "j\xe9:p" (Latin-1 é)
        assert_eq!(
            decode_credentials("auk6cA==", false),
            Ok(("jé".into(), "p".into()))
        );
        assert_eq!(
            decode_credentials("auk6cA==", true),
            Err(CredentialsError::Format)
        );
        // base64 of "jé:p" in UTF-8
        assert_eq!(
            decode_credentials("asOpOnA=", true),
            Ok(("jé".into(), "p".into()))
        );
    }

    #[test]
    fn config_users() {
        let hash = password::hash("hashed-pw").expect("hashes");
        let users = BTreeMap::from([
            (
                "alice".to_owned(),
                UserConfig::with_password("secret", &["admin"]),
            ),
            ("dora".to_owned(), UserConfig::with_hash(&hash, &["ops"])),
        ]);
        let a = ConfigUsers::new(users);
        assert_eq!(
            a.authenticate("alice", "secret").map(|p| p.roles),
            Some(vec!["admin".into()])
        );
        assert_eq!(a.authenticate("alice", "secreT"), None);
        assert_eq!(a.authenticate("bob", "secret"), None);
        assert_eq!(
            a.authenticate("dora", "hashed-pw").map(|p| p.roles),
            Some(vec!["ops".into()])
        );
        assert_eq!(a.authenticate("dora", "hashed-pW"), None);
        // The hash itself is no password.
        assert_eq!(a.authenticate("dora", &hash), None);
    }

    #[tokio::test]
    async fn logins_are_throttled_after_repeated_failures() {
        let users =
            BTreeMap::from([("alice".to_owned(), UserConfig::with_password("secret", &[]))]);
        let logins = Logins::new(
            Arc::new(ConfigUsers::new(users)),
            LoginThrottleConfig::default(),
        );
        let peer = Some(IpAddr::from([127, 0, 0, 1]));
        for _ in 0..4 {
            assert_eq!(
                logins.login("alice", "guess", peer).await,
                Err(LoginError::Invalid)
            );
        }
        // Backing off: even the right password is not checked now.
        assert!(matches!(
            logins.login("alice", "secret", peer).await,
            Err(LoginError::Throttled(_))
        ));
    }
}
