//! The caller's vehicles, maintenances and reminders, decoded from the
//! collections of their partition a handler asked for (read with the user by
//! `UserData`; a collection not asked for is empty).

use std::collections::HashMap;

use shared::auth::collections::{MAINTENANCES, REMINDERS, VEHICLES};
use shared::auth::UserData;
use shared::domain::maintenances::Maintenance;
use shared::domain::reminders::Reminder;
use shared::domain::vehicles::Vehicle;
use shared::Result;

/// Writes that follow a vehicle's odometer history need all three.
pub type Everything = UserData<{ VEHICLES | MAINTENANCES | REMINDERS }>;
/// Maintenance views: the records and their vehicles.
pub type Logbook = UserData<{ VEHICLES | MAINTENANCES }>;
/// Figures over the records alone.
pub type History = UserData<MAINTENANCES>;
/// Reminder views: the reminders and their vehicles.
pub type Agenda = UserData<{ VEHICLES | REMINDERS }>;

pub struct Records {
    pub vehicles: HashMap<String, Vehicle>,
    pub maintenances: Vec<Maintenance>,
    pub reminders: Vec<Reminder>,
}

impl Records {
    pub fn of<const C: u8>(data: &UserData<C>) -> Result<Self> {
        let fleet = data.fleet.clone();
        Ok(Records {
            vehicles: fleet
                .vehicles
                .into_iter()
                .map(|v| (v.id.clone(), v))
                .collect(),
            maintenances: fleet.maintenances,
            reminders: fleet.reminders,
        })
    }
}
