//! Configuration, read from the environment and validated once at cold
//! start. Each component has its own section (`store`, `tokens`, `mail`,
//! `documents`, `queues`, `aws`); a function reads only the sections of the
//! components it composes, through one [`Env`] that collects every problem,
//! so a function that lacks values refuses to start and names all of them.

pub mod aws;
pub mod documents;
pub mod mail;
pub mod openai;
pub mod queues;
pub mod store;
pub mod stripe;
pub mod tokens;

use std::fmt;

pub use aws::{AwsConfig, AwsCredentials, LAMBDA_SETS};
pub use documents::DocumentsConfig;
pub use mail::MailConfig;
pub use openai::OpenAiConfig;
pub use queues::QueueConfig;
pub use store::StoreConfig;
pub use stripe::StripeApiConfig;
pub use tokens::{TokenConfig, MIN_JWT_SECRET_LEN};

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

/// Whether a section must have a variable to start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    Required,
    Optional,
}

/// Where variables come from: the process environment, or a map.
type Lookup<'a> = Box<dyn Fn(&str) -> Option<String> + 'a>;

/// The variables sections read, and the problems they found so far.
pub struct Env<'a> {
    lookup: Lookup<'a>,
    problems: Vec<String>,
    read: Vec<(&'static str, Need)>,
}

impl Env<'static> {
    /// The process environment.
    pub fn process() -> Self {
        Self::from_lookup(|key| std::env::var(key).ok())
    }
}

impl<'a> Env<'a> {
    /// Variables through `lookup` (a map in tests and local tools).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String> + 'a) -> Self {
        Self {
            lookup: Box::new(lookup),
            problems: Vec::new(),
            read: Vec::new(),
        }
    }

    fn get(&mut self, key: &'static str, need: Need) -> Option<String> {
        if !self.read.iter().any(|(k, _)| *k == key) {
            self.read.push((key, need));
        }
        (self.lookup)(key)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }

    /// A variable that may be absent (or blank).
    pub fn optional(&mut self, key: &'static str) -> Option<String> {
        self.get(key, Need::Optional)
    }

    /// A variable the section cannot do without; its absence is a problem
    /// named with `what` it is.
    pub fn required(&mut self, key: &'static str, what: &str) -> Option<String> {
        let value = self.get(key, Need::Required);
        if value.is_none() {
            self.problem(format!("{key} is missing ({what})"));
        }
        value
    }

    /// A whole number from `min` to `max`, `default` when unset; anything
    /// else is a problem named with the variable.
    pub fn bounded(&mut self, key: &'static str, default: u64, min: u64, max: u64) -> u64 {
        match self.optional(key) {
            None => default,
            Some(raw) => match raw.parse::<u64>() {
                Ok(n) if (min..=max).contains(&n) => n,
                _ => {
                    self.problem(format!(
                        "{key} must be a whole number from {min} to {max}, got {raw:?}"
                    ));
                    default
                }
            },
        }
    }

    pub fn problem(&mut self, problem: String) {
        self.problems.push(problem);
    }

    /// Every variable read so far, with whether it is required.
    pub fn variables(&self) -> &[(&'static str, Need)] {
        &self.read
    }

    /// `Ok` when no section found a problem, else all of them at once.
    pub fn finish(self) -> Result<(), ConfigError> {
        if self.problems.is_empty() {
            Ok(())
        } else {
            Err(ConfigError {
                problems: self.problems,
            })
        }
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
pub(crate) mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::time::Duration;

    pub(crate) fn env(pairs: &[(&str, &str)]) -> Env<'static> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Env::from_lookup(move |k| map.get(k).cloned())
    }

    /// The sections of a function with a store, tokens and mail.
    fn read_all(env: &mut Env) -> (StoreConfig, TokenConfig, MailConfig) {
        (
            StoreConfig::read(env),
            TokenConfig::read(env),
            MailConfig::read(env),
        )
    }

    #[test]
    fn refuses_to_start_without_secret_and_names_every_problem() {
        let mut env = env(&[]);
        read_all(&mut env);
        let err = env.finish().unwrap_err().to_string();
        assert!(err.contains("TABLE_NAME is missing"), "{err}");
        assert!(err.contains("JWT_SECRET is missing"), "{err}");
        assert!(err.contains("FRONTEND_URL is missing"), "{err}");
    }

    #[test]
    fn rejects_short_secret_and_bad_numbers() {
        let mut env = env(&[
            ("TABLE_NAME", "t"),
            ("JWT_SECRET", "short"),
            ("FRONTEND_URL", "https://app.example"),
            ("JWT_ACCESS_TOKEN_EXPIRE_MINUTES", "0"),
        ]);
        read_all(&mut env);
        let err = env.finish().unwrap_err().to_string();
        assert!(err.contains("JWT_SECRET is too short"), "{err}");
        assert!(err.contains("JWT_ACCESS_TOKEN_EXPIRE_MINUTES"), "{err}");
    }

    #[test]
    fn reads_a_complete_environment_and_hides_secrets() {
        let mut env = env(&[
            ("TABLE_NAME", "autotrack"),
            ("JWT_SECRET", "0123456789abcdef0123456789abcdef"),
            ("FRONTEND_URL", "https://app.example/"),
        ]);
        let (store, tokens, mail) = read_all(&mut env);
        env.finish().unwrap();
        assert_eq!(store.table_name, "autotrack");
        assert_eq!(mail.frontend_url, "https://app.example");
        assert_eq!(mail.from, "noreply@autotrack.com");
        assert_eq!(tokens.access_token_ttl, Duration::from_secs(900));
        assert!(!format!("{tokens:?}").contains("0123456789abcdef"));
    }

    #[test]
    fn a_section_asks_only_for_its_own_variables() {
        let mut env = env(&[("TABLE_NAME", "t")]);
        StoreConfig::read(&mut env);
        assert_eq!(env.variables(), &[("TABLE_NAME", Need::Required)]);
        env.finish().unwrap();
    }
}
