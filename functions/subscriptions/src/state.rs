//! What the subscriptions function composes: the store, the token
//! verifier, and how it sells (`provider::Provider`): Stripe with a key,
//! the local checkout simulator when `STRIPE_SIMULATOR` says so
//! explicitly, else nothing (a create answers 503, never a free plan).

use std::sync::Arc;

use shared::auth::TokenService;
use shared::config::stripe::StripeWebhookConfig;
use shared::config::{Env, StoreConfig, StripeApiConfig, TokenConfig};
use shared::state::{Aws, FunctionState};
use shared::store::Store;
use shared::stripe::client::StripeClient;

use crate::provider::{Provider, Simulator};

#[derive(Clone, Debug)]
pub struct SubscriptionsState {
    pub store: Store,
    pub tokens: TokenService,
    pub provider: Provider,
    /// The web app, where Checkout and the portal send the customer back.
    pub frontend_url: Arc<str>,
}

pub struct SubscriptionsConfigs {
    store: StoreConfig,
    tokens: TokenConfig,
    stripe: Option<StripeApiConfig>,
    simulator: bool,
    webhook: StripeWebhookConfig,
    frontend_url: String,
}

impl FunctionState for SubscriptionsState {
    type Config = SubscriptionsConfigs;

    fn read(env: &mut Env) -> SubscriptionsConfigs {
        let stripe = StripeApiConfig::read(env);
        let simulator = match env.optional("STRIPE_SIMULATOR").as_deref() {
            None | Some("0") | Some("false") => false,
            Some("1") | Some("true") => true,
            Some(other) => {
                env.problem(format!("STRIPE_SIMULATOR must be 1 or 0, got {other:?}"));
                false
            }
        };
        if simulator && stripe.is_some() {
            env.problem(
                "STRIPE_SIMULATOR and STRIPE_SECRET_KEY are both set: choose one".to_string(),
            );
        }
        let frontend_url = env
            .required("FRONTEND_URL", "base URL of the web app")
            .unwrap_or_default();
        SubscriptionsConfigs {
            store: StoreConfig::read(env),
            tokens: TokenConfig::read(env),
            stripe,
            simulator,
            webhook: StripeWebhookConfig::read(env),
            frontend_url,
        }
    }

    fn build(config: SubscriptionsConfigs, aws: &Aws) -> Self {
        let provider = match (config.stripe, config.simulator) {
            (Some(stripe), _) => Provider::Stripe(Arc::new(StripeClient::new(&stripe))),
            (None, true) => Provider::Simulator(Simulator::new(&config.webhook)),
            (None, false) => Provider::Off,
        };
        Self {
            store: aws.store(config.store),
            tokens: TokenService::new(config.tokens),
            provider,
            frontend_url: config.frontend_url.trim_end_matches('/').into(),
        }
    }

    async fn warm_up(&self) {
        self.store.warm_up().await
    }
}

shared::from_ref!(SubscriptionsState {
    store: Store,
    tokens: TokenService,
});
