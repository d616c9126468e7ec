//! What the worker composes: the store and, when a key is configured, the
//! model client (built once per cold start).

use std::sync::Arc;

use shared::ai::OpenAi;
use shared::config::{Env, OpenAiConfig, StoreConfig};
use shared::state::{Aws, FunctionState};
use shared::store::Store;

#[derive(Clone, Debug)]
pub struct AiState {
    pub store: Store,
    /// `None`: every analysis is the offline one.
    pub model: Option<Arc<OpenAi>>,
}

pub struct AiConfigs {
    store: StoreConfig,
    openai: Option<OpenAiConfig>,
}

impl FunctionState for AiState {
    type Config = AiConfigs;

    fn read(env: &mut Env) -> AiConfigs {
        AiConfigs {
            store: StoreConfig::read(env),
            openai: OpenAiConfig::read(env),
        }
    }

    fn build(config: AiConfigs, aws: &Aws) -> Self {
        Self {
            store: aws.store(config.store),
            model: config.openai.as_ref().map(|c| Arc::new(OpenAi::new(c))),
        }
    }

    async fn warm_up(&self) {
        self.store.warm_up().await;
        // The code table is decoded here rather than in the first job.
        shared::domain::dtc::CodeTable::embedded();
    }
}

shared::from_ref!(AiState { store: Store });
