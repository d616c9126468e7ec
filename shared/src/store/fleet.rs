//! The caller's fleet: the vehicles, maintenances and reminders of their
//! partition, and their documents and diagnostics (partitions of their
//! own), each
//! collection read by a Query (all at the same time) and decoded here, so
//! no handler sees an item.

use super::{keys, Mixed, Store};
use crate::domain::diagnostics::Diagnostic;
use crate::domain::documents::Document;
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
    pub documents: bool,
    pub diagnostics: bool,
}

impl FleetParts {
    /// Every collection (what a vehicle's deletion reads).
    pub const ALL: FleetParts = FleetParts {
        vehicles: true,
        maintenances: true,
        reminders: true,
        documents: true,
        diagnostics: true,
    };
}

/// The collections of one user's partition that a request asked for.
#[derive(Clone, Debug, Default)]
pub struct Fleet {
    pub vehicles: Vec<Vehicle>,
    pub maintenances: Vec<Maintenance>,
    pub reminders: Vec<Reminder>,
    /// The documents as read, decoded by `documents()`: only the functions
    /// that show documents carry their decoding code (binary size).
    documents: Vec<super::Item>,
    /// The diagnostics as read, decoded by `diagnostics()` (the same way).
    diagnostics: Vec<super::Item>,
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

    /// The documents (when asked for), oldest first.
    pub fn documents(&self) -> Result<Vec<Document>, Error> {
        self.documents
            .iter()
            .cloned()
            .map(super::from_item)
            .collect()
    }

    /// The documents filed under one vehicle, oldest first.
    pub fn documents_of(&self, vehicle_id: &str) -> Result<Vec<Document>, Error> {
        Ok(self
            .documents()?
            .into_iter()
            .filter(|d| d.vehicle_id.as_deref() == Some(vehicle_id))
            .collect())
    }

    /// The diagnostics (when asked for), oldest first.
    pub fn diagnostics(&self) -> Result<Vec<Diagnostic>, Error> {
        self.diagnostics
            .iter()
            .cloned()
            .map(super::from_item)
            .collect()
    }

    /// The diagnostics of one vehicle, oldest first.
    pub fn diagnostics_of(&self, vehicle_id: &str) -> Result<Vec<Diagnostic>, Error> {
        Ok(self
            .diagnostics()?
            .into_iter()
            .filter(|d| d.vehicle_id == vehicle_id)
            .collect())
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
        let documents = async {
            if !parts.documents {
                return Ok(Vec::new());
            }
            self.query_prefix(&keys::documents_pk(owner_id), keys::DOCUMENT_PREFIX)
                .await
        };
        let diagnostics = async {
            if !parts.diagnostics {
                return Ok(Vec::new());
            }
            self.query_prefix(&keys::diagnostics_pk(owner_id), keys::DIAGNOSTIC_PREFIX)
                .await
        };
        let (vehicles, maintenances, reminders, documents, diagnostics) = tokio::try_join!(
            collection(parts.vehicles, keys::VEHICLE_PREFIX),
            collection(parts.maintenances, keys::MAINTENANCE_PREFIX),
            collection(parts.reminders, keys::REMINDER_PREFIX),
            documents,
            diagnostics,
        )?;
        let mut read = Mixed::of(vehicles.into_iter().chain(maintenances).chain(reminders));
        Ok(Fleet {
            vehicles: read.all()?,
            maintenances: read.all()?,
            reminders: read.all()?,
            documents,
            diagnostics,
        })
    }
}
