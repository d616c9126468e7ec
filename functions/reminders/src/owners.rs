//! The owners of the due items: profile, settings and the vehicles
//! concerned, read together before the items are processed, instead of a
//! few reads per item (`Store::owner_records`). One owner's unreadable item
//! fails that owner's entries only, never the whole run.

use std::collections::{BTreeSet, HashMap};

use shared::domain::settings::Settings;
use shared::domain::users::User;
use shared::domain::vehicles::Vehicle;
use shared::Error;

use crate::RemindersState;

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
        let read = state.store.owner_records(wanted).await?;
        Ok(Owners {
            users: read.users.into_iter().map(|u| (u.id.clone(), u)).collect(),
            unreadable: read.unreadable,
            settings: read
                .settings
                .into_iter()
                .map(|s| (s.user_id.clone(), s))
                .collect(),
            vehicles: read
                .vehicles
                .into_iter()
                .map(|v| ((v.owner_id.clone(), v.id.clone()), v))
                .collect(),
        })
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
