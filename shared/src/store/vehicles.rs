//! Vehicles under their owner's partition, with a VIN guard per vehicle.

use super::keys;
use super::{from_item, s, to_item, Expr, Item, Store, WriteError};
use crate::domain::vehicles::Vehicle;
use crate::error::Error;

pub struct Vehicles<'a> {
    store: &'a Store,
}

impl Store {
    pub fn vehicles(&self) -> Vehicles<'_> {
        Vehicles { store: self }
    }
}

/// Outcome of a write that may claim a VIN.
#[derive(Debug, PartialEq, Eq)]
pub enum VinClaim {
    Done,
    VinTaken,
}

fn vehicle_item(vehicle: &Vehicle) -> Result<Item, Error> {
    let mut item = to_item(vehicle)?;
    item.insert(keys::PK.into(), s(keys::user_pk(&vehicle.owner_id)));
    item.insert(keys::SK.into(), s(keys::vehicle_sk(&vehicle.id)));
    item.insert(keys::ENTITY.into(), s(keys::entity::VEHICLE));
    // Account deletion frees the guards an item lists here.
    if let Some(vin) = &vehicle.vin {
        let (guard_pk, _) = keys::vin_guard(vin);
        item.insert("guards".into(), super::Attr::L(vec![s(guard_pk)]));
    }
    Ok(item)
}

fn vin_guard_item(vin: &str, vehicle: &Vehicle) -> Item {
    let (pk, sk) = keys::vin_guard(vin);
    Item::from([
        (keys::PK.to_string(), s(pk)),
        (keys::SK.to_string(), s(sk)),
        (keys::ENTITY.to_string(), s(keys::entity::VIN_GUARD)),
        ("owner_id".to_string(), s(&vehicle.owner_id)),
        ("vehicle_id".to_string(), s(&vehicle.id)),
    ])
}

impl Vehicles<'_> {
    /// Every vehicle of the owner (one Query).
    pub async fn list(&self, owner_id: &str) -> Result<Vec<Vehicle>, Error> {
        self.store
            .query_prefix(&keys::user_pk(owner_id), keys::VEHICLE_PREFIX)
            .await?
            .into_iter()
            .map(from_item)
            .collect()
    }

    /// One vehicle of the owner; another user's vehicle is simply not found.
    pub async fn get(&self, owner_id: &str, vehicle_id: &str) -> Result<Option<Vehicle>, Error> {
        self.store
            .get(&keys::user_pk(owner_id), &keys::vehicle_sk(vehicle_id))
            .await?
            .map(from_item)
            .transpose()
    }

    /// Creates the vehicle and claims its VIN, all or nothing.
    pub async fn create(&self, vehicle: &Vehicle) -> Result<VinClaim, Error> {
        let mut items = Vec::new();
        if let Some(vin) = &vehicle.vin {
            items.push(self.store.tx_put(
                vin_guard_item(vin, vehicle),
                Expr::new().condition("attribute_not_exists(pk)"),
            )?);
        }
        items.push(self.store.tx_put(
            vehicle_item(vehicle)?,
            Expr::new().condition("attribute_not_exists(pk)"),
        )?);
        match self.store.transact(items).await {
            Ok(()) => Ok(VinClaim::Done),
            Err(WriteError::Conditions(failed)) if vehicle.vin.is_some() && failed.contains(&0) => {
                Ok(VinClaim::VinTaken)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Replaces `before` with `after` if nobody changed it meanwhile; a new
    /// VIN moves the guard in the same transaction, and so do the writes in
    /// `also` (reminders refreshed by a new odometer reading).
    pub async fn replace(
        &self,
        before: &Vehicle,
        after: &Vehicle,
        also: Vec<aws_sdk_dynamodb::types::TransactWriteItem>,
    ) -> Result<VinClaim, Error> {
        let mut items = Vec::new();
        let vin_changes = before.vin != after.vin;
        if vin_changes {
            if let Some(vin) = &after.vin {
                items.push(self.store.tx_put(
                    vin_guard_item(vin, after),
                    Expr::new().condition("attribute_not_exists(pk)"),
                )?);
            }
        }
        let claims_new_vin = vin_changes && after.vin.is_some();
        if vin_changes {
            if let Some(old) = &before.vin {
                let (pk, sk) = keys::vin_guard(old);
                items.push(self.store.tx_delete(&pk, &sk, Expr::new())?);
            }
        }
        items.push(
            self.store.tx_put(
                vehicle_item(after)?,
                Expr::new()
                    .condition("attribute_exists(pk) AND version = :version")
                    .value(":version", super::n(before.version)),
            )?,
        );
        items.extend(also);
        match self.store.transact(items).await {
            Ok(()) => Ok(VinClaim::Done),
            Err(WriteError::Conditions(failed)) if claims_new_vin && failed.contains(&0) => {
                Ok(VinClaim::VinTaken)
            }
            Err(WriteError::Conditions(_)) => Err(Error::Conflict(
                "The vehicle was changed by another request; reload it and retry.".into(),
            )),
            Err(e) => Err(e.into()),
        }
    }

    /// Deletes the vehicle and frees its VIN, atomically.
    pub async fn delete(&self, vehicle: &Vehicle) -> Result<(), Error> {
        let mut items = vec![self.store.tx_delete(
            &keys::user_pk(&vehicle.owner_id),
            &keys::vehicle_sk(&vehicle.id),
            Expr::new(),
        )?];
        if let Some(vin) = &vehicle.vin {
            let (pk, sk) = keys::vin_guard(vin);
            items.push(self.store.tx_delete(&pk, &sk, Expr::new())?);
        }
        self.store.transact(items).await.map_err(Error::from)
    }
}
