//! The caller's fleet: the vehicles, maintenances and reminders of their
//! partition, each collection read by a Query on its sort-key prefix (all at
//! the same time) and decoded here, so no handler sees an item.

use super::{keys, Mixed, Store};
use crate::domain::maintenances::Maintenance;
use crate::domain::reminders::Reminder;
use crate::domain::vehicles::Vehicle;
use crate::error::Error;

/// Which collections of the partition to read; the others stay empty.
#[derive(Clone, Copy, Debug, Default)]
pub struct FleetParts {
    pub vehicles: bool,
    pub maintenances: bool,
    pub reminders: bool,
}

/// The collections of one user's partition that a request asked for.
#[derive(Clone, Debug, Default)]
pub struct Fleet {
    pub vehicles: Vec<Vehicle>,
    pub maintenances: Vec<Maintenance>,
    pub reminders: Vec<Reminder>,
}

impl Fleet {
    pub fn vehicle(&self, id: &str) -> Option<&Vehicle> {
        self.vehicles.iter().find(|v| v.id == id)
    }

    /// The maintenances of one vehicle (its odometer history).
    pub fn maintenances_of(&self, vehicle_id: &str) -> Vec<Maintenance> {
        self.maintenances
            .iter()
            .filter(|m| m.vehicle_id == vehicle_id)
            .cloned()
            .collect()
    }

    /// The reminders of one vehicle.
    pub fn reminders_of(&self, vehicle_id: &str) -> Vec<Reminder> {
        self.reminders
            .iter()
            .filter(|r| r.vehicle_id == vehicle_id)
            .cloned()
            .collect()
    }
}

impl Store {
    /// The `parts` of `owner_id`'s fleet: one Query per part, concurrently.
    pub async fn fleet(&self, owner_id: &str, parts: FleetParts) -> Result<Fleet, Error> {
        let pk = keys::user_pk(owner_id);
        let collection = |wanted: bool, prefix: &'static str| {
            let pk = pk.clone();
            async move {
                if !wanted {
                    return Ok(Vec::new());
                }
                self.query_prefix(&pk, prefix).await
            }
        };
        let (vehicles, maintenances, reminders) = tokio::try_join!(
            collection(parts.vehicles, keys::VEHICLE_PREFIX),
            collection(parts.maintenances, keys::MAINTENANCE_PREFIX),
            collection(parts.reminders, keys::REMINDER_PREFIX),
        )?;
        let mut read = Mixed::of(vehicles.into_iter().chain(maintenances).chain(reminders));
        Ok(Fleet {
            vehicles: read.all()?,
            maintenances: read.all()?,
            reminders: read.all()?,
        })
    }
}
