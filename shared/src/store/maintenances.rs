//! Maintenances under their owner's partition. Every write that changes a
//! vehicle's odometer or maintenance count does so in the same transaction.

use chrono::{DateTime, Utc};

use super::billing::{self, Usage};
use super::keys;
use super::vehicles::{conditions::VEHICLE_EFFECT, VehicleEffect};
use super::{from_item, n, s, Entity, Expr, Item, Store, Write, WriteError};
use crate::domain::maintenances::Maintenance;
use crate::domain::plans::{self, PlanGrant};
use crate::domain::vehicles::Vehicle;
use crate::error::Error;

pub struct Maintenances<'a> {
    store: &'a Store,
}

impl Store {
    pub fn maintenances(&self) -> Maintenances<'_> {
        Maintenances { store: self }
    }
}

impl Entity for Maintenance {
    const NAME: &'static str = keys::entity::MAINTENANCE;
    fn key(&self) -> (String, String) {
        (
            keys::user_pk(&self.owner_id),
            keys::maintenance_sk(&self.id),
        )
    }
    fn extra(&self, item: &mut Item) {
        if self.is_scheduled() {
            let (pk, sk) = keys::scheduled_by_date(&self.owner_id, &self.service_date, &self.id);
            item.insert(keys::GSI2PK.into(), s(pk));
            item.insert(keys::GSI2SK.into(), s(sk));
        }
        if let Some(at) = self.alert_at() {
            let (pk, sk) = keys::alert_at(&self.id, &at);
            item.insert(keys::GSI3PK.into(), s(pk));
            item.insert(keys::GSI3SK.into(), s(sk));
        }
    }
}

pub fn maintenance_item(m: &Maintenance) -> Result<Item, Error> {
    m.to_item()
}

/// The condition of the maintenance's own write (new, as read, or present).
const RECORD: &str = "maintenance";

/// Attempts of a write that loses a race to another write of the same
/// owner (not a refusal: nothing was wrong with it).
const CONTENTION_ATTEMPTS: usize = 6;

