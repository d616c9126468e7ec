//! What the assistant composes: the store, the token verifier and, when a
//! key is configured, the model client (built once per cold start);
//! without it every answer is the offline assistant's.

use std::sync::Arc;

use shared::ai::OpenAi;
use shared::auth::TokenService;
use shared::config::{Env, OpenAiConfig, StoreConfig, TokenConfig};
use shared::state::{Aws, FunctionState};
use shared::store::Store;

#[derive(Clone, Debug)]
pub struct AssistantState {
    pub store: Store,
    pub tokens: TokenService,
    /// `None`: the offline assistant answers.
    pub model: Option<Arc<OpenAi>>,
}

pub struct AssistantConfigs {
    store: StoreConfig,
    tokens: TokenConfig,
    openai: Option<OpenAiConfig>,
}

impl FunctionState for AssistantState {
    type Config = AssistantConfigs;

    fn read(env: &mut Env) -> AssistantConfigs {
        AssistantConfigs {
            store: StoreConfig::read(env),
            tokens: TokenConfig::read(env),
            openai: OpenAiConfig::read(env),
        }
    }

    fn build(config: AssistantConfigs, aws: &Aws) -> Self {
        Self {
            store: aws.store(config.store),
            tokens: TokenService::new(config.tokens),
            model: config.openai.as_ref().map(|c| Arc::new(OpenAi::new(c))),
        }
    }

    async fn warm_up(&self) {
        self.store.warm_up().await;
        // The fault-code table is decoded here rather than in a request.
        shared::domain::dtc::CodeTable::embedded();
    }
}

shared::from_ref!(AssistantState {
    store: Store,
    tokens: TokenService,
});
