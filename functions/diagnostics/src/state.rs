//! What the diagnostics function composes: the store, the token verifier
//! and the AI queue (analysis requests). The queue is required: without it
//! no diagnostic would ever be analysed, and the start says so.

use shared::auth::TokenService;
use shared::config::{Env, QueueConfig, StoreConfig, TokenConfig};
use shared::jobs::{AiAnalysisJob, JobQueue};
use shared::state::{Aws, FunctionState};
use shared::store::Store;

#[derive(Clone, Debug)]
pub struct DiagnosticsState {
    pub store: Store,
    pub tokens: TokenService,
    pub ai_queue: JobQueue<AiAnalysisJob>,
}

pub struct DiagnosticsConfigs {
    store: StoreConfig,
    tokens: TokenConfig,
    ai_queue: QueueConfig<AiAnalysisJob>,
}

impl FunctionState for DiagnosticsState {
    type Config = DiagnosticsConfigs;

    fn read(env: &mut Env) -> DiagnosticsConfigs {
        DiagnosticsConfigs {
            store: StoreConfig::read(env),
            tokens: TokenConfig::read(env),
            ai_queue: QueueConfig::require(env),
        }
    }

    fn build(config: DiagnosticsConfigs, aws: &Aws) -> Self {
        Self {
            store: aws.store(config.store),
            tokens: TokenService::new(config.tokens),
            // Required by `read`: a start without it stops before `build`
            // with its name.
            ai_queue: aws
                .queue(config.ai_queue)
                .expect("AI_QUEUE_URL is required"),
        }
    }

    async fn warm_up(&self) {
        self.store.warm_up().await
    }
}

shared::from_ref!(DiagnosticsState {
    store: Store,
    tokens: TokenService,
});