impl Maintenances<'_> {
    /// Runs the maintenance's own write (condition `RECORD`) with the
    /// vehicle's update (if any) and `also`; a refusal is explained: the
    /// record gone (404), the month's maintenances of the plan used up
    /// (403, `plan`: the owner's grant), the vehicle gone or at a limit, or
    /// a concurrent change (409).
    async fn run(
        &self,
        mut items: Vec<Write>,
        vehicle: Option<&Vehicle>,
        effect: VehicleEffect,
        also: Vec<Write>,
        record_gone: Error,
        plan: Option<&PlanGrant>,
    ) -> Result<(), Error> {
        let vehicle_update = match vehicle {
            Some(v) => self.store.vehicles().tx_effect(v, effect)?,
            None => None,
        };
        items.extend(vehicle_update);
        items.extend(also);
        let mut attempt = 0;
        let outcome = loop {
            match self.store.transact(items.clone()).await {
                // Another write of the owner touched the same items at the
                // same instant (the month's usage counter, the vehicle):
                // nothing was written, the same transaction goes again.
                Err(e) if e.is_contention() && attempt + 1 < CONTENTION_ATTEMPTS => {
                    attempt += 1;
                    super::garages::backoff(attempt as u32).await;
                }
                outcome => break outcome,
            }
        };
        match outcome {
            Ok(()) => Ok(()),
            Err(WriteError::Conditions(failed)) => {
                if failed.has(RECORD) {
                    return Err(record_gone);
                }
                if failed.has(billing::USAGE_LIMIT) {
                    return Err(plans::limit_reached(
                        plans::MAINTENANCES_PER_MONTH,
                        |l| l.maintenances_per_month,
                        plan,
                    ));
                }
                match vehicle {
                    Some(v) if failed.has(VEHICLE_EFFECT) => {
                        Err(self.store.vehicles().refusal(v, effect).await)
                    }
                    _ => Err(Error::Conflict(
                        "The maintenance or its vehicle was changed by another request; reload and retry."
                            .into(),
                    )),
                }
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Creates the maintenance; counts it on the vehicle (within the limit)
    /// and in the month's usage of its owner (within the maintenances per
    /// month of `plan`, the owner's grant; none: Free; counted without a
    /// condition when unlimited), and raises the vehicle's odometer when it
    /// records a higher mileage. `also` carries the writes that follow from
    /// it (the vehicle's refreshed reminders, a completed reminder), and
    /// `also_effect` what those change on the vehicle.
    pub async fn create(
        &self,
        m: &Maintenance,
        vehicle: &Vehicle,
        also: Vec<Write>,
        also_effect: VehicleEffect,
        plan: Option<&PlanGrant>,
    ) -> Result<(), Error> {
        let effect = VehicleEffect {
            maintenances: 1,
            active_reminders: 0,
            documents: 0,
            diagnostics: 0,
            raise_to: m.mileage.filter(|km| *km > vehicle.mileage),
        }
        .and(also_effect);
        let limit = PlanGrant::limits_of(plan).maintenances_per_month;
        let items = vec![
            self.store.tx_put(
                maintenance_item(m)?,
                Expr::new()
                    .condition("attribute_not_exists(pk)")
                    .named(RECORD),
            )?,
            self.store.billing().tx_use(
                &m.owner_id,
                Usage::Maintenances,
                limit,
                &crate::time::now(),
            )?,
        ];
        let gone = Error::Conflict("This maintenance already exists.".into());
        self.run(items, Some(vehicle), effect, also, gone, plan)
            .await
    }

    /// Replaces `before` with `after` (same vehicle) if unchanged meanwhile.
    pub async fn replace(
        &self,
        before: &Maintenance,
        after: &Maintenance,
        vehicle: &Vehicle,
        also: Vec<Write>,
    ) -> Result<(), Error> {
        let effect = VehicleEffect {
            raise_to: after.mileage.filter(|km| *km > vehicle.mileage),
            ..VehicleEffect::default()
        };
        let items = vec![self.store.tx_put(
            maintenance_item(after)?,
            Expr::new()
                .condition("attribute_exists(pk) AND version = :version")
                .named(RECORD)
                .value(":version", n(before.version)),
        )?];
        let changed = Error::Conflict(
            "The maintenance was changed by another request; reload and retry.".into(),
        );
        self.run(items, Some(vehicle), effect, also, changed, None)
            .await
    }

    /// Deletes the record and uncounts it, only if it still exists: of two
    /// concurrent deletes one is a 404 and the count moves once.
    pub async fn delete(
        &self,
        m: &Maintenance,
        vehicle: Option<&Vehicle>,
        also: Vec<Write>,
    ) -> Result<(), Error> {
        let items = vec![self.store.tx_delete(
            &keys::user_pk(&m.owner_id),
            &keys::maintenance_sk(&m.id),
            Expr::new().condition("attribute_exists(pk)").named(RECORD),
        )?];
        let effect = VehicleEffect {
            maintenances: -1,
            ..VehicleEffect::default()
        };
        let gone = Error::NotFound(Some("Maintenance"));
        self.run(items, vehicle, effect, also, gone, None).await
    }

    /// The owner's SCHEDULED maintenances with a service date at or after
    /// `at` (`upcoming`) or before it (`overdue`), from the sparse index.
    pub async fn scheduled(
        &self,
        owner_id: &str,
        at: &DateTime<Utc>,
        before: bool,
    ) -> Result<Vec<Maintenance>, Error> {
        let range = if before { "<" } else { ">=" };
        self.store
            .query_index_range(
                keys::SCHEDULED_INDEX,
                &keys::scheduled_partition(owner_id),
                range,
                &keys::scheduled_bound(at),
                None,
            )
            .await?
            .into_iter()
            .map(from_item)
            .collect()
    }
}

impl Maintenances<'_> {
    /// Deletes the record with its vehicle (the vehicle's own write
    /// uncounts nothing: it goes too).
    pub fn tx_cascade_delete(&self, m: &Maintenance) -> Result<Write, Error> {
        let (pk, sk) = m.key();
        self.store.tx_delete(&pk, &sk, Expr::new())
    }

    /// The scheduled run's write once it announced `m`: flagged, out of the
    /// alert index; refused if the maintenance changed since it was read.
    pub fn tx_reminded(&self, m: &Maintenance) -> Result<Write, Error> {
        self.store.tx_update(
            &keys::user_pk(&m.owner_id),
            &keys::maintenance_sk(&m.id),
            Expr::new()
                .update("SET reminder_sent = :yes ADD version :one REMOVE #apk, #ask")
                .condition("attribute_exists(pk) AND version = :version")
                .name("#apk", keys::GSI3PK)
                .name("#ask", keys::GSI3SK)
                .value(":yes", aws_sdk_dynamodb::types::AttributeValue::Bool(true))
                .value(":one", n(1))
                .value(":version", n(m.version)),
        )
    }
}
