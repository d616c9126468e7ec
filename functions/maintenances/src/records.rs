//! The caller's vehicles, maintenances and reminders, decoded from their
//! partition (one Query, read with the user by `UserPartition`).

use std::collections::HashMap;

use shared::auth::UserPartition;
use shared::domain::maintenances::Maintenance;
use shared::domain::reminders::Reminder;
use shared::domain::vehicles::Vehicle;
use shared::store::keys::entity;
use shared::Result;

pub struct Records {
    pub vehicles: HashMap<String, Vehicle>,
    pub maintenances: Vec<Maintenance>,
    pub reminders: Vec<Reminder>,
}

impl Records {
    pub fn of(partition: &UserPartition) -> Result<Self> {
        let vehicles: Vec<Vehicle> = partition.entities(entity::VEHICLE)?;
        Ok(Records {
            vehicles: vehicles.into_iter().map(|v| (v.id.clone(), v)).collect(),
            maintenances: partition.entities(entity::MAINTENANCE)?,
            reminders: partition.entities(entity::REMINDER)?,
        })
    }
}
