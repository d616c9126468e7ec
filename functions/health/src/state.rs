//! What the health function composes: the store, the token verifier (a
//! public route still refuses a bad token), and the documents bucket and
//! job queues it reports on, each only when configured.

use shared::auth::TokenService;
use shared::config::{DocumentsConfig, Env, QueueConfig, StoreConfig, TokenConfig};
use shared::documents::DocumentsBucket;
use shared::jobs::{AiAnalysisJob, JobQueue, OcrJob};
use shared::state::{Aws, FunctionState};
use shared::store::Store;

#[derive(Clone, Debug)]
pub struct HealthState {
    pub store: Store,
    pub tokens: TokenService,
    pub documents: Option<DocumentsBucket>,
    pub ocr_queue: Option<JobQueue<OcrJob>>,
    pub ai_queue: Option<JobQueue<AiAnalysisJob>>,
}

/// The sections of the health function's components.
pub struct HealthConfig {
    store: StoreConfig,
    tokens: TokenConfig,
    documents: DocumentsConfig,
    ocr_queue: QueueConfig<OcrJob>,
    ai_queue: QueueConfig<AiAnalysisJob>,
}

impl FunctionState for HealthState {
    type Config = HealthConfig;

    fn read(env: &mut Env) -> HealthConfig {
        HealthConfig {
            store: StoreConfig::read(env),
            tokens: TokenConfig::read(env),
            documents: DocumentsConfig::read(env),
            ocr_queue: QueueConfig::read(env),
            ai_queue: QueueConfig::read(env),
        }
    }

    fn build(config: HealthConfig, aws: &Aws) -> Self {
        Self {
            store: aws.store(config.store),
            tokens: TokenService::new(config.tokens),
            documents: aws.documents(config.documents),
            ocr_queue: aws.queue(config.ocr_queue),
            ai_queue: aws.queue(config.ai_queue),
        }
    }

    async fn warm_up(&self) {
        self.store.warm_up().await
    }
}

shared::from_ref!(HealthState {
    store: Store,
    tokens: TokenService,
});
