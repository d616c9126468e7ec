//! What a function builds once per cold start and shares across requests.
//!
//! A function's state is a struct of its own (`VehiclesState { store,
//! tokens }`) that composes only the components it uses; it implements
//! [`FunctionState`] (which sections it reads, how it builds them from the
//! one [`Aws`] configuration) and provides each component to extractors with
//! [`from_ref!`](crate::from_ref).

use std::future::Future;
use std::sync::OnceLock;
use std::time::Duration;

use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;
use aws_smithy_runtime_api::client::behavior_version::BehaviorVersion;
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;
use aws_types::region::Region;
pub use aws_types::SdkConfig;

pub use axum::extract::FromRef;

use crate::config::{
    AwsConfig, ConfigError, DocumentsConfig, Env, MailConfig, Need, QueueConfig, StoreConfig,
};
use crate::documents::DocumentsBucket;
use crate::jobs::{Job, JobQueue};
use crate::mail::Mailer;
use crate::store::{client, Store};

/// A function's state: the components it composes.
pub trait FunctionState: Clone + Send + Sync + 'static {
    /// The configuration sections of its components.
    type Config;

    /// Reads each section from `env`, which collects every problem.
    fn read(env: &mut Env) -> Self::Config;

    /// Builds the components, once per cold start.
    fn build(config: Self::Config, aws: &Aws) -> Self;

    /// Opens connections during init rather than on the first request
    /// (a function with a store opens its DynamoDB connection here).
    fn warm_up(&self) -> impl Future<Output = ()> + Send {
        async {}
    }
}

/// The cold start of a function: its sections read and validated (every
/// problem named at once), its components built, its connections opened.
pub async fn from_env<S: FunctionState>() -> Result<S, ConfigError> {
    start(Env::process()).await
}

/// The cold start with the variables of `env`.
pub async fn start<S: FunctionState>(mut env: Env<'_>) -> Result<S, ConfigError> {
    let aws = AwsConfig::read(&mut env);
    let config = S::read(&mut env);
    env.finish()?;
    let state = S::build(config, &Aws::connect(&aws));
    state.warm_up().await;
    Ok(state)
}

/// The environment variables a function reads (the template test checks
/// them against what `template.yaml` gives each function).
pub fn variables<S: FunctionState>() -> Vec<(&'static str, Need)> {
    let mut env = Env::from_lookup(|_| None);
    S::read(&mut env);
    env.variables().to_vec()
}

/// Implements `FromRef` for components of a state, so extractors can ask
/// for exactly the component they use:
/// `shared::from_ref!(VehiclesState { store: Store, tokens: TokenService });`
#[macro_export]
macro_rules! from_ref {
    ($state:ty { $($field:ident: $component:ty),+ $(,)? }) => {
        $(
            impl $crate::state::FromRef<$state> for $component {
                fn from_ref(state: &$state) -> Self {
                    state.$field.clone()
                }
            }
        )+
    };
}

/// The one SDK configuration every AWS component of a cold start is built
/// from, and where it points.
#[derive(Clone, Debug)]
pub struct Aws {
    sdk: SdkConfig,
    emulated: bool,
    /// Mail may go through another endpoint (the tests' own mail emulator).
    mail_sdk: Option<SdkConfig>,
    sqs: OnceLock<aws_sdk_sqs::Client>,
}

impl Aws {
    /// The timeouts of where it points: the request budget against AWS, a
    /// patient one against the local emulator.
    pub fn connect(config: &AwsConfig) -> Self {
        let endpoint = config.endpoint_url.as_deref();
        Self::with_timeouts(config, SdkTimeouts::for_endpoint(endpoint))
    }

    pub fn with_timeouts(config: &AwsConfig, timeouts: SdkTimeouts) -> Self {
        Self::from_sdk(sdk_config(config, timeouts), config.endpoint_url.is_some())
    }

    /// An SDK configuration made elsewhere; `emulated` when it points at
    /// the local emulator.
    pub fn from_sdk(sdk: SdkConfig, emulated: bool) -> Self {
        Self {
            sdk,
            emulated,
            mail_sdk: None,
            sqs: OnceLock::new(),
        }
    }

    /// Mail through `sdk` instead.
    pub fn with_mail_sdk(mut self, sdk: SdkConfig) -> Self {
        self.mail_sdk = Some(sdk);
        self
    }

    pub fn sdk(&self) -> &SdkConfig {
        &self.sdk
    }

    pub fn store(&self, config: StoreConfig) -> Store {
        let (dynamodb, calls) = client::dynamodb(&self.sdk);
        Store::new(dynamodb, config.table_name, calls)
    }

    pub fn mailer(&self, config: MailConfig) -> Mailer {
        let sdk = self.mail_sdk.as_ref().unwrap_or(&self.sdk);
        Mailer::new(aws_sdk_sesv2::Client::new(sdk), config)
    }

    /// The bucket, when the section names one.
    pub fn documents(&self, config: DocumentsConfig) -> Option<DocumentsBucket> {
        let name = config.bucket_name?;
        let s3 = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&self.sdk)
                // The emulator serves buckets by path, not by virtual host.
                .force_path_style(self.emulated)
                // Checksums only where S3 requires them: a presigned PUT
                // signed with the SDK's default (a CRC32 of a body the
                // signer never sees) is refused when the client uploads.
                .request_checksum_calculation(
                    aws_sdk_s3::config::RequestChecksumCalculation::WhenRequired,
                )
                .response_checksum_validation(
                    aws_sdk_s3::config::ResponseChecksumValidation::WhenRequired,
                )
                .build(),
        );
        Some(DocumentsBucket::new(s3, name))
    }

    /// The queue of `T`, when the section names one. Queues share one SQS
    /// client (one connection pool).
    pub fn queue<T: Job>(&self, config: QueueConfig<T>) -> Option<JobQueue<T>> {
        let url = config.url?;
        let sqs = self.sqs.get_or_init(|| aws_sdk_sqs::Client::new(&self.sdk));
        Some(JobQueue::new(sqs.clone(), url))
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

/// The SDK configuration of a function: `config`'s region, credentials and
/// endpoint, the `timeouts`. The HTTP client (hyper 1, rustls on aws-lc),
/// the sleep and the clock are the SDK's defaults for the Tokio runtime.
pub fn sdk_config(config: &AwsConfig, timeouts: SdkTimeouts) -> SdkConfig {
    let credentials = &config.credentials;
    let credentials = Credentials::new(
        &credentials.access_key_id,
        credentials.secret_access_key.expose(),
        credentials
            .session_token
            .as_ref()
            .map(|token| token.expose().to_string()),
        None,
        "lambda-environment",
    );
    let mut builder = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(config.region.clone()))
        .credentials_provider(SharedCredentialsProvider::new(credentials))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(timeouts.connect)
                .operation_attempt_timeout(timeouts.attempt)
                .operation_timeout(timeouts.operation)
                .build(),
        )
        .retry_config(RetryConfig::standard().with_max_attempts(timeouts.max_attempts));
    if let Some(url) = &config.endpoint_url {
        builder = builder.endpoint_url(url);
    }
    builder.build()
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
