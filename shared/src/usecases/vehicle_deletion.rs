//! Deleting a vehicle deletes what goes with it first, then the vehicle
//! with its VIN guard and the owner's count: a failure part way leaves the
//! vehicle, so the delete can simply be retried.

use super::{nothing, Cleanup};
use crate::domain::vehicles::Vehicle;
use crate::error::Error;
use crate::store::{Fleet, Store, Write, MAX_TRANSACTION_ITEMS};

/// An owner of data that goes with a vehicle.
pub trait VehicleDependents: Send + Sync {
    /// Writes that must commit together, before the other participants'
    /// deletes (documents: each batch's deletes with its counter move and
    /// purge marker, so a failure part way leaves every counter right).
    fn settle<'a>(
        &'a self,
        _store: &'a Store,
        _fleet: &'a Fleet,
        _vehicle: &'a Vehicle,
    ) -> Cleanup<'a> {
        nothing()
    }

    /// Deletes of its items belonging to `vehicle`, from the fleet the
    /// request read (committed with the other participants' deletes, in
    /// transactions of at most 100 writes, in any grouping).
    fn deletes(&self, store: &Store, fleet: &Fleet, vehicle: &Vehicle)
        -> Result<Vec<Write>, Error>;

    /// Work outside the table (S3 objects), once the items are gone.
    fn cleanup<'a>(&'a self, _store: &'a Store, _vehicle: &'a Vehicle) -> Cleanup<'a> {
        nothing()
    }
}

/// The vehicle's maintenance records.
struct Maintenances;

impl VehicleDependents for Maintenances {
    fn deletes(
        &self,
        store: &Store,
        fleet: &Fleet,
        vehicle: &Vehicle,
    ) -> Result<Vec<Write>, Error> {
        let repo = store.maintenances();
        fleet
            .maintenances_of(&vehicle.id)
            .iter()
            .map(|m| repo.tx_cascade_delete(m))
            .collect()
    }
}

/// The vehicle's reminders.
struct Reminders;

impl VehicleDependents for Reminders {
    fn deletes(
        &self,
        store: &Store,
        fleet: &Fleet,
        vehicle: &Vehicle,
    ) -> Result<Vec<Write>, Error> {
        let repo = store.reminders();
        fleet
            .reminders_of(&vehicle.id)
            .iter()
            .map(|r| repo.tx_cascade_delete(r))
            .collect()
    }
}

/// The vehicle's documents: their items and texts, the account's
/// counter, and purge markers for their objects (the scheduled run deletes
/// those: the vehicles function has no S3 client).
struct Documents;

impl VehicleDependents for Documents {
    fn settle<'a>(
        &'a self,
        store: &'a Store,
        fleet: &'a Fleet,
        vehicle: &'a Vehicle,
    ) -> Cleanup<'a> {
        Box::pin(async move {
            let documents = fleet.documents_of(&vehicle.id)?;
            for batch in documents.chunks(CASCADE_BATCH) {
                let writes = store
                    .documents()
                    .tx_cascade_delete(&vehicle.owner_id, batch)?;
                store.transact(writes).await?;
            }
            Ok(())
        })
    }

    fn deletes(&self, _: &Store, _: &Fleet, _: &Vehicle) -> Result<Vec<Write>, Error> {
        Ok(Vec::new())
    }
}

/// Documents per cascade transaction: two deletes each, the counter move
/// and one purge marker stay within DynamoDB's 100 writes.
const CASCADE_BATCH: usize = 48;

/// The vehicle's diagnostics and their replies (the account's counter
/// moves with each batch).
struct Diagnostics;

impl VehicleDependents for Diagnostics {
    fn settle<'a>(
        &'a self,
        store: &'a Store,
        fleet: &'a Fleet,
        vehicle: &'a Vehicle,
    ) -> Cleanup<'a> {
        Box::pin(async move {
            let diagnostics = fleet.diagnostics_of(&vehicle.id)?;
            store
                .diagnostics()
                .cascade_delete(&vehicle.owner_id, &diagnostics)
                .await
        })
    }

    fn deletes(&self, _: &Store, _: &Fleet, _: &Vehicle) -> Result<Vec<Write>, Error> {
        Ok(Vec::new())
    }
}

/// Everything that goes with a vehicle; a new kind of vehicle data adds
/// its participant here.
pub fn participants() -> Vec<Box<dyn VehicleDependents>> {
    vec![
        Box::new(Maintenances),
        Box::new(Reminders),
        Box::new(Documents),
        Box::new(Diagnostics),
    ]
}

/// Deletes `vehicle` and its dependents. `fleet` must hold every
/// collection the participants read (the vehicle's handler reads them all).
pub async fn delete_vehicle(store: &Store, fleet: &Fleet, vehicle: &Vehicle) -> Result<(), Error> {
    let participants = participants();
    for participant in &participants {
        participant.settle(store, fleet, vehicle).await?;
    }
    let mut writes = Vec::new();
    for participant in &participants {
        writes.extend(participant.deletes(store, fleet, vehicle)?);
    }
    while !writes.is_empty() {
        let rest = writes.split_off(writes.len().min(MAX_TRANSACTION_ITEMS));
        store.transact(writes).await?;
        writes = rest;
    }
    for participant in &participants {
        participant.cleanup(store, vehicle).await?;
    }
    store.vehicles().delete(vehicle).await
}
