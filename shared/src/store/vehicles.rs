//! Vehicles under their owner's partition, with a VIN guard per vehicle and
//! the owner's vehicle count on their profile (the per-user limit).

use super::keys;
use super::{from_item, n, s, Entity, Expr, Item, Store, Write, WriteError};
use crate::domain::limits::{
    self, MAX_ACTIVE_REMINDERS_PER_VEHICLE, MAX_MAINTENANCES_PER_VEHICLE, MAX_VEHICLES_PER_USER,
};
use crate::domain::plans::{self, Limit, PlanGrant};
use crate::domain::vehicles::Vehicle;
use crate::error::Error;
use crate::time;

pub struct Vehicles<'a> {
    store: &'a Store,
}

impl Store {
    pub fn vehicles(&self) -> Vehicles<'_> {
        Vehicles { store: self }
    }
}

/// Condition names of vehicle writes (what a refusal reports).
pub mod conditions {
    /// The VIN guard's Put: nobody holds the VIN.
    pub const VIN_FREE: &str = "vin_free";
    /// The owner's vehicle count is under the limit (the plan's, within
    /// `MAX_VEHICLES_PER_USER`).
    pub const VEHICLE_LIMIT: &str = "vehicle_limit";
    /// The owner's profile exists (an uncount).
    pub const OWNER_EXISTS: &str = "owner_exists";
    /// The vehicle is still as read (edit) or still there (delete).
    pub const VEHICLE_AS_READ: &str = "vehicle_as_read";
    /// `tx_effect`'s Update: exists, a raise, within the limits.
    pub const VEHICLE_EFFECT: &str = "vehicle_effect";
    /// A VIN guard freed only while it names the vehicle.
    pub const VIN_HELD: &str = "vin_held";
}
use conditions::*;

/// Attempts of a create that loses a race on the owner's count to another
/// create of the same owner (not a refusal: nothing was wrong with it).
const CONTENTION_ATTEMPTS: usize = 6;

/// Outcome of a write that may claim a VIN.
#[derive(Debug, PartialEq, Eq)]
pub enum VinClaim {
    Done,
    VinTaken,
}

/// How a write of a maintenance or reminder moves its vehicle: counters and
/// odometer, applied as ONE Update in that write's transaction (DynamoDB
/// refuses two operations on one item in a transaction).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VehicleEffect {
    pub maintenances: i64,
    pub active_reminders: i64,
    /// Documents filed under the vehicle (bounded by the account's limit,
    /// not per vehicle).
    pub documents: i64,
    /// Diagnostics of the vehicle (bounded by the account's limit).
    pub diagnostics: i64,
    /// A higher odometer reading the vehicle takes (never lowered).
    pub raise_to: Option<i64>,
}

impl VehicleEffect {
    pub fn is_none(&self) -> bool {
        *self == VehicleEffect::default()
    }

    /// Merges two effects of one transaction.
    pub fn and(self, other: VehicleEffect) -> VehicleEffect {
        VehicleEffect {
            maintenances: self.maintenances + other.maintenances,
            active_reminders: self.active_reminders + other.active_reminders,
            documents: self.documents + other.documents,
            diagnostics: self.diagnostics + other.diagnostics,
            raise_to: match (self.raise_to, other.raise_to) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            },
        }
    }
}

impl Entity for Vehicle {
    const NAME: &'static str = keys::entity::VEHICLE;
    fn key(&self) -> (String, String) {
        (keys::user_pk(&self.owner_id), keys::vehicle_sk(&self.id))
    }
    fn extra(&self, item: &mut Item) {
        // Account deletion frees the guards an item lists here.
        if let Some(vin) = &self.vin {
            let (guard_pk, _) = keys::vin_guard(vin);
            item.insert("guards".into(), super::Attr::L(vec![s(guard_pk)]));
        }
    }
}

/// The profile update counting the owner's vehicles; a creation is refused
/// at `limit` (the plan's), or at `MAX_VEHICLES_PER_USER` when that is
/// lower. The count lives on the profile the request read its plan from.
fn tx_count_vehicles(
    store: &Store,
    owner_id: &str,
    delta: i64,
    limit: Limit,
) -> Result<Write, Error> {
    let mut expr = Expr::new()
        .update("ADD vehicles_count :delta")
        .value(":delta", n(delta));
    expr = if delta > 0 {
        let room = limit.under(MAX_VEHICLES_PER_USER) - delta;
        expr.condition(format!(
            "attribute_exists(pk) AND {}",
            super::counter_within("vehicles_count", ":room", room)
        ))
        .value(":room", n(room))
        .named(VEHICLE_LIMIT)
    } else {
        expr.condition("attribute_exists(pk)").named(OWNER_EXISTS)
    };
    store.tx_update(&keys::user_pk(owner_id), keys::USER_PROFILE_SK, expr)
}

