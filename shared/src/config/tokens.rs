//! The token service's section: the signing secret and the lifetimes.

use std::time::Duration;

use super::{Env, Secret};

/// Shortest JWT signing secret we accept: 256 bits for HS256.
pub const MIN_JWT_SECRET_LEN: usize = 32;

#[derive(Clone, Debug)]
pub struct TokenConfig {
    pub jwt_secret: Secret,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
}

impl TokenConfig {
    pub fn read(env: &mut Env) -> Self {
        let jwt_secret = match env.required("JWT_SECRET", "the token signing secret") {
            Some(s) if s.len() >= MIN_JWT_SECRET_LEN => Secret::new(s),
            Some(_) => {
                env.problem(format!(
                    "JWT_SECRET is too short (at least {MIN_JWT_SECRET_LEN} characters)"
                ));
                Secret::new("")
            }
            None => Secret::new(""),
        };
        let minutes = positive(env, "JWT_ACCESS_TOKEN_EXPIRE_MINUTES", 15);
        let days = positive(env, "JWT_REFRESH_TOKEN_EXPIRE_DAYS", 30);
        Self {
            jwt_secret,
            access_token_ttl: Duration::from_secs(minutes * 60),
            refresh_token_ttl: Duration::from_secs(days * 86_400),
        }
    }
}

fn positive(env: &mut Env, key: &'static str, default: u64) -> u64 {
    match env.optional(key) {
        None => default,
        Some(raw) => match raw.parse::<u64>() {
            Ok(n) if n > 0 => n,
            _ => {
                env.problem(format!(
                    "{key} must be a positive whole number, got {raw:?}"
                ));
                default
            }
        },
    }
}
