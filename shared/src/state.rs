//! What a function builds once per cold start and shares across requests:
//! configuration, AWS clients, the store, the token service, the mailer.

use std::sync::Arc;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, SdkConfig};

use crate::auth::TokenService;
use crate::config::{Config, ConfigError};
use crate::mail::Mailer;
use crate::store::{client, Store};

#[derive(Clone, Debug)]
pub struct AppState {
    pub config: Arc<Config>,
    pub store: Store,
    pub tokens: TokenService,
    pub mailer: Mailer,
    pub s3: aws_sdk_s3::Client,
    pub sqs: aws_sdk_sqs::Client,
}

impl AppState {
    /// Reads and validates the environment, then builds every client.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let config = Config::from_env()?;
        Ok(Self::build(config).await)
    }

    pub async fn build(config: Config) -> Self {
        let sdk = sdk_config(config.aws_endpoint_url.as_deref()).await;
        Self::with_sdk(config, &sdk)
    }

    pub fn with_sdk(config: Config, sdk: &SdkConfig) -> Self {
        let (dynamodb, calls) = client::dynamodb(sdk);
        let s3 = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(sdk)
                // The emulator serves buckets by path, not by virtual host.
                .force_path_style(config.aws_endpoint_url.is_some())
                .build(),
        );
        Self {
            store: Store::new(dynamodb, config.table_name.clone(), calls),
            tokens: TokenService::new(&config),
            mailer: Mailer::new(aws_sdk_sesv2::Client::new(sdk), config.mail_from.clone()),
            s3,
            sqs: aws_sdk_sqs::Client::new(sdk),
            config: Arc::new(config),
        }
    }
}

/// The shared SDK configuration, sized to the request deadline
/// (`http::app::REQUEST_DEADLINE`, 10 s, itself under the 15 s Lambda
/// timeout). The budget of one call:
/// - connect: 1.5 s (a cold TLS handshake at 256 MB takes most of a second);
/// - one attempt, connect included: 2 s (DynamoDB answers in milliseconds);
/// - two attempts at most (one retry for throttling or a dropped
///   connection), the whole operation capped at 3 s.
///
/// A request makes one to three sequential calls (authenticate, read,
/// transaction), 9 s at worst: a dependency that hangs gives our 503 JSON
/// before the deadline, which catches whatever longer chain remains.
pub const CONNECT_TIMEOUT: Duration = Duration::from_millis(1_500);
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(2);
pub const OPERATION_TIMEOUT: Duration = Duration::from_secs(3);
pub const MAX_ATTEMPTS: u32 = 2;

pub async fn sdk_config(endpoint_url: Option<&str>) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(CONNECT_TIMEOUT)
                .operation_attempt_timeout(ATTEMPT_TIMEOUT)
                .operation_timeout(OPERATION_TIMEOUT)
                .build(),
        )
        .retry_config(RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS));
    if let Some(url) = endpoint_url {
        loader = loader.endpoint_url(url);
    }
    loader.load().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_sequential_calls_fit_inside_the_request_deadline() {
        assert!(ATTEMPT_TIMEOUT * MAX_ATTEMPTS >= OPERATION_TIMEOUT);
        assert!(CONNECT_TIMEOUT < ATTEMPT_TIMEOUT);
        assert!(OPERATION_TIMEOUT * 3 < crate::http::app::REQUEST_DEADLINE);
        assert!(crate::http::app::REQUEST_DEADLINE < Duration::from_secs(15));
    }
}
