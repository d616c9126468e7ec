//! User settings: one item in the user's partition, created on first access.

use super::keys;
use super::{from_item, n, Entity, Expr, Store, WriteError};
use crate::domain::settings::Settings;
use crate::error::Error;

pub struct SettingsRepo<'a> {
    store: &'a Store,
}

impl Store {
    pub fn settings(&self) -> SettingsRepo<'_> {
        SettingsRepo { store: self }
    }
}

impl Entity for Settings {
    const NAME: &'static str = keys::entity::SETTINGS;
    fn key(&self) -> (String, String) {
        (keys::user_pk(&self.user_id), keys::SETTINGS_SK.to_string())
    }
}

impl SettingsRepo<'_> {
    pub async fn get(&self, user_id: &str) -> Result<Option<Settings>, Error> {
        self.store
            .get(&keys::user_pk(user_id), keys::SETTINGS_SK)
            .await?
            .map(from_item)
            .transpose()
    }

    /// The user's settings, created with the defaults when missing (two
    /// concurrent first reads create one item: the loser reads the winner's).
    pub async fn get_or_create(&self, user_id: &str) -> Result<Settings, Error> {
        if let Some(found) = self.get(user_id).await? {
            return Ok(found);
        }
        let fresh = Settings::defaults(user_id);
        match self
            .store
            .put(
                fresh.to_item()?,
                Expr::new().condition("attribute_not_exists(pk)"),
            )
            .await
        {
            Ok(()) => Ok(fresh),
            Err(WriteError::Conditions(_)) => self
                .get(user_id)
                .await?
                .ok_or_else(|| Error::internal("settings vanished after creation")),
            Err(e) => Err(e.into()),
        }
    }

    /// Replaces `before` with `after` unless changed meanwhile.
    pub async fn replace(&self, before: &Settings, after: &Settings) -> Result<(), Error> {
        match self
            .store
            .put(
                after.to_item()?,
                Expr::new()
                    .condition("attribute_exists(pk) AND version = :version")
                    .value(":version", n(before.version)),
            )
            .await
        {
            Ok(()) => Ok(()),
            Err(WriteError::Conditions(_)) => Err(Error::Conflict(
                "The settings were changed by another request; reload and retry.".into(),
            )),
            Err(e) => Err(e.into()),
        }
    }
}
