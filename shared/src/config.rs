//! Everything read from the environment, in one place, validated once at
//! cold start. A function that lacks a required value refuses to start and
//! says which values are missing or wrong.

use std::fmt;
use std::time::Duration;

/// A secret that never shows up in `Debug` output or logs.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Shortest JWT signing secret we accept: 256 bits for HS256.
pub const MIN_JWT_SECRET_LEN: usize = 32;

#[derive(Clone, Debug)]
pub struct Config {
    pub table_name: String,
    pub bucket_name: Option<String>,
    pub ocr_queue_url: Option<String>,
    pub ai_queue_url: Option<String>,
    pub jwt_secret: Secret,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    /// Base URL of the web front-end; links in e-mails point here, never at
    /// the API's Host header.
    pub frontend_url: String,
    pub mail_from: String,
    pub stripe_secret_key: Option<Secret>,
    pub stripe_webhook_secret: Option<Secret>,
    pub openai_api_key: Option<Secret>,
    /// Set only against the local emulator.
    pub aws_endpoint_url: Option<String>,
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|key| std::env::var(key).ok())
    }

    /// Reads configuration through `lookup` (the environment, or a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |key: &str| {
            lookup(key)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let mut problems = Vec::new();

        let table_name = get("TABLE_NAME").unwrap_or_else(|| {
            problems.push("TABLE_NAME is missing (the DynamoDB table name)".to_string());
            String::new()
        });

        let jwt_secret = match get("JWT_SECRET") {
            Some(s) if s.len() >= MIN_JWT_SECRET_LEN => Secret::new(s),
            Some(_) => {
                problems.push(format!(
                    "JWT_SECRET is too short (at least {MIN_JWT_SECRET_LEN} characters)"
                ));
                Secret::new("")
            }
            None => {
                problems.push("JWT_SECRET is missing (the token signing secret)".to_string());
                Secret::new("")
            }
        };

        let frontend_url = match get("FRONTEND_URL") {
            Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
                url.trim_end_matches('/').to_string()
            }
            Some(_) => {
                problems.push("FRONTEND_URL must start with http:// or https://".to_string());
                String::new()
            }
            None => {
                problems.push("FRONTEND_URL is missing (base URL of the web app)".to_string());
                String::new()
            }
        };

        let minutes = parse_positive(&get, "JWT_ACCESS_TOKEN_EXPIRE_MINUTES", 15, &mut problems);
        let days = parse_positive(&get, "JWT_REFRESH_TOKEN_EXPIRE_DAYS", 30, &mut problems);

        if !problems.is_empty() {
            return Err(ConfigError { problems });
        }

        Ok(Self {
            table_name,
            bucket_name: get("BUCKET_NAME"),
            ocr_queue_url: get("OCR_QUEUE_URL"),
            ai_queue_url: get("AI_QUEUE_URL"),
            jwt_secret,
            access_token_ttl: Duration::from_secs(minutes * 60),
            refresh_token_ttl: Duration::from_secs(days * 86_400),
            frontend_url,
            mail_from: get("MAIL_FROM").unwrap_or_else(|| "noreply@autotrack.com".to_string()),
            stripe_secret_key: get("STRIPE_SECRET_KEY").map(Secret::new),
            stripe_webhook_secret: get("STRIPE_WEBHOOK_SECRET").map(Secret::new),
            openai_api_key: get("OPENAI_API_KEY").map(Secret::new),
            aws_endpoint_url: get("AWS_ENDPOINT_URL"),
        })
    }
}

fn parse_positive(
    get: &impl Fn(&str) -> Option<String>,
    key: &str,
    default: u64,
    problems: &mut Vec<String>,
) -> u64 {
    match get(key) {
        None => default,
        Some(raw) => match raw.parse::<u64>() {
            Ok(n) if n > 0 => n,
            _ => {
                problems.push(format!(
                    "{key} must be a positive whole number, got {raw:?}"
                ));
                default
            }
        },
    }
}

#[derive(Debug)]
pub struct ConfigError {
    pub problems: Vec<String>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid configuration: {}", self.problems.join("; "))
    }
}

impl std::error::Error for ConfigError {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn refuses_to_start_without_secret_and_names_every_problem() {
        let err = Config::from_lookup(lookup(&[])).unwrap_err().to_string();
        assert!(err.contains("TABLE_NAME is missing"), "{err}");
        assert!(err.contains("JWT_SECRET is missing"), "{err}");
        assert!(err.contains("FRONTEND_URL is missing"), "{err}");
    }

    #[test]
    fn rejects_short_secret_and_bad_numbers() {
        let err = Config::from_lookup(lookup(&[
            ("TABLE_NAME", "t"),
            ("JWT_SECRET", "short"),
            ("FRONTEND_URL", "https://app.example"),
            ("JWT_ACCESS_TOKEN_EXPIRE_MINUTES", "0"),
        ]))
        .unwrap_err()
        .to_string();
        assert!(err.contains("JWT_SECRET is too short"), "{err}");
        assert!(err.contains("JWT_ACCESS_TOKEN_EXPIRE_MINUTES"), "{err}");
    }

    #[test]
    fn reads_a_complete_environment_and_hides_secrets() {
        let cfg = Config::from_lookup(lookup(&[
            ("TABLE_NAME", "autotrack"),
            ("JWT_SECRET", "0123456789abcdef0123456789abcdef"),
            ("FRONTEND_URL", "https://app.example/"),
            ("STRIPE_SECRET_KEY", "sk_test_x"),
        ]))
        .unwrap();
        assert_eq!(cfg.frontend_url, "https://app.example");
        assert_eq!(cfg.access_token_ttl, Duration::from_secs(900));
        assert!(!format!("{cfg:?}").contains("0123456789abcdef"));
        assert!(!format!("{cfg:?}").contains("sk_test_x"));
    }
}
