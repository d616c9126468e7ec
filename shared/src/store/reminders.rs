//! Reminders under their owner's partition; an active reminder with
//! something left to notify is also in the global alert index (GSI3).

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};

use super::entity;
use super::keys;
use super::vehicles::{conditions::VEHICLE_EFFECT, VehicleEffect};
use super::{from_item, n, s, Entity, Expr, Item, Store, Write, WriteError};
use crate::domain::maintenances::Maintenance;
use crate::domain::reminders::Reminder;
use crate::domain::vehicles::Vehicle;
use crate::error::Error;

pub struct Reminders<'a> {
    store: &'a Store,
}

impl Store {
    pub fn reminders(&self) -> Reminders<'_> {
        Reminders { store: self }
    }
}

impl Entity for Reminder {
    const NAME: &'static str = keys::entity::REMINDER;
    fn key(&self) -> (String, String) {
        (keys::user_pk(&self.owner_id), keys::reminder_sk(&self.id))
    }
    fn extra(&self, item: &mut Item) {
        if let Some(at) = self.alert_at {
            let (pk, sk) = keys::alert_at(&self.id, &at);
            item.insert(keys::GSI3PK.into(), s(pk));
            item.insert(keys::GSI3SK.into(), s(sk));
        }
    }
}

pub fn reminder_item(r: &Reminder) -> Result<Item, Error> {
    r.to_item()
}

impl Reminders<'_> {
    /// One reminder of its owner, by id.
    pub async fn get(&self, owner_id: &str, id: &str) -> Result<Option<Reminder>, Error> {
        self.store
            .get(&keys::user_pk(owner_id), &keys::reminder_sk(id))
            .await?
            .map(from_item)
            .transpose()
    }

    /// Puts a new reminder.
    pub fn tx_create(&self, r: &Reminder) -> Result<Write, Error> {
        self.store.tx_put(
            reminder_item(r)?,
            Expr::new().condition("attribute_not_exists(pk)"),
        )
    }

    /// Replaces the reminder stored at `version` with `after`.
    pub fn tx_replace(&self, version: u64, after: &Reminder) -> Result<Write, Error> {
        self.store.tx_put(
            reminder_item(after)?,
            Expr::new()
                .condition("attribute_exists(pk) AND version = :version")
                .value(":version", n(version)),
        )
    }

    /// The writes of `refresh_for_vehicle`'s result.
    pub fn tx_refreshes(&self, refreshed: &[(u64, Reminder)]) -> Result<Vec<Write>, Error> {
        refreshed
            .iter()
            .map(|(version, after)| self.tx_replace(*version, after))
            .collect()
    }

    /// Deletes the reminder as it was read: of two concurrent deletes one
    /// is refused, so the vehicle's active count moves once.
    pub fn tx_delete(&self, r: &Reminder) -> Result<Write, Error> {
        self.store.tx_delete(
            &keys::user_pk(&r.owner_id),
            &keys::reminder_sk(&r.id),
            Expr::new()
                .condition("attribute_exists(pk) AND version = :version")
                .value(":version", n(r.version)),
        )
    }

    /// Deletes the reminder with its vehicle (nothing left to count).
    pub fn tx_cascade_delete(&self, r: &Reminder) -> Result<Write, Error> {
        let (pk, sk) = r.key();
        self.store.tx_delete(&pk, &sk, Expr::new())
    }

    /// How many active reminders a vehicle gains when `before` becomes
    /// `after` (`None`: absent).
    pub fn active_delta(before: Option<&Reminder>, after: Option<&Reminder>) -> i64 {
        let active = |r: Option<&Reminder>| i64::from(r.is_some_and(Reminder::is_active));
        active(after) - active(before)
    }

    /// Runs a transaction of reminder writes together with the vehicle's
    /// count of active reminders moved by `active_delta` (refused at the
    /// limit: a 400); a changed item is a 409.
    pub async fn commit(
        &self,
        mut items: Vec<Write>,
        vehicle: Option<&Vehicle>,
        active_delta: i64,
    ) -> Result<(), Error> {
        let effect = VehicleEffect {
            active_reminders: active_delta,
            ..VehicleEffect::default()
        };
        let counts = match vehicle {
            Some(v) => self.store.vehicles().tx_effect(v, effect)?,
            None => None,
        };
        let counted = counts.is_some();
        items.extend(counts);
        match self.store.transact(items).await {
            Ok(()) => Ok(()),
            Err(WriteError::Conditions(failed)) => match vehicle {
                Some(v) if counted && failed.has(VEHICLE_EFFECT) => {
                    Err(self.store.vehicles().refusal(v, effect).await)
                }
                _ => Err(Error::Conflict(
                    "The reminder or its vehicle was changed by another request; reload and retry."
                        .into(),
                )),
            },
            Err(e) => Err(e.into()),
        }
    }

    /// Up to `limit` items of one alert shard whose alert time is at or
    /// before `at` (reminders and scheduled maintenances), oldest first,
    /// each decoded on its own.
    pub async fn alerts_due(
        &self,
        shard: u32,
        at: &DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<AlertItem>, Error> {
        Ok(self
            .store
            .query_index_range(
                keys::ALERT_INDEX,
                &keys::alert_shard(shard),
                "<",
                &keys::alert_bound(at),
                Some(limit),
            )
            .await?
            .into_iter()
            .map(AlertItem::of)
            .collect())
    }

    /// Takes an item out of the alert index (`REMOVE gsi3pk, gsi3sk`) only
    /// if it is still as it was read (same index position, same version):
    /// `false` when it changed or went meanwhile, and then it is left alone.
    pub async fn leave_alert_index(&self, entry: &AlertEntry) -> Result<bool, Error> {
        let mut expr = Expr::new()
            .update("REMOVE #gpk, #gsk")
            .name("#gpk", keys::GSI3PK)
            .name("#gsk", keys::GSI3SK)
            .name("#v", "version")
            .value(":gsk", entry.gsi3sk.clone());
        expr = match &entry.version {
            Some(v) => expr
                .condition("#gsk = :gsk AND #v = :v")
                .value(":v", v.clone()),
            None => expr.condition("#gsk = :gsk AND attribute_not_exists(#v)"),
        };
        match self.store.update(&entry.pk, &entry.sk, expr).await {
            Ok(_) => Ok(true),
            Err(WriteError::Conditions(_)) => Ok(false),
            Err(WriteError::Other(e)) => Err(e),
        }
    }
}

