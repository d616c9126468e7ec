//! What the reminders run composes: the store and the mailer. It checks no
//! tokens, so it neither needs nor receives the signing secret.

use shared::config::{Env, MailConfig, StoreConfig};
use shared::mail::Mailer;
use shared::state::{Aws, FunctionState};
use shared::store::Store;

#[derive(Clone, Debug)]
pub struct RemindersState {
    pub store: Store,
    pub mailer: Mailer,
}

impl FunctionState for RemindersState {
    type Config = (StoreConfig, MailConfig);

    fn read(env: &mut Env) -> Self::Config {
        (StoreConfig::read(env), MailConfig::read(env))
    }

    fn build((store, mail): Self::Config, aws: &Aws) -> Self {
        Self {
            store: aws.store(store),
            mailer: aws.mailer(mail),
        }
    }

    async fn warm_up(&self) {
        self.store.warm_up().await
    }
}

// No extractor runs here; the test kit reads the store through it.
shared::from_ref!(RemindersState { store: Store });
