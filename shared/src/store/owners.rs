//! The owners of items the reminders run found due: profile, settings and
//! the vehicles concerned, read with BatchGetItem (100 keys a call) and
//! decoded one by one, so that one owner's unreadable item fails only that
//! owner's entries.

use std::collections::BTreeSet;

use super::{keys, Mixed, Store};
use crate::domain::settings::Settings;
use crate::domain::users::User;
use crate::domain::vehicles::Vehicle;
use crate::error::Error;

const BATCH_GET_MAX: usize = 100;

/// What was read of the owners; missing items are simply absent.
#[derive(Debug, Default)]
pub struct OwnerRecords {
    pub users: Vec<User>,
    /// Owners whose profile exists but cannot be decoded.
    pub unreadable: BTreeSet<String>,
    /// Unreadable settings and vehicles are left out (logged): the
    /// defaults stand in for them.
    pub settings: Vec<Settings>,
    pub vehicles: Vec<Vehicle>,
}

impl Store {
    /// `wanted`: (owner id, vehicle id) pairs.
    pub async fn owner_records(&self, wanted: &[(&str, &str)]) -> Result<OwnerRecords, Error> {
        let owner_ids: BTreeSet<&str> = wanted.iter().map(|(o, _)| *o).collect();
        let vehicle_ids: BTreeSet<(&str, &str)> = wanted.iter().copied().collect();
        let mut wanted_keys: Vec<(String, String)> = Vec::new();
        for owner in &owner_ids {
            wanted_keys.push((keys::user_pk(owner), keys::USER_PROFILE_SK.to_string()));
            wanted_keys.push((keys::user_pk(owner), keys::SETTINGS_SK.to_string()));
        }
        for (owner, vehicle) in &vehicle_ids {
            wanted_keys.push((keys::user_pk(owner), keys::vehicle_sk(vehicle)));
        }
        let mut found = Vec::new();
        for chunk in wanted_keys.chunks(BATCH_GET_MAX) {
            found.extend(self.get_many(chunk).await?.into_iter().flatten());
        }
        let mut read = Mixed::of(found);
        let mut records = OwnerRecords::default();
        for (pk, user) in read.each::<User>() {
            match user {
                Ok(user) => records.users.push(user),
                Err(e) => {
                    tracing::error!(pk = %pk, error = %e, "owner profile unreadable");
                    if let Some(owner) = owner_ids.iter().find(|o| keys::user_pk(o) == pk) {
                        records.unreadable.insert(owner.to_string());
                    }
                }
            }
        }
        for (pk, settings) in read.each::<Settings>() {
            match settings {
                Ok(s) => records.settings.push(s),
                Err(e) => tracing::warn!(pk = %pk, error = %e, "settings unreadable"),
            }
        }
        for (pk, vehicle) in read.each::<Vehicle>() {
            match vehicle {
                Ok(v) => records.vehicles.push(v),
                Err(e) => tracing::warn!(pk = %pk, error = %e, "vehicle unreadable"),
            }
        }
        Ok(records)
    }
}
