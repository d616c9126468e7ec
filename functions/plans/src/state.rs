//! What the plans function composes: the store and the token verifier
//! (reads are public, but a token that is sent is checked, and staff see
//! inactive plans).

use shared::auth::TokenService;
use shared::config::{Env, StoreConfig, TokenConfig};
use shared::state::{Aws, FunctionState};
use shared::store::Store;

#[derive(Clone, Debug)]
pub struct PlansState {
    pub store: Store,
    pub tokens: TokenService,
}

pub struct PlansConfigs {
    store: StoreConfig,
    tokens: TokenConfig,
}

impl FunctionState for PlansState {
    type Config = PlansConfigs;

    fn read(env: &mut Env) -> PlansConfigs {
        PlansConfigs {
            store: StoreConfig::read(env),
            tokens: TokenConfig::read(env),
        }
    }

    fn build(config: PlansConfigs, aws: &Aws) -> Self {
        Self {
            store: aws.store(config.store),
            tokens: TokenService::new(config.tokens),
        }
    }

    async fn warm_up(&self) {
        self.store.warm_up().await
    }
}

shared::from_ref!(PlansState {
    store: Store,
    tokens: TokenService,
});
