//! Stateless password-reset tokens: `uid` is the URL-safe base64 of the user
//! id; `token` is `<issued at, base 36>-<MAC>`, the MAC covering the user id,
//! the current password hash, the issue time and the address. Changing the
//! password (which the reset does) invalidates every earlier token.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};

use shared::auth::{derive_key, mac_hex, same};
use shared::domain::users::User;

/// Validity of a reset link; the e-mail says the same.
pub const RESET_TTL_SECONDS: i64 = 60 * 60;

pub fn encode_uid(user_id: &str) -> String {
    URL_SAFE_NO_PAD.encode(user_id)
}

/// The user id inside `uid`, if it decodes.
pub fn decode_uid(uid: &str) -> Option<String> {
    let bytes = URL_SAFE_NO_PAD.decode(uid.trim()).ok()?;
    let id = String::from_utf8(bytes).ok()?;
    (!id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .then_some(id)
}

fn mac(secret: &str, user: &User, issued: i64) -> String {
    let digest = mac_hex(
        &derive_key(secret, "password-reset"),
        &[&user.id, &user.password, &issued.to_string(), &user.email],
    );
    digest[..32].to_string()
}

pub fn make(secret: &str, user: &User, now: DateTime<Utc>) -> String {
    let issued = now.timestamp();
    format!("{}-{}", to_base36(issued as u64), mac(secret, user, issued))
}

pub fn check(secret: &str, user: &User, token: &str, now: DateTime<Utc>) -> bool {
    let Some((ts, given)) = token.trim().split_once('-') else {
        return false;
    };
    let Some(issued) = from_base36(ts) else {
        return false;
    };
    let age = now.timestamp() - issued as i64;
    (0..=RESET_TTL_SECONDS).contains(&age) && same(&mac(secret, user, issued as i64), given)
}

fn to_base36(mut n: u64) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII digits")
}

fn from_base36(s: &str) -> Option<u64> {
    if s.is_empty() || s.len() > 12 {
        return None;
    }
    u64::from_str_radix(s, 36).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(password: &str) -> User {
        serde_json::from_value(serde_json::json!({
            "id": "0193a5c2-7b1e-7000-8000-000000000001",
            "email": "a@b.fr", "first_name": "A", "last_name": "B",
            "is_active": true, "password": password,
            "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z"
        }))
        .unwrap()
    }

    #[test]
    fn uid_round_trip_and_garbage() {
        let id = "0193a5c2-7b1e-7000-8000-000000000001";
        assert_eq!(decode_uid(&encode_uid(id)).as_deref(), Some(id));
        assert_eq!(decode_uid("%%%"), None);
        assert_eq!(decode_uid(""), None);
    }

    #[test]
    fn token_expires_and_dies_with_a_password_change() {
        let now = shared::time::now();
        let u = user("hash-1");
        let token = make("secret", &u, now);
        assert!(check("secret", &u, &token, now));
        assert!(check(
            "secret",
            &u,
            &token,
            now + chrono::Duration::minutes(59)
        ));
        assert!(!check(
            "secret",
            &u,
            &token,
            now + chrono::Duration::minutes(61)
        ));
        assert!(!check("secret", &user("hash-2"), &token, now));
        assert!(!check("other", &u, &token, now));
        assert!(!check("secret", &u, "zz-", now));
    }
}
