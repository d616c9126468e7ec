//! One-time e-mail verification codes: six digits from the OS CSPRNG, stored
//! only as a keyed digest.

use rand::Rng;

use shared::auth::{derive_key, mac_hex, same};

/// How long a code stays valid.
pub const CODE_TTL_SECONDS: i64 = 10 * 60;
/// Wrong guesses allowed before the code is destroyed.
pub const MAX_ATTEMPTS: u32 = 5;
/// Shortest wait between two codes sent to one account.
pub const RESEND_COOLDOWN_SECONDS: i64 = 60;

/// Six decimal digits, uniform over 000000..=999999.
pub fn generate() -> String {
    format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000u32))
}

/// The digest stored instead of the code.
pub fn digest(secret: &str, user_id: &str, code: &str) -> String {
    mac_hex(&derive_key(secret, "email-otp"), &[user_id, code])
}

pub fn matches(secret: &str, user_id: &str, code: &str, stored_digest: &str) -> bool {
    same(&digest(secret, user_id, code), stored_digest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits_and_vary() {
        let codes: Vec<String> = (0..50).map(|_| generate()).collect();
        assert!(codes
            .iter()
            .all(|c| c.len() == 6 && c.chars().all(|d| d.is_ascii_digit())));
        let distinct: std::collections::HashSet<_> = codes.iter().collect();
        assert!(distinct.len() > 40);
    }

    #[test]
    fn digest_binds_user_and_code() {
        let d = digest("s", "u1", "123456");
        assert!(matches("s", "u1", "123456", &d));
        assert!(!matches("s", "u2", "123456", &d));
        assert!(!matches("s", "u1", "123457", &d));
        assert!(!matches("t", "u1", "123456", &d));
    }
}
