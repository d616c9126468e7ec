//! What the users function composes: the store, the token service (which
//! also keys one-time codes and reset tokens) and the mailer.

use shared::auth::TokenService;
use shared::config::{Env, MailConfig, StoreConfig, TokenConfig};
use shared::mail::Mailer;
use shared::state::{Aws, FunctionState};
use shared::store::Store;

#[derive(Clone, Debug)]
pub struct UsersState {
    pub store: Store,
    pub tokens: TokenService,
    pub mailer: Mailer,
}

/// The sections of the users function's components.
pub struct UsersConfig {
    store: StoreConfig,
    tokens: TokenConfig,
    mail: MailConfig,
}

impl FunctionState for UsersState {
    type Config = UsersConfig;

    fn read(env: &mut Env) -> UsersConfig {
        UsersConfig {
            store: StoreConfig::read(env),
            tokens: TokenConfig::read(env),
            mail: MailConfig::read(env),
        }
    }

    fn build(config: UsersConfig, aws: &Aws) -> Self {
        Self {
            store: aws.store(config.store),
            tokens: TokenService::new(config.tokens),
            mailer: aws.mailer(config.mail),
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
