//! The Stripe API's section (issue 14): optional. Without
//! `STRIPE_SECRET_KEY` nothing is sold through Stripe (the subscriptions
//! function refuses to sell, unless its checkout simulator is switched on
//! explicitly); with it, these bound every call.

use std::time::Duration;

use super::{Env, Secret};

#[derive(Clone, Debug)]
pub struct StripeApiConfig {
    pub secret_key: Secret,
    /// `https://api.stripe.com`, or the tests' fake.
    pub base_url: String,
    /// Each request's bound (the webhook and the API answer in seconds).
    pub timeout: Duration,
}

pub const DEFAULT_BASE_URL: &str = "https://api.stripe.com";

impl StripeApiConfig {
    /// `None` without a key.
    pub fn read(env: &mut Env) -> Option<Self> {
        let key = env.optional("STRIPE_SECRET_KEY");
        let base_url = env
            .optional("STRIPE_API_BASE")
            .unwrap_or_else(|| DEFAULT_BASE_URL.into());
        if !(base_url.starts_with("https://") || base_url.starts_with("http://")) {
            env.problem(format!(
                "STRIPE_API_BASE must be an http(s) URL, got {base_url:?}"
            ));
        }
        if key
            .as_deref()
            .is_some_and(|k| !(k.starts_with("sk_") || k.starts_with("rk_")))
        {
            // Never the value: it may be a live key pasted in the wrong place.
            env.problem("STRIPE_SECRET_KEY must be a secret (sk_) or restricted (rk_) key".into());
        }
        // Within the request's 10 s deadline: a checkout for a new customer makes
        // two calls, each retried once.
        let timeout = env.bounded("STRIPE_TIMEOUT_SECONDS", 4, 1, 8);
        Some(Self {
            secret_key: Secret::new(key?),
            base_url: base_url.trim_end_matches('/').to_string(),
            timeout: Duration::from_secs(timeout),
        })
    }
}

/// The webhook's signing secrets (`STRIPE_WEBHOOK_SECRET`, comma-separated
/// during a rotation: every one is tried). None: webhooks are refused
/// (503), never accepted unchecked.
#[derive(Clone, Debug, Default)]
pub struct StripeWebhookConfig {
    secrets: Vec<Secret>,
}

impl StripeWebhookConfig {
    pub fn read(env: &mut Env) -> Self {
        let secrets: Vec<Secret> = env
            .optional("STRIPE_WEBHOOK_SECRET")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(Secret::new)
            .collect();
        if secrets.iter().any(|s| !s.expose().starts_with("whsec_")) {
            env.problem("STRIPE_WEBHOOK_SECRET must hold whsec_ secrets, comma-separated".into());
        }
        Self { secrets }
    }

    pub fn with_secrets(secrets: &[&str]) -> Self {
        Self {
            secrets: secrets.iter().map(|s| Secret::new(*s)).collect(),
        }
    }

    /// The secrets (empty: none configured).
    pub fn secrets(&self) -> Vec<&str> {
        self.secrets.iter().map(Secret::expose).collect()
    }

    pub fn is_configured(&self) -> bool {
        !self.secrets.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::env;

    #[test]
    fn no_key_is_none_and_values_are_checked() {
        let mut e = env(&[]);
        assert!(StripeApiConfig::read(&mut e).is_none());
        e.finish().unwrap();
        let mut e = env(&[("STRIPE_SECRET_KEY", "sk_test_123")]);
        let c = StripeApiConfig::read(&mut e).unwrap();
        e.finish().unwrap();
        assert_eq!(c.base_url, DEFAULT_BASE_URL);
        assert_eq!(c.timeout, Duration::from_secs(4));
        assert!(!format!("{c:?}").contains("sk_test_123"));
        let mut e = env(&[
            ("STRIPE_SECRET_KEY", "pk_live_oops"),
            ("STRIPE_TIMEOUT_SECONDS", "60"),
            ("STRIPE_API_BASE", "api.stripe.com"),
        ]);
        StripeApiConfig::read(&mut e);
        let err = e.finish().unwrap_err().to_string();
        assert!(err.contains("STRIPE_SECRET_KEY"), "{err}");
        assert!(!err.contains("pk_live_oops"), "{err}");
        assert!(err.contains("STRIPE_TIMEOUT_SECONDS"), "{err}");
        assert!(err.contains("STRIPE_API_BASE"), "{err}");
    }
}
