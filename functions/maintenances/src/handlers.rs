//! Maintenance endpoints (spec 4.2). Reads use the collections of the
//! caller's partition they answer from (read with the user); upcoming and
//! overdue use the sparse index of scheduled dates.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::response::Response;
use chrono::Duration;
use serde_json::{json, Value};
use shared::auth::CurrentUser;
use shared::domain::maintenances::{overview_stats, Maintenance, COMPLETED, SCHEDULED, STATUSES};
use shared::domain::vehicles::Vehicle;
use shared::http::listing::{choice_filter, matches_search, ordering, search_terms, sort, SortKey};
use shared::http::pagination::RequestUrl;
use shared::http::{created, no_content, ok, JsonBody, Page};
use shared::store::Write;
use shared::usecases::odometer;
use shared::{time, Error, Result};

use crate::input;
use crate::records::{Everything, History, Logbook, Records};
use crate::MaintenancesState;

const NOT_FOUND: Error = Error::NotFound(Some("Maintenance"));
pub(crate) const ORDERING_FIELDS: &[&str] = &["service_date", "cost", "mileage", "created_at"];

/// The writes refreshing `vehicle`'s reminders once `changed` replaces (or,
/// with `removed`, drops) its namesake in the odometer history; the vehicle
/// is taken at the mileage the write leaves it.
fn reminder_refreshes(
    state: &MaintenancesState,
    records: &Records,
    vehicle: &Vehicle,
    changed: &Maintenance,
    removed: bool,
) -> Result<Vec<Write>> {
    odometer::after_record_change(
        &state.store,
        &records.reminders,
        vehicle,
        &records.maintenances,
        changed,
        removed,
        time::now(),
    )
}

fn rows(
    records: &Records,
    items: &[&Maintenance],
    owner: &shared::domain::users::User,
) -> Vec<Value> {
    items
        .iter()
        .map(|m| m.to_json(records.vehicles.get(&m.vehicle_id), owner))
        .collect()
}

fn sort_key(m: &Maintenance, field: &str) -> SortKey {
    match field {
        "cost" => m.cost.map_or(SortKey::Null, |c| SortKey::Number(c as f64)),
        "mileage" => m
            .mileage
            .map_or(SortKey::Null, |km| SortKey::Number(km as f64)),
        "created_at" => SortKey::Time(m.created_at),
        _ => SortKey::Time(m.service_date),
    }
}

pub async fn list(partition: Logbook, url: RequestUrl) -> Result<Response> {
    let status = choice_filter(&url, "status", STATUSES)?;
    let vehicle = url.param("vehicle").filter(|v| !v.is_empty());
    let service_type = url.param("service_type").filter(|v| !v.is_empty());
    let terms = url.param("search").map(search_terms).unwrap_or_default();
    let records = Records::of(&partition)?;
    let mut items: Vec<&Maintenance> = records
        .maintenances
        .iter()
        .filter(|m| status.is_none_or(|s| m.status == s))
        .filter(|m| vehicle.is_none_or(|v| m.vehicle_id == v))
        .filter(|m| service_type.is_none_or(|t| m.service_type == t))
        .filter(|m| {
            let v = records.vehicles.get(&m.vehicle_id);
            matches_search(
                &terms,
                &[
                    &m.service_type,
                    m.description.as_deref().unwrap_or(""),
                    v.map_or("", |v| v.make.as_str()),
                    v.map_or("", |v| v.model.as_str()),
                ],
            )
        })
        .collect();
    sort(
        &mut items,
        &ordering(&url, ORDERING_FIELDS, &["-service_date"]),
        |m, f| sort_key(m, f),
    );
    Ok(ok(Page::paginate(
        rows(&records, &items, &partition.user),
        &url,
    )?))
}

pub async fn create(
    State(state): State<MaintenancesState>,
    partition: Everything,
    JsonBody(body): JsonBody,
) -> Result<Response> {
    let records = Records::of(&partition)?;
    let input = input::read(&body, false, true, &partition.user, |id| {
        records.vehicles.contains_key(id)
    })?;
    let vehicle = input
        .vehicle
        .as_ref()
        .and_then(|id| records.vehicles.get(id))
        .ok_or_else(|| Error::internal("validated vehicle missing"))?
        .clone();
    let now = time::now();
    let mut m = Maintenance {
        id: uuid::Uuid::now_v7().to_string(),
        owner_id: partition.user.id.clone(),
        vehicle_id: vehicle.id.clone(),
        service_date: now,
        service_type: String::new(),
        description: None,
        mileage: None,
        cost: None,
        status: SCHEDULED.to_string(),
        invoice_url: None,
        performed_by: None,
        reminder_sent: false,
        created_at: now,
        updated_at: now,
        version: 0,
    };
    input.apply(&mut m);
    let also = reminder_refreshes(&state, &records, &vehicle, &m, false)?;
    state
        .store
        .maintenances()
        .create(
            &m,
            &vehicle,
            also,
            Default::default(),
            partition.user.plan.as_ref(),
        )
        .await?;
    Ok(created(m.to_json(Some(&vehicle), &partition.user)))
}

fn find<'a>(records: &'a Records, id: &str) -> Result<&'a Maintenance> {
    records
        .maintenances
        .iter()
        .find(|m| m.id == id)
        .ok_or(NOT_FOUND)
}

