//! What the documents function composes: the store, the token verifier,
//! the bucket (files and presigned links) and the OCR queue (analysis
//! requests). The bucket and the queue are required: without them the
//! function cannot do its job, and the start says so.

use shared::auth::TokenService;
use shared::config::{DocumentsConfig, Env, QueueConfig, StoreConfig, TokenConfig};
use shared::documents::DocumentsBucket;
use shared::jobs::{JobQueue, OcrJob};
use shared::state::{Aws, FunctionState};
use shared::store::Store;

#[derive(Clone, Debug)]
pub struct DocumentsState {
    pub store: Store,
    pub tokens: TokenService,
    pub bucket: DocumentsBucket,
    pub ocr_queue: JobQueue<OcrJob>,
}

pub struct DocumentsConfigs {
    store: StoreConfig,
    tokens: TokenConfig,
    bucket: DocumentsConfig,
    ocr_queue: QueueConfig<OcrJob>,
}

impl FunctionState for DocumentsState {
    type Config = DocumentsConfigs;

    fn read(env: &mut Env) -> DocumentsConfigs {
        DocumentsConfigs {
            store: StoreConfig::read(env),
            tokens: TokenConfig::read(env),
            bucket: DocumentsConfig::require(env),
            ocr_queue: QueueConfig::require(env),
        }
    }

    fn build(config: DocumentsConfigs, aws: &Aws) -> Self {
        Self {
            store: aws.store(config.store),
            tokens: TokenService::new(config.tokens),
            // Both were required by `read`: a start without them stops
            // before `build` with their names.
            bucket: aws
                .documents(config.bucket)
                .expect("BUCKET_NAME is required"),
            ocr_queue: aws
                .queue(config.ocr_queue)
                .expect("OCR_QUEUE_URL is required"),
        }
    }

    async fn warm_up(&self) {
        self.store.warm_up().await
    }
}

shared::from_ref!(DocumentsState {
    store: Store,
    tokens: TokenService,
});
