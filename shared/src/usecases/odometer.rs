//! "The odometer moved, so refresh the reminders": a vehicle edit that
//! changes the mileage, and every maintenance write (its mileage is part of
//! the vehicle's odometer history), re-project the vehicle's active
//! reminders, and the refreshed reminders go in the same transaction as the
//! change (`Write`s the caller hands to its repository).

use chrono::{DateTime, Utc};

use crate::domain::maintenances::Maintenance;
use crate::domain::odometer::{record_reading, Reading};
use crate::domain::reminders::{refresh_for_vehicle, Reminder};
use crate::domain::vehicles::Vehicle;
use crate::error::Error;
use crate::store::{Store, Write};

/// The writes refreshing `vehicle`'s reminders (among `reminders`) for the
/// odometer history `history`, the vehicle at the mileage it is left at.
pub fn refreshes(
    store: &Store,
    reminders: &[Reminder],
    vehicle: &Vehicle,
    history: &[Maintenance],
    now: DateTime<Utc>,
) -> Result<Vec<Write>, Error> {
    let refreshed = refresh_for_vehicle(reminders, vehicle, history, now);
    store.reminders().tx_refreshes(&refreshed)
}

/// A vehicle edit from `before` to `after`: a changed mileage is logged on
/// `after` and its reminders follow; nothing otherwise.
pub fn after_vehicle_edit(
    store: &Store,
    before: &Vehicle,
    after: &mut Vehicle,
    reminders: &[Reminder],
    history: &[Maintenance],
    now: DateTime<Utc>,
) -> Result<Vec<Write>, Error> {
    if after.mileage == before.mileage {
        return Ok(Vec::new());
    }
    record_reading(
        &mut after.odometer_log,
        Reading {
            at: now,
            km: after.mileage,
        },
    );
    refreshes(store, reminders, after, history, now)
}

/// A maintenance write: `changed` replaces (or, `removed`, drops) its
/// namesake in `history`; the vehicle is taken at the mileage the write
/// leaves it (a record never lowers the odometer).
pub fn after_record_change(
    store: &Store,
    reminders: &[Reminder],
    vehicle: &Vehicle,
    history: &[Maintenance],
    changed: &Maintenance,
    removed: bool,
    now: DateTime<Utc>,
) -> Result<Vec<Write>, Error> {
    let mut history: Vec<Maintenance> = history
        .iter()
        .filter(|m| m.id != changed.id)
        .cloned()
        .collect();
    let mut vehicle = vehicle.clone();
    if !removed {
        history.push(changed.clone());
        vehicle.mileage = vehicle.mileage.max(changed.mileage.unwrap_or(0));
    }
    refreshes(store, reminders, &vehicle, &history, now)
}
