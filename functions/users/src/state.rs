//! What the users function composes: the store, the token service (which
//! also keys one-time codes and reset tokens), the mailer, and the
//! documents bucket and job queues its health check reports on (each only
//! when configured).

use shared::auth::TokenService;
use shared::config::{DocumentsConfig, Env, MailConfig, QueueConfig, StoreConfig, TokenConfig};
use shared::documents::DocumentsBucket;
use shared::jobs::{AiAnalysisJob, JobQueue, OcrJob};
use shared::mail::Mailer;
use shared::state::{Aws, FunctionState};
use shared::store::Store;

#[derive(Clone, Debug)]
pub struct UsersState {
    pub store: Store,
    pub tokens: TokenService,
    pub mailer: Mailer,
    pub documents: Option<DocumentsBucket>,
    pub ocr_queue: Option<JobQueue<OcrJob>>,
    pub ai_queue: Option<JobQueue<AiAnalysisJob>>,
}

/// The sections of the users function's components.
pub struct UsersConfig {
    store: StoreConfig,
    tokens: TokenConfig,
    mail: MailConfig,
    documents: DocumentsConfig,
    ocr_queue: QueueConfig<OcrJob>,
    ai_queue: QueueConfig<AiAnalysisJob>,
}

impl FunctionState for UsersState {
    type Config = UsersConfig;

    fn read(env: &mut Env) -> UsersConfig {
        UsersConfig {
            store: StoreConfig::read(env),
            tokens: TokenConfig::read(env),
            mail: MailConfig::read(env),
            documents: DocumentsConfig::read(env),
            ocr_queue: QueueConfig::read(env),
            ai_queue: QueueConfig::read(env),
        }
    }

    fn build(config: UsersConfig, aws: &Aws) -> Self {
        Self {
            store: aws.store(config.store),
            tokens: TokenService::new(config.tokens),
            mailer: aws.mailer(config.mail),
            documents: aws.documents(config.documents),
            ocr_queue: aws.queue(config.ocr_queue),
            ai_queue: aws.queue(config.ai_queue),
        }
    }

    async fn warm_up(&self) {
        self.store.warm_up().await
    }
}

shared::from_ref!(UsersState {
    store: Store,
    tokens: TokenService,
});
