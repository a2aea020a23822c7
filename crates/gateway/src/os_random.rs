//! Random bytes straight from the OS generator, for secrets: session
//! tokens and password salts. Generated ids (message, client and
//! correlation ids) come from uuid's user-space generator instead (its
//! `fast-rng` feature: a ChaCha generator seeded from the OS), which spares
//! a system call per id on the request path.

/// 128 bits from the OS generator.
pub(crate) fn bits128() -> [u8; 16] {
    let mut b = [0u8; 16];
    // As `uuid::Uuid::new_v4` without `fast-rng` does: there is no secret
    // to hand out when the OS has no randomness.
    getrandom::fill(&mut b).expect("the OS random generator");
    b
}

/// A random (v4) UUID whose 122 random bits come from the OS generator.
pub(crate) fn uuid_v4() -> uuid::Uuid {
    uuid::Builder::from_random_bytes(bits128()).into_uuid()
}

#[cfg(test)]
mod tests {
    #[test]
    fn draws_differ_and_are_v4() {
        let (a, b) = (super::uuid_v4(), super::uuid_v4());
        assert_ne!(a, b);
        assert_eq!(a.get_version_num(), 4);
    }
}
