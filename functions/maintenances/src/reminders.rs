//! Reminder endpoints (new in the rewrite). Everything is read from the
//! caller's partition (one Query: user, vehicles, maintenances, reminders);
//! writes that change a vehicle's odometer history refresh its reminders in
//! the same transaction.

use axum::extract::{Path, State};
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use shared::domain::maintenances::{Maintenance, COMPLETED};
use shared::domain::reminders::{vehicle_trend, Reminder, Urgency, DONE, STATUSES};
use shared::domain::vehicles::Vehicle;
use shared::http::listing::{choice_filter, matches_search, ordering, search_terms, sort, SortKey};
use shared::http::pagination::RequestUrl;
use shared::http::{created, no_content, ok, JsonBody, Page};
use shared::usecases::odometer;
use shared::{time, Error, Result};

use crate::records::{Agenda, Everything, Records};
use crate::reminder_input::{self, check, read_completion};
use crate::MaintenancesState;
use shared::store::reminders::Reminders;
use shared::store::vehicles::VehicleEffect;

const NOT_FOUND: Error = Error::NotFound(Some("MaintenanceReminder"));
pub(crate) const ORDERING_FIELDS: &[&str] = &["due_date", "due_mileage", "created_at", "title"];
pub(crate) const URGENCIES: &[&str] = &["soon", "urgent", "overdue"];

/// Reminder lookups over the caller's records.
impl Records {
    fn find(&self, id: &str) -> Result<&Reminder> {
        self.reminders.iter().find(|r| r.id == id).ok_or(NOT_FOUND)
    }

    fn json(&self, r: &Reminder, now: DateTime<Utc>) -> Value {
        r.to_json(self.vehicles.get(&r.vehicle_id), now)
    }

    /// `r` refreshed with its vehicle's current odometer trend.
    fn refreshed(&self, r: &Reminder, vehicle: &Vehicle, now: DateTime<Utc>) -> Reminder {
        r.refreshed(vehicle_trend(vehicle, &self.maintenances, now))
    }
}

fn sort_key(r: &Reminder, field: &str) -> SortKey {
    match field {
        "due_mileage" => r
            .due_mileage
            .map_or(SortKey::Null, |km| SortKey::Number(km as f64)),
        "created_at" => SortKey::Time(r.created_at),
        "title" => SortKey::Text(r.title.to_lowercase()),
        // No known deadline (mileage without a trend) sorts after every date.
        _ => SortKey::Time(r.effective_due().unwrap_or(DateTime::<Utc>::MAX_UTC)),
    }
}

pub async fn list(partition: Agenda, url: RequestUrl) -> Result<Response> {
    let status = choice_filter(&url, "status", STATUSES)?;
    let urgency = choice_filter(&url, "urgency", URGENCIES)?;
    let vehicle = url.param("vehicle").filter(|v| !v.is_empty());
    let service_type = url.param("service_type").filter(|v| !v.is_empty());
    let terms = url.param("search").map(search_terms).unwrap_or_default();
    let records = Records::of(&partition)?;
    let now = time::now();
    let mut items: Vec<&Reminder> = records
        .reminders
        .iter()
        .filter(|r| status.is_none_or(|s| r.status == s))
        .filter(|r| vehicle.is_none_or(|v| r.vehicle_id == v))
        .filter(|r| service_type.is_none_or(|t| r.service_type == t))
        .filter(|r| urgency.is_none_or(|u| r.urgency_at(now).map(Urgency::as_str) == Some(u)))
        .filter(|r| {
            matches_search(
                &terms,
                &[&r.title, &r.service_type, r.notes.as_deref().unwrap_or("")],
            )
        })
        .collect();
    sort(
        &mut items,
        &ordering(&url, ORDERING_FIELDS, &["due_date", "created_at"]),
        |r, f| sort_key(r, f),
    );
    let rows: Vec<Value> = items.iter().map(|r| records.json(r, now)).collect();
    Ok(ok(Page::paginate(rows, &url)?))
}

