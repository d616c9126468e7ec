//! HS256 JSON Web Tokens with the claims of spec 1.1, on the `jsonwebtoken`
//! crate (aws-lc-rs backend, the crypto provider rustls already uses). This
//! module pins the algorithm (the header's `alg` must be HS256, so a token
//! cannot pick its own check) and maps the crate's errors to `TokenProblem`,
//! whose texts are what clients see.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

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

/// The only algorithm we sign with and the only one `decode` accepts.
const ALGORITHM: Algorithm = Algorithm::HS256;

/// Signs `claims` with HS256. Deterministic: the header is always
/// `{"typ":"JWT","alg":"HS256"}` and the claims serialise in field order, so
/// the same claims give the same bytes (see `TokenService::refresh_token`).
pub fn encode(secret: &[u8], claims: &Claims) -> String {
    jsonwebtoken::encode(
        &Header::new(ALGORITHM),
        claims,
        &EncodingKey::from_secret(secret),
    )
    .expect("HS256 signs with any key")
}

/// Checks signature, expiry (no leeway) and type, in that order.
///
/// jsonwebtoken checks the shape, the algorithm (HS256 only, so `none` and
/// every other `alg` are refused) and the signature. Expiry is checked here
/// against the caller's `now` rather than the crate's clock, with no leeway.
pub fn decode(
    secret: &[u8],
    token: &str,
    expected_type: &str,
    now: i64,
) -> Result<Claims, TokenProblem> {
    let mut validation = Validation::new(ALGORITHM);
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.leeway = 0;
    // `exp` is a required field of `Claims`: a token without it does not
    // deserialise and is refused as invalid.
    validation.required_spec_claims.clear();

    let claims =
        jsonwebtoken::decode::<Claims>(token, &DecodingKey::from_secret(secret), &validation)
            .map_err(|_| TokenProblem::Invalid)?
            .claims;
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
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;

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

    #[test]
    fn refuses_a_token_signed_with_another_hmac_algorithm() {
        let key = b"k".repeat(32);
        let token = jsonwebtoken::encode(
            &Header::new(Algorithm::HS384),
            &claims("access", 1_000),
            &EncodingKey::from_secret(&key),
        )
        .unwrap();
        assert_eq!(
            decode(&key, &token, "access", 1),
            Err(TokenProblem::Invalid)
        );
    }

    #[test]
    fn same_claims_sign_to_the_same_bytes_with_a_fixed_header() {
        let key = b"k".repeat(32);
        let mut refresh = claims("refresh", 1_000);
        refresh.sid = Some("s1".into());
        let token = encode(&key, &refresh);
        assert_eq!(token, encode(&key, &refresh));
        let header = URL_SAFE_NO_PAD
            .decode(token.split('.').next().unwrap())
            .unwrap();
        assert_eq!(header, br#"{"typ":"JWT","alg":"HS256"}"#);
        let payload = URL_SAFE_NO_PAD
            .decode(token.split('.').nth(1).unwrap())
            .unwrap();
        assert_eq!(
            String::from_utf8(payload).unwrap(),
            r#"{"token_type":"refresh","exp":1000,"iat":940,"jti":"0123456789abcdef0123456789abcdef","user_id":"u1","ver":0,"sid":"s1"}"#
        );
    }
}
