//! Maintenances under their owner's partition. Every write that changes a
//! vehicle's odometer or maintenance count does so in the same transaction.

use aws_sdk_dynamodb::types::TransactWriteItem;

use super::keys::{self, GSI2, GSI2PK, GSI2SK};
use super::{from_item, n, s, to_item, Expr, Item, Store, WriteError, MAX_TRANSACTION_ITEMS};
use crate::domain::maintenances::Maintenance;
use crate::domain::vehicles::Vehicle;
use crate::error::Error;
use crate::time;

pub struct Maintenances<'a> {
    store: &'a Store,
}

impl Store {
    pub fn maintenances(&self) -> Maintenances<'_> {
        Maintenances { store: self }
    }
}

fn maintenance_item(m: &Maintenance) -> Result<Item, Error> {
    let mut item = to_item(m)?;
    item.insert(keys::PK.into(), s(keys::user_pk(&m.owner_id)));
    item.insert(keys::SK.into(), s(keys::maintenance_sk(&m.id)));
    item.insert(keys::ENTITY.into(), s(keys::entity::MAINTENANCE));
    if m.is_scheduled() {
        let (pk, sk) = keys::scheduled_by_date(&m.owner_id, &time::format(&m.service_date), &m.id);
        item.insert(GSI2PK.into(), s(pk));
        item.insert(GSI2SK.into(), s(sk));
    }
    Ok(item)
}

/// How a write moves the vehicle: count delta and odometer raise.
struct VehicleEffect {
    count_delta: i64,
    raise_to: Option<i64>,
}

impl Maintenances<'_> {
    fn vehicle_update(
        &self,
        vehicle: &Vehicle,
        effect: VehicleEffect,
    ) -> Result<Option<TransactWriteItem>, Error> {
        if effect.count_delta == 0 && effect.raise_to.is_none() {
            return Ok(None);
        }
        let mut sets = vec!["updated_at = :now"];
        let mut expr = Expr::new()
            .value(":now", s(time::format(&time::now())))
            .condition("attribute_exists(pk)");
        if let Some(km) = effect.raise_to {
            // Never lowers: a concurrent higher reading wins and this write retries.
            sets.push("mileage = :km");
            expr = expr.value(":km", n(km)).condition(
                "attribute_exists(pk) AND (attribute_not_exists(mileage) OR mileage < :km)",
            );
        }
        // The version moves too, so a vehicle edit based on an older read
        // cannot write back a stale odometer or count.
        let mut update = format!("SET {} ADD version :one", sets.join(", "));
        expr = expr.value(":one", n(1));
        if effect.count_delta != 0 {
            update.push_str(", maintenances_count :delta");
            expr = expr.value(":delta", n(effect.count_delta));
        }
        Ok(Some(self.store.tx_update(
            &keys::user_pk(&vehicle.owner_id),
            &keys::vehicle_sk(&vehicle.id),
            expr.update(update),
        )?))
    }

    async fn run(&self, items: Vec<TransactWriteItem>) -> Result<(), Error> {
        match self.store.transact(items).await {
            Ok(()) => Ok(()),
            Err(WriteError::Conditions(_)) => Err(Error::Conflict(
                "The maintenance or its vehicle was changed by another request; reload and retry."
                    .into(),
            )),
            Err(e) => Err(e.into()),
        }
    }

    /// Creates the maintenance; counts it on the vehicle and raises the
    /// vehicle's odometer when it records a higher mileage.
    pub async fn create(&self, m: &Maintenance, vehicle: &Vehicle) -> Result<(), Error> {
        let raise_to = m.mileage.filter(|km| *km > vehicle.mileage);
        let mut items = vec![self.store.tx_put(
            maintenance_item(m)?,
            Expr::new().condition("attribute_not_exists(pk)"),
        )?];
        items.extend(self.vehicle_update(
            vehicle,
            VehicleEffect {
                count_delta: 1,
                raise_to,
            },
        )?);
        self.run(items).await
    }

    /// Replaces `before` with `after` (same vehicle) if unchanged meanwhile.
    pub async fn replace(
        &self,
        before: &Maintenance,
        after: &Maintenance,
        vehicle: &Vehicle,
    ) -> Result<(), Error> {
        let raise_to = after.mileage.filter(|km| *km > vehicle.mileage);
        let mut items = vec![self.store.tx_put(
            maintenance_item(after)?,
            Expr::new()
                .condition("attribute_exists(pk) AND version = :version")
                .value(":version", n(before.version)),
        )?];
        items.extend(self.vehicle_update(
            vehicle,
            VehicleEffect {
                count_delta: 0,
                raise_to,
            },
        )?);
        self.run(items).await
    }

    pub async fn delete(&self, m: &Maintenance, vehicle: Option<&Vehicle>) -> Result<(), Error> {
        let mut items = vec![self.store.tx_delete(
            &keys::user_pk(&m.owner_id),
            &keys::maintenance_sk(&m.id),
            Expr::new(),
        )?];
        if let Some(vehicle) = vehicle {
            items.extend(self.vehicle_update(
                vehicle,
                VehicleEffect {
                    count_delta: -1,
                    raise_to: None,
                },
            )?);
        }
        self.run(items).await
    }

    /// The owner's SCHEDULED maintenances with a service date at or after
    /// `from` (`upcoming`) or before it (`overdue`), from the sparse index.
    pub async fn scheduled(
        &self,
        owner_id: &str,
        from: &str,
        before: bool,
    ) -> Result<Vec<Maintenance>, Error> {
        let condition = if before {
            "#pk = :pk AND #sk < :at"
        } else {
            "#pk = :pk AND #sk >= :at"
        };
        let mut found = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let out = self
                .store
                .client()
                .query()
                .table_name(self.store.table())
                .index_name(GSI2)
                .key_condition_expression(condition)
                .expression_attribute_names("#pk", GSI2PK)
                .expression_attribute_names("#sk", GSI2SK)
                .expression_attribute_values(":pk", s(keys::scheduled_partition(owner_id)))
                .expression_attribute_values(":at", s(from))
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(super::sdk_error)?;
            for item in out.items.unwrap_or_default() {
                found.push(from_item(item)?);
            }
            match out.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => break,
            }
        }
        Ok(found)
    }
}

/// Deletes every maintenance of `vehicle_id` among `partition` items, in
/// transactions of at most 100 items (used before the vehicle itself goes).
pub async fn delete_for_vehicle(
    store: &Store,
    owner_id: &str,
    vehicle_id: &str,
    partition: &[Item],
) -> Result<(), Error> {
    let sks: Vec<String> = partition
        .iter()
        .filter(|item| {
            item.get(keys::ENTITY)
                .and_then(|e| e.as_s().ok())
                .is_some_and(|e| e == keys::entity::MAINTENANCE)
        })
        .filter(|item| {
            item.get("vehicle_id")
                .and_then(|v| v.as_s().ok())
                .is_some_and(|v| v == vehicle_id)
        })
        .filter_map(|item| item.get(keys::SK).and_then(|v| v.as_s().ok()).cloned())
        .collect();
    for chunk in sks.chunks(MAX_TRANSACTION_ITEMS) {
        let items = chunk
            .iter()
            .map(|sk| store.tx_delete(&keys::user_pk(owner_id), sk, Expr::new()))
            .collect::<Result<Vec<_>, Error>>()?;
        store.transact(items).await?;
    }
    Ok(())
}
