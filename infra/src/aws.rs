//! The SDK configuration of the local tools (bootstrap, bridge, staff,
//! benches). They run on a developer's machine or in CI, not in Lambda,
//! so they resolve region and credentials through the SDK's full default
//! chain (environment, profiles, SSO...), unlike the functions
//! (`shared::config::aws`).

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, SdkConfig};
use shared::state::SdkTimeouts;

/// Against `endpoint_url` when given (the emulator), else AWS.
pub async fn tool_sdk_config(endpoint_url: Option<&str>, timeouts: SdkTimeouts) -> SdkConfig {
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
