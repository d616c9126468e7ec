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

/// The shared SDK configuration: short timeouts so that a dependency that is
/// down turns into a prompt 503 rather than a hung request.
pub async fn sdk_config(endpoint_url: Option<&str>) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(2))
                .operation_attempt_timeout(Duration::from_secs(5))
                .operation_timeout(Duration::from_secs(12))
                .build(),
        )
        .retry_config(RetryConfig::standard().with_max_attempts(3));
    if let Some(url) = endpoint_url {
        loader = loader.endpoint_url(url);
    }
    loader.load().await
}
