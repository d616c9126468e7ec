//! What the webhook function composes: the store, the signing secrets
//! (none: every delivery is a 503), the mailer (a failed payment is
//! mailed to its owner) and the token verifier (the staff's endpoints).

use shared::auth::TokenService;
use shared::config::stripe::StripeWebhookConfig;
use shared::config::{Env, MailConfig, StoreConfig, TokenConfig};
use shared::mail::Mailer;
use shared::state::{Aws, FunctionState};
use shared::store::Store;

#[derive(Clone, Debug)]
pub struct WebhookState {
    pub store: Store,
    pub tokens: TokenService,
    pub mailer: Mailer,
    pub webhook: StripeWebhookConfig,
}

pub struct WebhookConfigs {
    store: StoreConfig,
    tokens: TokenConfig,
    mail: MailConfig,
    webhook: StripeWebhookConfig,
}

impl FunctionState for WebhookState {
    type Config = WebhookConfigs;

    fn read(env: &mut Env) -> WebhookConfigs {
        WebhookConfigs {
            store: StoreConfig::read(env),
            tokens: TokenConfig::read(env),
            mail: MailConfig::read(env),
            webhook: StripeWebhookConfig::read(env),
        }
    }

    fn build(config: WebhookConfigs, aws: &Aws) -> Self {
        Self {
            store: aws.store(config.store),
            tokens: TokenService::new(config.tokens),
            mailer: aws.mailer(config.mail),
            webhook: config.webhook,
        }
    }

    async fn warm_up(&self) {
        self.store.warm_up().await
    }
}

shared::from_ref!(WebhookState {
    store: Store,
    tokens: TokenService,
});
