//! Where the AWS clients point: AWS itself, or the local emulator.

use super::Env;

#[derive(Clone, Debug, Default)]
pub struct AwsConfig {
    /// Set only against the local emulator.
    pub endpoint_url: Option<String>,
}

impl AwsConfig {
    pub fn read(env: &mut Env) -> Self {
        Self {
            endpoint_url: env.optional("AWS_ENDPOINT_URL"),
        }
    }
}
