//! Issuing and reading the access/refresh pair. Access tokens are short-lived
//! and carry the user's token version; refresh tokens name their login
//! session, whose current `jti` the store keeps for rotation.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::jwt::{self, Claims, TokenProblem};
use crate::config::{Secret, TokenConfig};

#[derive(Clone, Debug, Serialize)]
pub struct TokenPair {
    pub refresh: String,
    pub access: String,
}

/// A freshly issued pair and the facts the session record must keep.
#[derive(Clone, Debug)]
pub struct Issued {
    pub pair: TokenPair,
    pub refresh_jti: String,
    /// `iat` of the refresh token (kept on the session, see `refresh_token`).
    pub refresh_issued_at: i64,
    pub refresh_expires_at: DateTime<Utc>,
}

/// Issues and checks tokens. Cheap to clone (extractors take one per
/// request): the configuration is shared.
#[derive(Clone)]
pub struct TokenService {
    config: Arc<TokenConfig>,
}

impl std::fmt::Debug for TokenService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenService").finish_non_exhaustive()
    }
}

pub const ACCESS: &str = "access";
pub const REFRESH: &str = "refresh";

/// 32 lower-case hex characters from the OS random generator.
pub fn new_jti() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

impl TokenService {
    pub fn new(config: TokenConfig) -> Self {
        Self {
            config: Arc::new(config),
        }
    }

    pub fn refresh_ttl(&self) -> Duration {
        self.config.refresh_token_ttl
    }

    /// The signing secret, which purpose-bound keys (one-time code digests,
    /// reset tokens) are derived from.
    pub fn secret(&self) -> &Secret {
        &self.config.jwt_secret
    }

    fn key(&self) -> &[u8] {
        self.config.jwt_secret.expose().as_bytes()
    }

    /// Issues a pair for `user_id` in login session `session_id`.
    pub fn issue(
        &self,
        user_id: &str,
        token_version: u64,
        session_id: &str,
        now: DateTime<Utc>,
    ) -> Issued {
        let iat = now.timestamp();
        let refresh_jti = new_jti();
        let refresh_exp = iat + self.config.refresh_token_ttl.as_secs() as i64;
        Issued {
            pair: TokenPair {
                access: self.access_token(user_id, token_version, now),
                refresh: self.refresh_token(
                    user_id,
                    token_version,
                    session_id,
                    &refresh_jti,
                    iat,
                    refresh_exp,
                ),
            },
            refresh_jti,
            refresh_issued_at: iat,
            refresh_expires_at: DateTime::from_timestamp(refresh_exp, 0).unwrap_or(now),
        }
    }

    /// A new access token on its own.
    pub fn access_token(&self, user_id: &str, token_version: u64, now: DateTime<Utc>) -> String {
        let iat = now.timestamp();
        jwt::encode(
            self.key(),
            &Claims {
                token_type: ACCESS.into(),
                exp: iat + self.config.access_token_ttl.as_secs() as i64,
                iat,
                jti: new_jti(),
                user_id: user_id.into(),
                ver: token_version,
                sid: None,
            },
        )
    }

    /// The refresh token with exactly these claims. Signing is deterministic,
    /// so the same claims give the same bytes: a session can hand its current
    /// token out again.
    pub fn refresh_token(
        &self,
        user_id: &str,
        token_version: u64,
        session_id: &str,
        jti: &str,
        iat: i64,
        exp: i64,
    ) -> String {
        jwt::encode(
            self.key(),
            &Claims {
                token_type: REFRESH.into(),
                exp,
                iat,
                jti: jti.into(),
                user_id: user_id.into(),
                ver: token_version,
                sid: Some(session_id.into()),
            },
        )
    }

    pub fn decode(
        &self,
        token: &str,
        kind: &str,
        now: DateTime<Utc>,
    ) -> Result<Claims, TokenProblem> {
        jwt::decode(self.key(), token, kind, now.timestamp())
    }

    /// Signs arbitrary claims (tests use it to forge expired tokens).
    pub fn sign(&self, claims: &Claims) -> String {
        jwt::encode(self.key(), claims)
    }
}
