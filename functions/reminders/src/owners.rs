//! The owners of the due items: profile, settings and the vehicles
//! concerned, read with BatchGetItem (100 keys a call) before the items are
//! processed, instead of a few reads per item.

use std::collections::{BTreeSet, HashMap};

use shared::domain::settings::Settings;
use shared::domain::users::User;
use shared::domain::vehicles::Vehicle;
use shared::store::{from_item, keys};
use shared::{AppState, Error};

const BATCH_GET_MAX: usize = 100;

pub struct Owners {
    users: HashMap<String, User>,
    settings: HashMap<String, Settings>,
    vehicles: HashMap<(String, String), Vehicle>,
}

impl Owners {
    /// `wanted`: (owner id, vehicle id) of every due item.
    pub async fn load(state: &AppState, wanted: &[(&str, &str)]) -> Result<Self, Error> {
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
                match kind.as_str() {
                    keys::entity::USER => {
                        let user: User = from_item(item)?;
                        owners.users.insert(user.id.clone(), user);
                    }
                    keys::entity::SETTINGS => {
                        let s: Settings = from_item(item)?;
                        owners.settings.insert(s.user_id.clone(), s);
                    }
                    keys::entity::VEHICLE => {
                        let v: Vehicle = from_item(item)?;
                        owners
                            .vehicles
                            .insert((v.owner_id.clone(), v.id.clone()), v);
                    }
                    _ => {}
                }
            }
        }
        Ok(owners)
    }

    pub fn user(&self, owner_id: &str) -> Option<&User> {
        self.users.get(owner_id)
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
