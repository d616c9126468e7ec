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
    /// Called once per cold start: the DynamoDB connection (DNS, TCP, TLS)
    /// is opened here, during init, rather than on the first request.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let config = Config::from_env()?;
        let state = Self::build(config).await;
        state.store.warm_up().await;
        Ok(state)
    }

    /// Builds the clients with the timeouts of where they point: the
    /// request budget against AWS, a patient one against the local emulator.
    pub async fn build(config: Config) -> Self {
        let timeouts = SdkTimeouts::for_endpoint(config.aws_endpoint_url.as_deref());
        Self::build_with_timeouts(config, timeouts).await
    }

    pub async fn build_with_timeouts(config: Config, timeouts: SdkTimeouts) -> Self {
        let sdk = sdk_config(config.aws_endpoint_url.as_deref(), timeouts).await;
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

/// How long the SDK waits and how often it tries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SdkTimeouts {
    pub connect: Duration,
    pub attempt: Duration,
    pub operation: Duration,
    pub max_attempts: u32,
}

impl SdkTimeouts {
    /// Against AWS: the budget above, inside the request deadline.
    pub const REQUEST: SdkTimeouts = SdkTimeouts {
        connect: CONNECT_TIMEOUT,
        attempt: ATTEMPT_TIMEOUT,
        operation: OPERATION_TIMEOUT,
        max_attempts: MAX_ATTEMPTS,
    };

    /// Against the local emulator (`AWS_ENDPOINT_URL` set, never deployed):
    /// moto answers in seconds, not milliseconds, once a parallel test suite
    /// or a bench loads it, so calls wait longer; the request deadline still
    /// bounds every request.
    pub const EMULATOR: SdkTimeouts = SdkTimeouts {
        connect: Duration::from_secs(5),
        attempt: Duration::from_secs(30),
        operation: Duration::from_secs(60),
        max_attempts: 3,
    };

    pub fn for_endpoint(endpoint_url: Option<&str>) -> SdkTimeouts {
        if endpoint_url.is_some() {
            SdkTimeouts::EMULATOR
        } else {
            SdkTimeouts::REQUEST
        }
    }
}

pub async fn sdk_config(endpoint_url: Option<&str>, timeouts: SdkTimeouts) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(timeouts.connect)
                .operation_attempt_timeout(timeouts.attempt)
                .operation_timeout(timeouts.operation)
                .build(),
        )
        .retry_config(RetryConfig::standard().with_max_attempts(timeouts.max_attempts));
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