/// Active reminders due or nearly due, most pressing first (bare array).
pub async fn due(partition: Agenda) -> Result<Response> {
    let records = Records::of(&partition)?;
    let now = time::now();
    let mut items: Vec<(Urgency, &Reminder)> = records
        .reminders
        .iter()
        .filter_map(|r| r.urgency_at(now).map(|u| (u, r)))
        .collect();
    // Most pressing level first; within a level the earliest deadline, and
    // those without a known date (mileage, no trend) after them.
    let deadline = |r: &Reminder| {
        let due = r.effective_due();
        (due.is_none(), due)
    };
    items.sort_by(|(ua, a), (ub, b)| {
        ub.cmp(ua)
            .then(deadline(a).cmp(&deadline(b)))
            .then(a.created_at.cmp(&b.created_at))
    });
    let rows: Vec<Value> = items.iter().map(|(_, r)| records.json(r, now)).collect();
    Ok(ok(rows))
}

pub async fn create(
    State(state): State<MaintenancesState>,
    partition: Everything,
    JsonBody(body): JsonBody,
) -> Result<Response> {
    let records = Records::of(&partition)?;
    let input = reminder_input::read(&body, false, true)?;
    let vehicle = input
        .vehicle
        .as_ref()
        .and_then(|id| records.vehicles.get(id))
        .ok_or_else(|| {
            Error::field(
                "vehicle",
                "You can only create reminders for your own vehicles",
            )
        })?
        .clone();
    let mut r = Reminder::new(&partition.user.id, &vehicle.id, "", "");
    input.apply(&mut r);
    check(&r)?;
    let now = time::now();
    let r = records.refreshed(&r, &vehicle, now);
    let store = state.store.reminders();
    let gained = Reminders::active_delta(None, Some(&r));
    store
        .commit(vec![store.tx_create(&r)?], Some(&vehicle), gained)
        .await?;
    Ok(created(r.to_json(Some(&vehicle), now)))
}

pub async fn detail(partition: Agenda, Path(id): Path<String>) -> Result<Response> {
    let records = Records::of(&partition)?;
    let r = records.find(&id)?;
    Ok(ok(records.json(r, time::now())))
}

pub async fn replace(
    state: State<MaintenancesState>,
    partition: Everything,
    id: Path<String>,
    body: JsonBody,
) -> Result<Response> {
    update(state, partition, id, body, false).await
}

pub async fn patch(
    state: State<MaintenancesState>,
    partition: Everything,
    id: Path<String>,
    body: JsonBody,
) -> Result<Response> {
    update(state, partition, id, body, true).await
}

/// Whether an edit changes what the reminder announces: then every level
/// may be announced again.
fn deadline_moved(before: &Reminder, after: &Reminder) -> bool {
    before.due_date != after.due_date
        || before.due_mileage != after.due_mileage
        || before.remind_days_before != after.remind_days_before
        || before.urgent_days_before != after.urgent_days_before
        || before.remind_km_before != after.remind_km_before
        || before.urgent_km_before != after.urgent_km_before
        || (!before.is_active() && after.is_active())
}

async fn update(
    State(state): State<MaintenancesState>,
    partition: Everything,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
    partial: bool,
) -> Result<Response> {
    let records = Records::of(&partition)?;
    let before = records.find(&id)?;
    let vehicle = records.vehicles.get(&before.vehicle_id).ok_or(NOT_FOUND)?;
    // `vehicle` in the body is ignored: a reminder stays with its vehicle.
    let input = reminder_input::read(&body, partial, false)?;
    let mut after = before.clone();
    input.apply(&mut after);
    check(&after)?;
    if deadline_moved(before, &after) {
        after.notified_level = 0;
    }
    let now = time::now();
    let mut after = records.refreshed(&after, vehicle, now);
    after.updated_at = now;
    after.version = before.version + 1;
    let store = state.store.reminders();
    let gained = Reminders::active_delta(Some(before), Some(&after));
    store
        .commit(
            vec![store.tx_replace(before.version, &after)?],
            Some(vehicle),
            gained,
        )
        .await?;
    Ok(ok(after.to_json(Some(vehicle), now)))
}