pub async fn detail(partition: Logbook, Path(id): Path<String>) -> Result<Response> {
    let records = Records::of(&partition)?;
    let m = find(&records, &id)?;
    Ok(ok(m.to_detail_json(
        records.vehicles.get(&m.vehicle_id),
        &partition.user,
    )))
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

async fn update(
    State(state): State<MaintenancesState>,
    partition: Everything,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
    partial: bool,
) -> Result<Response> {
    let records = Records::of(&partition)?;
    let before = find(&records, &id)?;
    let vehicle = records.vehicles.get(&before.vehicle_id).ok_or(NOT_FOUND)?;
    // `vehicle` in the body is ignored: a record stays with its vehicle.
    let input = input::read(&body, partial, false, &partition.user, |_| true)?;
    let mut after = before.clone();
    let date_moves = input
        .service_date
        .is_some_and(|date| date != before.service_date);
    let sent_given = input.reminder_sent.is_some();
    input.apply(&mut after);
    if date_moves && !sent_given {
        // A planned date that moves is announced again before the new date.
        after.reminder_sent = false;
    }
    after.updated_at = time::now();
    after.version = before.version + 1;
    let also = reminder_refreshes(&state, &records, vehicle, &after, false)?;
    state
        .store
        .maintenances()
        .replace(before, &after, vehicle, also)
        .await?;
    Ok(ok(after.to_json(Some(vehicle), &partition.user)))
}

pub async fn delete(
    State(state): State<MaintenancesState>,
    partition: Everything,
    Path(id): Path<String>,
) -> Result<Response> {
    let records = Records::of(&partition)?;
    let m = find(&records, &id)?;
    let vehicle = records.vehicles.get(&m.vehicle_id);
    let also = match vehicle {
        Some(v) => reminder_refreshes(&state, &records, v, m, true)?,
        None => Vec::new(),
    };
    state.store.maintenances().delete(m, vehicle, also).await?;
    Ok(no_content())
}

/// Scheduled maintenances from the sparse date index, with their vehicles.
async fn scheduled(
    state: &MaintenancesState,
    user: &shared::domain::users::User,
    overdue: bool,
) -> Result<Response> {
    // The index and the vehicles are read at the same time.
    let now = time::now();
    let maintenances = state.store.maintenances();
    let vehicles = state.store.vehicles();
    let (mut items, vehicles) = tokio::try_join!(
        maintenances.scheduled(&user.id, &now, overdue),
        vehicles.list(&user.id)
    )?;
    items.sort_by_key(|m| m.service_date);
    let vehicles: HashMap<String, Vehicle> =
        vehicles.into_iter().map(|v| (v.id.clone(), v)).collect();
    let rows: Vec<Value> = items
        .iter()
        .map(|m| m.to_json(vehicles.get(&m.vehicle_id), user))
        .collect();
    Ok(ok(rows))
}

pub async fn upcoming(
    State(state): State<MaintenancesState>,
    CurrentUser(user): CurrentUser,
) -> Result<Response> {
    scheduled(&state, &user, false).await
}

pub async fn overdue(
    State(state): State<MaintenancesState>,
    CurrentUser(user): CurrentUser,
) -> Result<Response> {
    scheduled(&state, &user, true).await
}

fn date_param(url: &RequestUrl, name: &str) -> Result<Option<chrono::DateTime<chrono::Utc>>> {
    match url.param(name).map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(raw) => time::parse(raw).map(Some).ok_or_else(|| {
            Error::field(
                name,
                "Enter a valid date or date-time (YYYY-MM-DD or ISO 8601).",
            )
        }),
    }
}

pub async fn stats(partition: History, url: RequestUrl) -> Result<Response> {
    let start = date_param(&url, "start_date")?;
    let end = date_param(&url, "end_date")?;
    let records = Records::of(&partition)?;
    let items: Vec<&Maintenance> = records
        .maintenances
        .iter()
        .filter(|m| start.is_none_or(|s| m.service_date >= s))
        .filter(|m| end.is_none_or(|e| m.service_date <= e))
        .collect();
    Ok(ok(overview_stats(&items)))
}

pub async fn recent(partition: Logbook) -> Result<Response> {
    let since = time::now() - Duration::days(30);
    let records = Records::of(&partition)?;
    let mut items: Vec<&Maintenance> = records
        .maintenances
        .iter()
        .filter(|m| m.status == COMPLETED && m.service_date >= since)
        .collect();
    items.sort_by_key(|m| std::cmp::Reverse(m.service_date));
    Ok(ok(rows(&records, &items, &partition.user)))
}

pub async fn by_vehicle(partition: Logbook, url: RequestUrl) -> Result<Response> {
    let only = url.param("vehicle_id").filter(|v| !v.is_empty());
    let records = Records::of(&partition)?;
    let mut items: Vec<&Maintenance> = records
        .maintenances
        .iter()
        .filter(|m| only.is_none_or(|v| m.vehicle_id == v))
        .collect();
    items.sort_by_key(|m| std::cmp::Reverse(m.service_date));
    let mut order: Vec<&str> = Vec::new();
    let mut groups: HashMap<&str, Vec<&Maintenance>> = HashMap::new();
    for m in items {
        if !groups.contains_key(m.vehicle_id.as_str()) {
            order.push(&m.vehicle_id);
        }
        groups.entry(&m.vehicle_id).or_default().push(m);
    }
    let result: Vec<Value> = order
        .into_iter()
        .map(|vid| {
            let ms = &groups[vid];
            let v = records.vehicles.get(vid);
            let total: i64 = ms.iter().filter_map(|m| m.cost).sum();
            json!({
                "vehicle": v.map(|v| json!({"id": v.id, "make": v.make, "model": v.model, "year": v.year})),
                "maintenances": rows(&records, ms, &partition.user),
                "total_cost": shared::domain::money::cents_to_number(total),
                "count": ms.len(),
            })
        })
        .collect();
    Ok(ok(result))
}
