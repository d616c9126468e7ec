//! User settings: one item in the user's partition, created on first access.

use super::keys;
use super::{from_item, n, s, to_item, Expr, Item, Store, WriteError};
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

fn settings_item(settings: &Settings) -> Result<Item, Error> {
    let mut item = to_item(settings)?;
    item.insert(keys::PK.into(), s(keys::user_pk(&settings.user_id)));
    item.insert(keys::SK.into(), s(keys::SETTINGS_SK));
    item.insert(keys::ENTITY.into(), s(keys::entity::SETTINGS));
    Ok(item)
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
                settings_item(&fresh)?,
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
                settings_item(after)?,
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