pub async fn delete(
    State(state): State<MaintenancesState>,
    partition: Agenda,
    Path(id): Path<String>,
) -> Result<Response> {
    let records = Records::of(&partition)?;
    let r = records.find(&id)?;
    let store = state.store.reminders();
    let gained = Reminders::active_delta(Some(r), None);
    store
        .commit(
            vec![store.tx_delete(r)?],
            records.vehicles.get(&r.vehicle_id),
            gained,
        )
        .await?;
    Ok(no_content())
}

/// Marks the reminder done; optionally records the maintenance; for a
/// recurring reminder creates the next occurrence, counted from the
/// completion date and mileage. One transaction.
pub async fn complete(
    State(state): State<MaintenancesState>,
    partition: Everything,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Response> {
    let records = Records::of(&partition)?;
    let before = records.find(&id)?;
    let vehicle = records.vehicles.get(&before.vehicle_id).ok_or(NOT_FOUND)?;
    let input = read_completion(&body)?;
    if !before.is_active() {
        return Err(Error::BadRequest(
            "Only an active reminder can be completed.".into(),
        ));
    }
    let now = time::now();
    let done_at = input.completed_at.unwrap_or(now);
    let done_km = input.mileage.unwrap_or(vehicle.mileage);

    let maintenance = input.record_maintenance.then(|| Maintenance {
        id: uuid::Uuid::now_v7().to_string(),
        owner_id: partition.user.id.clone(),
        vehicle_id: vehicle.id.clone(),
        service_date: done_at,
        service_type: before.service_type.clone(),
        description: input.description.clone().or_else(|| before.notes.clone()),
        mileage: Some(done_km),
        cost: input.cost,
        status: COMPLETED.to_string(),
        invoice_url: None,
        performed_by: Some(partition.user.id.clone()),
        reminder_sent: false,
        created_at: now,
        updated_at: now,
        version: 0,
    });

    // The vehicle and history as this completion leaves them.
    let mut vehicle_after = vehicle.clone();
    let mut history = records.maintenances.clone();
    if let Some(m) = &maintenance {
        vehicle_after.mileage = vehicle.mileage.max(done_km);
        history.push(m.clone());
    }
    let trend = vehicle_trend(&vehicle_after, &history, now);

    let next = before
        .next_occurrence(done_at, done_km)
        .map(|n| n.refreshed(trend));
    let mut done = before.clone();
    done.status = DONE.to_string();
    done.completed_at = Some(done_at);
    done.completed_mileage = Some(done_km);
    done.next_reminder_id = next.as_ref().map(|n| n.id.clone());
    done.maintenance_id = maintenance.as_ref().map(|m| m.id.clone());
    done.alert_at = None;
    done.updated_at = now;
    done.version = before.version + 1;

    let store = state.store.reminders();
    let gained = Reminders::active_delta(Some(before), Some(&done))
        + Reminders::active_delta(None, next.as_ref());
    let mut writes = vec![store.tx_replace(before.version, &done)?];
    if let Some(n) = &next {
        writes.push(store.tx_create(n)?);
    }
    match &maintenance {
        Some(m) => {
            // The other reminders of the vehicle follow the new reading.
            let others: Vec<Reminder> = records
                .reminders
                .iter()
                .filter(|r| r.id != before.id)
                .cloned()
                .collect();
            writes.extend(odometer::refreshes(
                &state.store,
                &others,
                &vehicle_after,
                &history,
                now,
            )?);
            state
                .store
                .maintenances()
                .create(
                    m,
                    vehicle,
                    writes,
                    VehicleEffect {
                        active_reminders: gained,
                        ..VehicleEffect::default()
                    },
                    partition.user.plan.as_ref(),
                )
                .await?;
        }
        None => store.commit(writes, Some(vehicle), gained).await?,
    }
    Ok(ok(json!({
        "reminder": done.to_json(Some(&vehicle_after), now),
        "next_reminder": next.map(|n| n.to_json(Some(&vehicle_after), now)),
        "maintenance": maintenance.map(|m| m.to_json(Some(&vehicle_after), &partition.user)),
    })))
}
