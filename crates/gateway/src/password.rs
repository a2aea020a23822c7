//! Passwords of the built-in user list: clear text compared in constant
//! time, or Argon2 hashes in PHC form (`$argon2id$v=19$m=19456,t=2,p=1$…`).
//!
//! A hash carries its own parameters, so `flexgate hash-password` can
//! choose them and verification follows whatever the config holds.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

/// Why a configured hash is unusable.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    /// Not a PHC string.
    #[error("not a PHC hash string: {0}")]
    Format(argon2::password_hash::Error),
    /// A PHC string of another algorithm.
    #[error("algorithm '{0}' is not supported (use argon2id)")]
    Algorithm(String),
}

/// Checks that `hash` is an Argon2 PHC string this build can verify.
pub fn check_hash(hash: &str) -> Result<(), HashError> {
    let parsed = PasswordHash::new(hash).map_err(HashError::Format)?;
    let algorithm = parsed.algorithm.as_str();
    if !matches!(algorithm, "argon2id" | "argon2i" | "argon2d") {
        return Err(HashError::Algorithm(algorithm.to_owned()));
    }
    argon2::Params::try_from(&parsed).map_err(HashError::Format)?;
    Ok(())
}

/// Whether `password` matches the PHC `hash` (false for an unusable hash).
pub fn verify_hash(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// Whether two clear-text passwords are equal, in time that depends only
/// on their lengths.
pub fn same_clear(expected: &str, given: &str) -> bool {
    expected.len() == given.len()
        && expected
            .bytes()
            .zip(given.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// An Argon2id hash of `password` with the crate's default parameters
/// (OWASP's: 19 MiB, 2 passes) and a random salt.
pub fn hash(password: &str) -> Result<String, argon2::password_hash::Error> {
    // 128 random bits from the OS generator, as the session tokens.
    let salt = SaltString::encode_b64(&crate::os_random::bits128())?;
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

/// A hash to verify against when the user does not exist, so that an
/// unknown name costs as much as a wrong password.
pub(crate) fn decoy() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash("flexgate decoy").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_carry_their_parameters() {
        let h = hash("s3cret").expect("hashes");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(check_hash(&h).is_ok());
        assert!(verify_hash(&h, "s3cret"));
        assert!(!verify_hash(&h, "s3creT"));
        // Two hashes of one password differ (random salt).
        assert_ne!(h, hash("s3cret").expect("hashes"));
    }

    #[test]
    fn unusable_hashes_are_refused() {
        assert!(matches!(check_hash("s3cret"), Err(HashError::Format(_))));
        assert!(matches!(
            check_hash("$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E"),
            Err(HashError::Algorithm(_))
        ));
        assert!(!verify_hash("not a hash", "x"));
    }

    #[test]
    fn clear_passwords_compare_exactly() {
        assert!(same_clear("pw", "pw"));
        assert!(!same_clear("pw", "pW"));
        assert!(!same_clear("pw", "pw2"));
    }
}
