//! Authentication: Flex `ChannelSet.login` credentials and legacy
//! `Credentials` headers, checked by a pluggable [`Authenticator`].

use crate::config::UserConfig;
use std::collections::BTreeMap;

/// A logged-in user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The user name.
    pub name: String,
    /// The roles granted.
    pub roles: Vec<String>,
}

/// Checks credentials. Implement it to plug in LDAP, a database, ...
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
    fn authenticate(&self, user: &str, password: &str) -> Option<Principal> {
        let u = self.users.get(user)?;
        // Compare in constant time so response timing does not leak the password.
        let same = u.password.len() == password.len()
            && u.password
                .bytes()
                .zip(password.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0;
        same.then(|| Principal {
            name: user.to_owned(),
            roles: u.roles.clone(),
        })
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
        let mut users = BTreeMap::new();
        users.insert(
            "alice".to_owned(),
            UserConfig {
                password: "secret".into(),
                roles: vec!["admin".into()],
            },
        );
        let a = ConfigUsers::new(users);
        assert_eq!(
            a.authenticate("alice", "secret").map(|p| p.roles),
            Some(vec!["admin".into()])
        );
        assert_eq!(a.authenticate("alice", "secreT"), None);
        assert_eq!(a.authenticate("bob", "secret"), None);
    }
}
