//! The model service's section (OpenAI chat completions): optional. Without
//! `OPENAI_API_KEY` the AI features answer offline, from the fault-code
//! table and rules; with it, these bound every call.

use std::time::Duration;

use super::{Env, Secret};

#[derive(Clone, Debug)]
pub struct OpenAiConfig {
    pub api_key: Secret,
    pub base_url: String,
    pub model: String,
    /// Each attempt's bound.
    pub timeout: Duration,
    /// Attempts in all (timeouts, 429 and 5xx are tried again).
    pub attempts: u32,
}

pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";
pub const DEFAULT_MODEL: &str = "gpt-4o-mini";

impl OpenAiConfig {
    /// `None` without a key (offline).
    pub fn read(env: &mut Env) -> Option<Self> {
        let api_key = env.optional("OPENAI_API_KEY");
        let base_url = env
            .optional("OPENAI_BASE_URL")
            .unwrap_or_else(|| DEFAULT_BASE_URL.into());
        if !(base_url.starts_with("https://") || base_url.starts_with("http://")) {
            env.problem(format!(
                "OPENAI_BASE_URL must be an http(s) URL, got {base_url:?}"
            ));
        }
        let model = env
            .optional("OPENAI_MODEL")
            .unwrap_or_else(|| DEFAULT_MODEL.into());
        // The client builds its Authorization header from the key and would
        // panic mid-request on a stray control character (a pasted newline).
        if api_key
            .as_deref()
            .is_some_and(|k| !k.bytes().all(|b| b.is_ascii_graphic()))
        {
            env.problem("OPENAI_API_KEY must be printable ASCII without spaces".into());
        }
        let timeout = env.bounded("OPENAI_TIMEOUT_SECONDS", 20, 1, 120);
        let attempts = env.bounded("OPENAI_ATTEMPTS", 2, 1, 5) as u32;
        Some(Self {
            api_key: Secret::new(api_key?),
            base_url: base_url.trim_end_matches('/').to_string(),
            model,
            timeout: Duration::from_secs(timeout),
            attempts,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::env;

    #[test]
    fn no_key_is_offline_and_defaults_apply() {
        let mut e = env(&[]);
        assert!(OpenAiConfig::read(&mut e).is_none());
        e.finish().unwrap();
        let mut e = env(&[("OPENAI_API_KEY", "sk-test-secret")]);
        let c = OpenAiConfig::read(&mut e).unwrap();
        e.finish().unwrap();
        assert_eq!(c.base_url, DEFAULT_BASE_URL);
        assert_eq!(c.model, DEFAULT_MODEL);
        assert_eq!(c.timeout, Duration::from_secs(20));
        assert_eq!(c.attempts, 2);
        assert!(!format!("{c:?}").contains("sk-test-secret"));
    }

    #[test]
    fn bad_values_are_named() {
        let mut e = env(&[
            ("OPENAI_API_KEY", "k"),
            ("OPENAI_TIMEOUT_SECONDS", "0"),
            ("OPENAI_ATTEMPTS", "many"),
            ("OPENAI_BASE_URL", "ftp://x"),
        ]);
        OpenAiConfig::read(&mut e);
        let err = e.finish().unwrap_err().to_string();
        assert!(err.contains("OPENAI_TIMEOUT_SECONDS"), "{err}");
        assert!(err.contains("OPENAI_ATTEMPTS"), "{err}");
        assert!(err.contains("OPENAI_BASE_URL"), "{err}");
        let mut e = env(&[("OPENAI_API_KEY", "sk-abc\u{7}def")]);
        OpenAiConfig::read(&mut e);
        let err = e.finish().unwrap_err().to_string();
        assert!(err.contains("printable ASCII"), "{err}");
        assert!(!err.contains("sk-abc"), "{err}");
    }
}
