//! HS256 JSON Web Tokens with the claims of spec 1.1. The algorithm is fixed:
//! the header's `alg` must be HS256, so a token cannot pick its own check.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Claims {
    pub token_type: String,
    pub exp: i64,
    pub iat: i64,
    pub jti: String,
    /// The user id, as a string (spec 1.1).
    pub user_id: String,
    /// The user's token version when the token was issued.
    #[serde(default)]
    pub ver: u64,
    /// The login session a refresh token belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
}

/// Why a token was refused; the text is what clients see.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenProblem {
    Invalid,
    Expired,
    WrongType,
}

impl TokenProblem {
    pub fn reason(self) -> &'static str {
        match self {
            TokenProblem::Invalid => "Token is invalid",
            TokenProblem::Expired => "Token is expired",
            TokenProblem::WrongType => "Token has wrong type",
        }
    }
}

const HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

fn sign(secret: &[u8], signing_input: &str) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key");
    mac.update(signing_input.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

pub fn encode(secret: &[u8], claims: &Claims) -> String {
    let header = URL_SAFE_NO_PAD.encode(HEADER);
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).expect("claims serialise"));
    let input = format!("{header}.{payload}");
    let signature = URL_SAFE_NO_PAD.encode(sign(secret, &input));
    format!("{input}.{signature}")
}

/// Checks signature, expiry (no leeway) and type, in that order.
pub fn decode(
    secret: &[u8],
    token: &str,
    expected_type: &str,
    now: i64,
) -> Result<Claims, TokenProblem> {
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenProblem::Invalid);
    };

    let header_json: serde_json::Value = URL_SAFE_NO_PAD
        .decode(header)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or(TokenProblem::Invalid)?;
    if header_json.get("alg").and_then(|a| a.as_str()) != Some("HS256") {
        return Err(TokenProblem::Invalid);
    }

    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| TokenProblem::Invalid)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key");
    mac.update(header.as_bytes());
    mac.update(b".");
    mac.update(payload.as_bytes());
    mac.verify_slice(&signature)
        .map_err(|_| TokenProblem::Invalid)?;

    let claims: Claims = URL_SAFE_NO_PAD
        .decode(payload)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or(TokenProblem::Invalid)?;
    if claims.exp <= now {
        return Err(TokenProblem::Expired);
    }
    if claims.token_type != expected_type {
        return Err(TokenProblem::WrongType);
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(kind: &str, exp: i64) -> Claims {
        Claims {
            token_type: kind.into(),
            exp,
            iat: exp - 60,
            jti: "0123456789abcdef0123456789abcdef".into(),
            user_id: "u1".into(),
            ver: 0,
            sid: None,
        }
    }

    #[test]
    fn round_trip_and_each_refusal() {
        let key = b"k".repeat(32);
        let token = encode(&key, &claims("access", 1_000));
        assert_eq!(decode(&key, &token, "access", 999).unwrap().user_id, "u1");
        assert_eq!(
            decode(&key, &token, "access", 1_000),
            Err(TokenProblem::Expired)
        );
        assert_eq!(
            decode(&key, &token, "refresh", 999),
            Err(TokenProblem::WrongType)
        );
        assert_eq!(
            decode(b"other", &token, "access", 999),
            Err(TokenProblem::Invalid)
        );
        assert_eq!(
            decode(&key, "a.b", "access", 999),
            Err(TokenProblem::Invalid)
        );
        let mut tampered = token.clone();
        tampered.insert(tampered.find('.').unwrap() + 2, 'x');
        assert_eq!(
            decode(&key, &tampered, "access", 999),
            Err(TokenProblem::Invalid)
        );
    }

    #[test]
    fn refuses_alg_none_even_with_a_valid_looking_payload() {
        let key = b"k".repeat(32);
        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims("access", 1_000)).unwrap());
        let token = format!("{header}.{payload}.");
        assert_eq!(
            decode(&key, &token, "access", 1),
            Err(TokenProblem::Invalid)
        );
    }
}