fn vin_free() -> Expr {
    Expr::new()
        .condition("attribute_not_exists(pk)")
        .named(VIN_FREE)
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

    /// Creates the vehicle and claims its VIN, all or nothing, within the
    /// vehicles of `plan` (the owner's grant, read with the user; none:
    /// Free): the plan's limit is a 403 naming the plan that lifts it,
    /// `MAX_VEHICLES_PER_USER` the 400 it always was.
    pub async fn create(
        &self,
        vehicle: &Vehicle,
        plan: Option<&PlanGrant>,
    ) -> Result<VinClaim, Error> {
        let limit = PlanGrant::limits_of(plan).vehicles;
        let mut attempt = 0;
        loop {
            let mut tx = self.store.tx();
            if let Some(vin) = &vehicle.vin {
                tx.put(vin_guard_item(vin, vehicle), vin_free())?;
            }
            tx.put(
                vehicle.to_item()?,
                Expr::new()
                    .condition("attribute_not_exists(pk)")
                    .named(VEHICLE_AS_READ),
            )?
            .add(tx_count_vehicles(self.store, &vehicle.owner_id, 1, limit)?);
            match tx.commit().await {
                Ok(()) => return Ok(VinClaim::Done),
                // Another create of the owner moved the count at the same
                // instant: nothing was wrong with this one, it tries again
                // (and meets the limit if that one took the last place).
                Err(e) if e.is_contention() && attempt + 1 < CONTENTION_ATTEMPTS => {
                    attempt += 1;
                    super::garages::backoff(attempt as u32).await;
                }
                Err(WriteError::Conditions(failed)) if failed.has(VIN_FREE) => {
                    return Ok(VinClaim::VinTaken)
                }
                Err(WriteError::Conditions(failed)) if failed.has(VEHICLE_LIMIT) => {
                    return Err(if limit.binds_under(MAX_VEHICLES_PER_USER) {
                        plans::limit_reached(plans::MAX_VEHICLES, |l| l.vehicles, plan)
                    } else {
                        Error::non_field(limits::vehicles_reached())
                    });
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Replaces `before` with `after` if nobody changed it meanwhile; a new
    /// VIN moves the guard in the same transaction, and so do the writes in
    /// `also` (reminders refreshed by a new odometer reading).
    pub async fn replace(
        &self,
        before: &Vehicle,
        after: &Vehicle,
        also: Vec<Write>,
    ) -> Result<VinClaim, Error> {
        let mut tx = self.store.tx();
        if before.vin != after.vin {
            if let Some(vin) = &after.vin {
                tx.put(vin_guard_item(vin, after), vin_free())?;
            }
            if let Some(old) = &before.vin {
                tx.add(self.tx_free_vin(old, &before.id)?);
            }
        }
        tx.put(
            after.to_item()?,
            Expr::new()
                .condition("attribute_exists(pk) AND version = :version")
                .named(VEHICLE_AS_READ)
                .value(":version", super::n(before.version)),
        )?
        .extend(also);
        match tx.commit().await {
            Ok(()) => Ok(VinClaim::Done),
            Err(WriteError::Conditions(failed)) if failed.has(VIN_FREE) => Ok(VinClaim::VinTaken),
            Err(WriteError::Conditions(_)) => Err(Error::Conflict(
                "The vehicle was changed by another request; reload it and retry.".into(),
            )),
            Err(e) => Err(e.into()),
        }
    }

    /// Deletes the vehicle, frees its VIN and uncounts it, atomically, if
    /// it still exists: of two concurrent deletes one is a 404, so the count
    /// moves once, and a VIN guard is freed only while it names this vehicle
    /// (the address may have been claimed again since).
    pub async fn delete(&self, vehicle: &Vehicle) -> Result<(), Error> {
        let (pk, sk) = vehicle.key();
        let mut tx = self.store.tx();
        tx.delete(
            &pk,
            &sk,
            Expr::new()
                .condition("attribute_exists(pk)")
                .named(VEHICLE_AS_READ),
        )?;
        if let Some(vin) = &vehicle.vin {
            tx.add(self.tx_free_vin(vin, &vehicle.id)?);
        }
        tx.add(tx_count_vehicles(
            self.store,
            &vehicle.owner_id,
            -1,
            Limit::Unlimited,
        )?);
        match tx.commit().await {
            Ok(()) => Ok(()),
            Err(WriteError::Conditions(failed)) if failed.has(VEHICLE_AS_READ) => {
                Err(Error::NotFound(Some("Vehicle")))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Deletes a VIN guard only while it names `vehicle_id`.
    fn tx_free_vin(&self, vin: &str, vehicle_id: &str) -> Result<Write, Error> {
        let (pk, sk) = keys::vin_guard(vin);
        self.store.tx_delete(
            &pk,
            &sk,
            Expr::new()
                .condition("vehicle_id = :vehicle")
                .named(VIN_HELD)
                .value(":vehicle", s(vehicle_id)),
        )
    }

    /// The one Update applying `effect` to the vehicle, for a transaction:
    /// it must still exist, an odometer raise must still be a raise, and
    /// counters that grow must stay within their limits. The version moves
    /// too, so a vehicle edit based on an older read cannot write back a
    /// stale odometer or count.
    pub fn tx_effect(
        &self,
        vehicle: &Vehicle,
        effect: VehicleEffect,
    ) -> Result<Option<Write>, Error> {
        if effect.is_none() {
            return Ok(None);
        }
        let mut conditions = vec!["attribute_exists(pk)".to_string()];
        let mut expr = Expr::new()
            .value(":now", s(time::format(&time::now())))
            .value(":one", n(1));
        let mut update = String::from("SET updated_at = :now");
        if let Some(km) = effect.raise_to {
            update.push_str(", mileage = :km");
            conditions.push("(attribute_not_exists(mileage) OR mileage < :km)".into());
            expr = expr.value(":km", n(km));
        }
        update.push_str(" ADD version :one");
        if effect.maintenances != 0 {
            update.push_str(", maintenances_count :maint");
            expr = expr.value(":maint", n(effect.maintenances));
            if effect.maintenances > 0 {
                conditions.push(
                    "(attribute_not_exists(maintenances_count) OR maintenances_count <= :maint_room)"
                        .into(),
                );
                expr = expr.value(
                    ":maint_room",
                    n(MAX_MAINTENANCES_PER_VEHICLE - effect.maintenances),
                );
            }
        }
        if effect.active_reminders != 0 {
            update.push_str(", active_reminders :active");
            expr = expr.value(":active", n(effect.active_reminders));
            if effect.active_reminders > 0 {
                conditions.push(
                    "(attribute_not_exists(active_reminders) OR active_reminders <= :active_room)"
                        .into(),
                );
                expr = expr.value(
                    ":active_room",
                    n(MAX_ACTIVE_REMINDERS_PER_VEHICLE - effect.active_reminders),
                );
            }
        }
        if effect.documents != 0 {
            update.push_str(", documents_count :docs");
            expr = expr.value(":docs", n(effect.documents));
        }
        if effect.diagnostics != 0 {
            update.push_str(", diagnostics_count :diags");
            expr = expr.value(":diags", n(effect.diagnostics));
        }
        Ok(Some(
            self.store.tx_update(
                &keys::user_pk(&vehicle.owner_id),
                &keys::vehicle_sk(&vehicle.id),
                expr.update(update)
                    .condition(conditions.join(" AND "))
                    .named(VEHICLE_EFFECT),
            )?,
        ))
    }

    /// Why a transaction's `tx_effect` on the vehicle was refused, read back
    /// once after the refusal: the vehicle is gone (404), a limit is reached
    /// (400), or it changed meanwhile (409).
    pub async fn refusal(&self, vehicle: &Vehicle, effect: VehicleEffect) -> Error {
        let current = match self.get(&vehicle.owner_id, &vehicle.id).await {
            Ok(current) => current,
            Err(e) => return e,
        };
        let Some(current) = current else {
            return Error::NotFound(Some("Vehicle"));
        };
        if effect.maintenances > 0
            && current.maintenances_count + effect.maintenances > MAX_MAINTENANCES_PER_VEHICLE
        {
            return Error::non_field(limits::maintenances_reached());
        }
        if effect.active_reminders > 0
            && current.active_reminders + effect.active_reminders > MAX_ACTIVE_REMINDERS_PER_VEHICLE
        {
            return Error::non_field(limits::reminders_reached());
        }
        Error::Conflict("The vehicle was changed by another request; reload and retry.".into())
    }
}
