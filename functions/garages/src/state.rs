//! What the garages function composes: the store and the token verifier
//! (it signs no mail and touches no bucket or queue).

use shared::auth::TokenService;
use shared::config::{Env, StoreConfig, TokenConfig};
use shared::state::{Aws, FunctionState};
use shared::store::Store;

#[derive(Clone, Debug)]
pub struct GaragesState {
    pub store: Store,
    pub tokens: TokenService,
}

impl FunctionState for GaragesState {
    type Config = (StoreConfig, TokenConfig);

    fn read(env: &mut Env) -> Self::Config {
        (StoreConfig::read(env), TokenConfig::read(env))
    }

    fn build((store, tokens): Self::Config, aws: &Aws) -> Self {
        Self {
            store: aws.store(store),
            tokens: TokenService::new(tokens),
        }
    }

    async fn warm_up(&self) {
        self.store.warm_up().await
    }
}

shared::from_ref!(GaragesState {
    store: Store,
    tokens: TokenService,
});