/// What sits in the alert index.
#[derive(Clone, Debug)]
pub enum Alerting {
    Reminder(Reminder),
    Maintenance(Maintenance),
}

/// One item read from the alert index: where it is (`None`: no keys to act
/// on) and what it is, or why it cannot be read.
#[derive(Debug)]
pub struct AlertItem {
    pub entry: Option<AlertEntry>,
    pub alerting: Result<Alerting, Error>,
}

impl AlertItem {
    fn of(item: Item) -> Self {
        let entry = AlertEntry::of(&item);
        let alerting = match entity::name_of(&item) {
            Reminder::NAME => from_item(item).map(Alerting::Reminder),
            Maintenance::NAME => from_item(item).map(Alerting::Maintenance),
            other => Err(Error::internal(format!(
                "entity {other:?} in the alert index"
            ))),
        };
        AlertItem { entry, alerting }
    }
}

/// Where an item of the alert index was, as read, whatever its content:
/// enough to take it out again even when it cannot be decoded.
#[derive(Clone, Debug)]
pub struct AlertEntry {
    pub pk: String,
    pub sk: String,
    gsi3sk: AttributeValue,
    version: Option<AttributeValue>,
}

impl AlertEntry {
    /// `None` for an item that is not in the index (no keys to act on).
    pub fn of(item: &Item) -> Option<Self> {
        let text = |name: &str| item.get(name).and_then(|v| v.as_s().ok()).cloned();
        Some(AlertEntry {
            pk: text(keys::PK)?,
            sk: text(keys::SK)?,
            gsi3sk: item.get(keys::GSI3SK)?.clone(),
            version: item.get("version").cloned(),
        })
    }
}
