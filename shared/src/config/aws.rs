//! Where the AWS clients point and who they are, from the variables Lambda
//! itself sets in every function: the region and the execution role's
//! credentials. Reading them directly, rather than through the SDK's
//! default provider chain (profile files, SSO, web identity, the instance
//! metadata service), keeps those providers and the STS client they embed
//! out of every binary: about a megabyte and a shorter cold start. Tools
//! run on a developer's machine use the full chain instead (`infra`).

use super::{Env, Secret};

/// The region and credentials Lambda provides, and the local emulator's
/// endpoint when one is set.
#[derive(Clone, Debug)]
pub struct AwsConfig {
    /// Set only against the local emulator.
    pub endpoint_url: Option<String>,
    pub region: String,
    pub credentials: AwsCredentials,
}

/// The execution role's temporary credentials (Lambda keeps them valid for
/// the life of the execution environment), or the emulator's fixed ones.
#[derive(Clone, Debug)]
pub struct AwsCredentials {
    pub access_key_id: String,
    pub secret_access_key: Secret,
    /// Absent for long-term keys (the emulator's).
    pub session_token: Option<Secret>,
}

/// Variables Lambda sets in every function; a template may not set them.
pub const LAMBDA_SETS: &[&str] = &[
    "AWS_REGION",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
];

impl AwsConfig {
    pub fn read(env: &mut Env) -> Self {
        let endpoint_url = env.optional("AWS_ENDPOINT_URL");
        let region = env.required("AWS_REGION", "the region, set by Lambda");
        let access_key_id = env.required(
            "AWS_ACCESS_KEY_ID",
            "the execution role's credentials, set by Lambda",
        );
        let secret_access_key = env.required(
            "AWS_SECRET_ACCESS_KEY",
            "the execution role's credentials, set by Lambda",
        );
        let session_token = env.optional("AWS_SESSION_TOKEN");
        Self {
            endpoint_url,
            region: region.unwrap_or_default(),
            credentials: AwsCredentials {
                access_key_id: access_key_id.unwrap_or_default(),
                secret_access_key: Secret::new(secret_access_key.unwrap_or_default()),
                session_token: session_token.map(Secret::new),
            },
        }
    }

    /// The same region and credentials, pointing at `endpoint_url`.
    pub fn at(&self, endpoint_url: impl Into<String>) -> Self {
        Self {
            endpoint_url: Some(endpoint_url.into()),
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::env;

    #[test]
    fn reads_region_and_credentials_and_hides_the_secrets() {
        let mut e = env(&[
            ("AWS_REGION", "eu-west-3"),
            ("AWS_ACCESS_KEY_ID", "ASIAEXAMPLE"),
            ("AWS_SECRET_ACCESS_KEY", "very-secret-key"),
            ("AWS_SESSION_TOKEN", "very-secret-token"),
        ]);
        let config = AwsConfig::read(&mut e);
        assert!(e.finish().is_ok());
        assert_eq!(config.region, "eu-west-3");
        assert_eq!(config.endpoint_url, None);
        assert_eq!(config.credentials.access_key_id, "ASIAEXAMPLE");
        assert_eq!(
            config
                .credentials
                .session_token
                .as_ref()
                .map(Secret::expose),
            Some("very-secret-token")
        );
        let printed = format!("{config:?}");
        assert!(!printed.contains("very-secret"), "{printed}");
    }

    #[test]
    fn names_every_missing_platform_variable() {
        let mut e = env(&[("AWS_ENDPOINT_URL", "http://127.0.0.1:5000")]);
        let config = AwsConfig::read(&mut e);
        assert_eq!(
            config.endpoint_url.as_deref(),
            Some("http://127.0.0.1:5000")
        );
        let problems = e.finish().unwrap_err().problems;
        assert_eq!(problems.len(), 3, "{problems:?}");
        for name in ["AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] {
            assert!(problems.iter().any(|p| p.starts_with(name)), "{problems:?}");
        }
    }

    #[test]
    fn a_session_token_is_optional() {
        let mut e = env(&[
            ("AWS_REGION", "eu-west-1"),
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
        ]);
        let config = AwsConfig::read(&mut e);
        assert!(e.finish().is_ok());
        assert!(config.credentials.session_token.is_none());
    }
}
