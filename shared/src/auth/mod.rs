//! Authentication: password hashing, JWTs, the keyed digests the users
//! function builds its one-time codes and reset tokens from, and the
//! extractors that turn a request into a user.

pub mod extractor;
pub mod jwt;
pub mod password;
pub mod tokens;

pub use extractor::{collections, CurrentUser, PublicRequest, Staff, UserData, Viewer};
pub use tokens::{TokenPair, TokenService};

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// A purpose-bound key derived from the signing secret, so that a value
/// made for one purpose (a reset token, a code digest) is useless for another.
pub fn derive_key(secret: &str, purpose: &str) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(b"autotrack/");
    mac.update(purpose.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// HMAC-SHA256 of `parts` joined by `|`, as lower-case hex.
pub fn mac_hex(key: &[u8], parts: &[&str]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key");
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            mac.update(b"|");
        }
        mac.update(part.as_bytes());
    }
    hex::encode(mac.finalize().into_bytes())
}

/// Constant-time string comparison.
pub fn same(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}
