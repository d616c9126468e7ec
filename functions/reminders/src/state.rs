//! What the reminders run composes: the store, the mailer and, when set,
//! the documents bucket (the run drains the purge outbox: objects of
//! documents deleted by functions that have no S3 client). It checks no
//! tokens, so it neither needs nor receives the signing secret.

use shared::config::{DocumentsConfig, Env, MailConfig, StoreConfig};
use shared::documents::DocumentsBucket;
use shared::mail::Mailer;
use shared::state::{Aws, FunctionState};
use shared::store::Store;

#[derive(Clone, Debug)]
pub struct RemindersState {
    pub store: Store,
    pub mailer: Mailer,
    pub bucket: Option<DocumentsBucket>,
}

impl FunctionState for RemindersState {
    type Config = (StoreConfig, MailConfig, DocumentsConfig);

    fn read(env: &mut Env) -> Self::Config {
        (
            StoreConfig::read(env),
            MailConfig::read(env),
            DocumentsConfig::read(env),
        )
    }

    fn build((store, mail, bucket): Self::Config, aws: &Aws) -> Self {
        Self {
            store: aws.store(store),
            mailer: aws.mailer(mail),
            bucket: aws.documents(bucket),
        }
    }

    async fn warm_up(&self) {
        self.store.warm_up().await
    }
}

// No extractor runs here; the test kit reads the store through it.
shared::from_ref!(RemindersState { store: Store });
