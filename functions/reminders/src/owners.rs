//! The owners of the due items: profile, settings and the vehicles
//! concerned, read with BatchGetItem (100 keys a call) before the items are
//! processed, instead of a few reads per item. One owner's unreadable item
//! fails that owner's entries only, never the whole run.

use std::collections::{BTreeSet, HashMap};

use shared::domain::settings::Settings;
use shared::domain::users::User;
use shared::domain::vehicles::Vehicle;
use shared::store::{from_item, keys};
use shared::Error;

use crate::RemindersState;

const BATCH_GET_MAX: usize = 100;

pub struct Owners {
    users: HashMap<String, User>,
    /// Owners whose profile exists but cannot be decoded.
    unreadable: BTreeSet<String>,
    settings: HashMap<String, Settings>,
    vehicles: HashMap<(String, String), Vehicle>,
}

impl Owners {
    /// `wanted`: (owner id, vehicle id) of every due item.
    pub async fn load(state: &RemindersState, wanted: &[(&str, &str)]) -> Result<Self, Error> {
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
        let mut owners = Owners {
            users: HashMap::new(),
            unreadable: BTreeSet::new(),
            settings: HashMap::new(),
            vehicles: HashMap::new(),
        };
        for chunk in wanted_keys.chunks(BATCH_GET_MAX) {
            for item in state.store.get_many(chunk).await?.into_iter().flatten() {
                let kind = item
                    .get(keys::ENTITY)
                    .and_then(|v| v.as_s().ok())
                    .cloned()
                    .unwrap_or_default();
                let key = item
                    .get(keys::PK)
                    .and_then(|v| v.as_s().ok())
                    .cloned()
                    .unwrap_or_default();
                match kind.as_str() {
                    keys::entity::USER => match from_item::<User>(item) {
                        Ok(user) => {
                            owners.users.insert(user.id.clone(), user);
                        }
                        Err(e) => {
                            tracing::error!(pk = %key, error = %e, "owner profile unreadable");
                            if let Some(owner) = owner_ids.iter().find(|o| keys::user_pk(o) == key)
                            {
                                owners.unreadable.insert(owner.to_string());
                            }
                        }
                    },
                    // Settings and vehicles only shape the message: the
                    // defaults do when they cannot be read.
                    keys::entity::SETTINGS => match from_item::<Settings>(item) {
                        Ok(s) => {
                            owners.settings.insert(s.user_id.clone(), s);
                        }
                        Err(e) => tracing::warn!(pk = %key, error = %e, "settings unreadable"),
                    },
                    keys::entity::VEHICLE => match from_item::<Vehicle>(item) {
                        Ok(v) => {
                            owners
                                .vehicles
                                .insert((v.owner_id.clone(), v.id.clone()), v);
                        }
                        Err(e) => tracing::warn!(pk = %key, error = %e, "vehicle unreadable"),
                    },
                    _ => {}
                }
            }
        }
        Ok(owners)
    }

    /// The owner's profile; an error when it is missing or unreadable.
    pub fn user(&self, owner_id: &str) -> Result<&User, Error> {
        self.users
            .get(owner_id)
            .ok_or_else(|| Error::internal(format!("owner {owner_id} unreadable or gone")))
    }

    /// The owner's profile is not stored any more (the account went).
    pub fn is_gone(&self, owner_id: &str) -> bool {
        !self.users.contains_key(owner_id) && !self.unreadable.contains(owner_id)
    }

    /// Stored settings, or the defaults of a user who never opened them.
    pub fn settings(&self, owner_id: &str) -> Settings {
        self.settings
            .get(owner_id)
            .cloned()
            .unwrap_or_else(|| Settings::defaults(owner_id))
    }

    /// "Peugeot 208 (AB-123-CD)", or a neutral word if it is gone.
    pub fn vehicle_label(&self, owner_id: &str, vehicle_id: &str) -> String {
        match self
            .vehicles
            .get(&(owner_id.to_string(), vehicle_id.to_string()))
        {
            Some(v) => match &v.license_plate {
                Some(plate) if !plate.is_empty() => format!("{} {} ({plate})", v.make, v.model),
                _ => format!("{} {}", v.make, v.model),
            },
            None => "Votre véhicule".to_string(),
        }
    }
}
