//! Password hashing: argon2id for every new hash; `pbkdf2_sha256$...` hashes
//! migrated from the system we replace still verify and are flagged for
//! rehashing.

use std::sync::OnceLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use crate::error::Error;

/// Upper bound on PBKDF2 rounds we are willing to run for a stored hash.
const MAX_PBKDF2_ROUNDS: u32 = 5_000_000;

fn argon2() -> Argon2<'static> {
    // OWASP's recommended argon2id baseline: 19 MiB, 2 passes, 1 lane.
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash(password: &str) -> Result<String, Error> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::internal(format!("hashing password: {e}")))
}

/// Whether `password` matches the stored hash (argon2 or Django PBKDF2).
pub fn verify(password: &str, stored: &str) -> bool {
    if stored.starts_with("pbkdf2_sha256$") {
        return verify_pbkdf2(password, stored);
    }
    match PasswordHash::new(stored) {
        Ok(parsed) => argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// True when the stored hash is not argon2id with today's parameters.
pub fn needs_rehash(stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => {
            let current = argon2();
            let current = current.params();
            let same_cost = Params::try_from(&parsed).is_ok_and(|p| {
                (p.m_cost(), p.t_cost(), p.p_cost())
                    == (current.m_cost(), current.t_cost(), current.p_cost())
            });
            parsed.algorithm.as_str() != "argon2id" || !same_cost
        }
        Err(_) => true,
    }
}

/// Spends the time of a real verification, so that an unknown account
/// answers as slowly as a wrong password (no timing enumeration).
pub fn verify_dummy(password: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let stored = DUMMY.get_or_init(|| hash("dummy password for timing").unwrap_or_default());
    let _ = verify(password, stored);
}

fn verify_pbkdf2(password: &str, stored: &str) -> bool {
    let mut parts = stored.splitn(4, '$');
    let (Some(_), Some(rounds), Some(salt), Some(expected)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let Ok(rounds) = rounds.parse::<u32>() else {
        return false;
    };
    if rounds == 0 || rounds > MAX_PBKDF2_ROUNDS {
        return false;
    }
    let Ok(expected) = STANDARD.decode(expected) else {
        return false;
    };
    if expected.is_empty() || expected.len() > 64 {
        return false;
    }
    let mut derived = vec![0u8; expected.len()];
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password.as_bytes(), salt.as_bytes(), rounds, &mut derived);
    use subtle::ConstantTimeEq;
    bool::from(derived.ct_eq(&expected))
}

/// Builds a Django-format PBKDF2 hash (used to test migrated accounts).
pub fn django_pbkdf2(password: &str, salt: &str, rounds: u32) -> String {
    let mut derived = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password.as_bytes(), salt.as_bytes(), rounds, &mut derived);
    format!("pbkdf2_sha256${rounds}${salt}${}", STANDARD.encode(derived))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argon2id_round_trip() {
        let h = hash("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse", &h));
        assert!(!verify("wrong horse", &h));
        assert!(!needs_rehash(&h));
    }

    #[test]
    fn django_pbkdf2_hashes_verify_and_need_rehash() {
        let h = django_pbkdf2("migrated pass", "salt1234", 1000);
        assert!(verify("migrated pass", &h));
        assert!(!verify("other", &h));
        assert!(needs_rehash(&h));
    }

    #[test]
    fn verifies_the_rfc_7914_pbkdf2_sha256_vector_in_django_format() {
        // RFC 7914 section 11: PBKDF2-HMAC-SHA256("passwd", "salt", 1), first 32 bytes.
        let dk = hex::decode("55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc")
            .unwrap();
        let stored = format!("pbkdf2_sha256$1$salt${}", STANDARD.encode(dk));
        assert!(verify("passwd", &stored));
        assert!(!verify("Passwd", &stored));
    }

    #[test]
    fn garbage_hashes_never_verify() {
        for stored in [
            "",
            "plain",
            "pbkdf2_sha256$x$y$z",
            "pbkdf2_sha256$999999999$s$AAAA",
        ] {
            assert!(!verify("anything", stored), "{stored}");
        }
    }
}
