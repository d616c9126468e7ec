//! Vehicle endpoints (spec 3.2). Every read and write goes through the
//! caller's partition: another user's vehicle is a 404. Each handler reads
//! only the collections it answers from.

use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::Value;
use shared::auth::collections::{DIAGNOSTICS, DOCUMENTS, MAINTENANCES, REMINDERS, VEHICLES};
use shared::auth::{CurrentUser, UserData};
use shared::domain::documents::{download_path, VIEW_LIMIT};
use shared::domain::maintenances::{vehicle_stats, Maintenance};
use shared::domain::odometer::{record_reading, Reading};
use shared::domain::vehicles::{fleet_stats, Vehicle, FUEL_TYPES, TRANSMISSIONS};
use shared::http::listing::{
    choice_filter, matches_search, number_filter, ordering, search_terms, sort, SortKey,
};
use shared::http::pagination::RequestUrl;
use shared::http::{created, no_content, ok, JsonBody, Page};
use shared::store::vehicles::VinClaim;
use shared::usecases::{odometer, vehicle_deletion};
use shared::{time, Error, Result};

use crate::input;
use crate::VehiclesState;

/// A vehicle edit or delete follows the vehicle's maintenances and reminders.
type Garage = UserData<{ VEHICLES | MAINTENANCES | REMINDERS }>;
/// A vehicle's deletion also takes its documents and diagnostics.
type Wreck = UserData<{ VEHICLES | MAINTENANCES | REMINDERS | DOCUMENTS | DIAGNOSTICS }>;
/// The vehicle's diagnostics view.
type Casebook = UserData<{ VEHICLES | DIAGNOSTICS }>;
/// The vehicle's documents view.
type Papers = UserData<{ VEHICLES | DOCUMENTS }>;
/// A vehicle's own views: the vehicle and its maintenances.
type Logbook = UserData<{ VEHICLES | MAINTENANCES }>;

const NOT_FOUND: Error = Error::NotFound(Some("Vehicle"));
const VIN_TAKEN: &str = "vehicle with this vin already exists.";
const ORDERING_FIELDS: &[&str] = &["make", "model", "year", "created_at", "mileage"];

fn sort_key(v: &Vehicle, field: &str) -> SortKey {
    match field {
        "make" => SortKey::Text(v.make.to_lowercase()),
        "model" => SortKey::Text(v.model.to_lowercase()),
        "year" => SortKey::Number(v.year as f64),
        "mileage" => SortKey::Number(v.mileage as f64),
        _ => SortKey::Time(v.created_at),
    }
}

pub async fn list(
    State(state): State<VehiclesState>,
    CurrentUser(user): CurrentUser,
    url: RequestUrl,
) -> Result<Response> {
    let fuel = choice_filter(&url, "fuel_type", FUEL_TYPES)?;
    let transmission = choice_filter(&url, "transmission", TRANSMISSIONS)?;
    let year = number_filter(&url, "year")?;
    let make = url.param("make").filter(|v| !v.is_empty());
    let model = url.param("model").filter(|v| !v.is_empty());
    let terms = url.param("search").map(search_terms).unwrap_or_default();

    let mut vehicles: Vec<Vehicle> = state
        .store
        .vehicles()
        .list(&user.id)
        .await?
        .into_iter()
        .filter(|v| fuel.is_none_or(|f| v.fuel_type.as_deref() == Some(f)))
        .filter(|v| transmission.is_none_or(|t| v.transmission.as_deref() == Some(t)))
        .filter(|v| year.is_none_or(|y| v.year as f64 == y))
        .filter(|v| make.is_none_or(|m| v.make == m))
        .filter(|v| model.is_none_or(|m| v.model == m))
        .filter(|v| {
            matches_search(
                &terms,
                &[
                    &v.make,
                    &v.model,
                    v.license_plate.as_deref().unwrap_or(""),
                    v.vin.as_deref().unwrap_or(""),
                ],
            )
        })
        .collect();
    sort(
        &mut vehicles,
        &ordering(&url, ORDERING_FIELDS, &["-created_at"]),
        sort_key,
    );
    let rows: Vec<Value> = vehicles.iter().map(|v| v.to_json(&user)).collect();
    Ok(ok(Page::paginate(rows, &url)?))
}

pub async fn create(
    State(state): State<VehiclesState>,
    CurrentUser(user): CurrentUser,
    JsonBody(body): JsonBody,
) -> Result<Response> {
    let input = input::read(&body, false)?;
    let now = time::now();
    let mut vehicle = Vehicle {
        id: uuid::Uuid::now_v7().to_string(),
        owner_id: user.id.clone(),
        make: String::new(),
        model: String::new(),
        year: 0,
        license_plate: None,
        vin: None,
        color: None,
        fuel_type: None,
        transmission: None,
        mileage: 0,
        odometer_log: Vec::new(),
        maintenances_count: 0,
        documents_count: 0,
        diagnostics_count: 0,
        active_reminders: 0,
        created_at: now,
        updated_at: now,
        version: 0,
    };
    input.apply(&mut vehicle);
    record_reading(
        &mut vehicle.odometer_log,
        Reading {
            at: now,
            km: vehicle.mileage,
        },
    );
    match state
        .store
        .vehicles()
        .create(&vehicle, user.plan.as_ref())
        .await?
    {
        VinClaim::Done => Ok(created(vehicle.to_json(&user))),
        VinClaim::VinTaken => Err(Error::field("vin", VIN_TAKEN)),
    }
}

async fn owned(state: &VehiclesState, owner_id: &str, id: &str) -> Result<Vehicle> {
    state
        .store
        .vehicles()
        .get(owner_id, id)
        .await?
        .ok_or(NOT_FOUND)
}

pub async fn detail(
    State(state): State<VehiclesState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response> {
    let vehicle = owned(&state, &user.id, &id).await?;
    Ok(ok(vehicle.to_detail_json(&user)))
}

pub async fn replace(
    state: State<VehiclesState>,
    partition: Garage,
    id: Path<String>,
    body: JsonBody,
) -> Result<Response> {
    update(state, partition, id, body, false).await
}

pub async fn patch(
    state: State<VehiclesState>,
    partition: Garage,
    id: Path<String>,
    body: JsonBody,
) -> Result<Response> {
    update(state, partition, id, body, true).await
}

/// An edit that moves the odometer logs the reading and refreshes the
/// vehicle's reminders in the same transaction.
async fn update(
    State(state): State<VehiclesState>,
    partition: Garage,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
    partial: bool,
) -> Result<Response> {
    let (before, maintenances) = vehicle_records(&partition, &id)?;
    let input = input::read(&body, partial)?;
    let mut after = before.clone();
    input.apply(&mut after);
    let now = time::now();
    after.updated_at = now;
    after.version = before.version + 1;
    let also = odometer::after_vehicle_edit(
        &state.store,
        &before,
        &mut after,
        &partition.fleet.reminders,
        &maintenances,
        now,
    )?;
    match state
        .store
        .vehicles()
        .replace(&before, &after, also)
        .await?
    {
        VinClaim::Done => Ok(ok(after.to_json(&partition.user))),
        VinClaim::VinTaken => Err(Error::field("vin", VIN_TAKEN)),
    }
}

/// The vehicle `id` and its maintenances, from the caller's partition.
fn vehicle_records<const C: u8>(
    partition: &UserData<C>,
    id: &str,
) -> Result<(Vehicle, Vec<Maintenance>)> {
    let vehicle = partition.fleet.vehicle(id).ok_or(NOT_FOUND)?.clone();
    Ok((vehicle, partition.fleet.maintenances_of(id)))
}

/// Deletes the vehicle and what goes with it (`usecases::vehicle_deletion`).
pub async fn delete(
    State(state): State<VehiclesState>,
    partition: Wreck,
    Path(id): Path<String>,
) -> Result<Response> {
    let (vehicle, _) = vehicle_records(&partition, &id)?;
    vehicle_deletion::delete_vehicle(&state.store, &partition.fleet, &vehicle).await?;
    Ok(no_content())
}

/// The vehicle's maintenances, newest service first (bare array).
pub async fn maintenances(partition: Logbook, Path(id): Path<String>) -> Result<Response> {
    let (vehicle, mut items) = vehicle_records(&partition, &id)?;
    items.sort_by_key(|m| std::cmp::Reverse(m.service_date));
    let rows: Vec<Value> = items
        .iter()
        .map(|m| m.to_json(Some(&vehicle), &partition.user))
        .collect();
    Ok(ok(rows))
}

/// One vehicle's maintenance statistics (the seed's per-vehicle stats).
pub async fn stats(partition: Logbook, Path(id): Path<String>) -> Result<Response> {
    let (vehicle, items) = vehicle_records(&partition, &id)?;
    let refs: Vec<&Maintenance> = items.iter().collect();
    Ok(ok(vehicle_stats(&vehicle, &refs)))
}

/// `GET /api/vehicles/stats/`: over all of the caller's vehicles.
pub async fn fleet(
    State(state): State<VehiclesState>,
    CurrentUser(user): CurrentUser,
) -> Result<Response> {
    Ok(ok(fleet_stats(
        &state.store.vehicles().list(&user.id).await?,
    )))
}

/// Documents of a vehicle, newest first (the newest `VIEW_LIMIT`). As in
/// the reference, `file` is a relative path here: the documents function's
/// `file/` route, which redirects to a fresh download link.
pub async fn documents(
    State(state): State<VehiclesState>,
    partition: Papers,
    Path(id): Path<String>,
) -> Result<Response> {
    let vehicle = partition.fleet.vehicle(&id).ok_or(NOT_FOUND)?;
    let mut papers = partition.fleet.documents_of(&id)?;
    papers.reverse();
    papers.truncate(VIEW_LIMIT);
    let ids: Vec<&str> = papers.iter().map(|d| d.id.as_str()).collect();
    let texts = state
        .store
        .documents()
        .texts(&partition.user.id, &ids)
        .await?;
    let vehicle_json = vehicle.to_json(&partition.user);
    let rows: Vec<Value> = papers
        .iter()
        .map(|d| {
            d.to_json(
                &download_path(&d.id),
                Some(vehicle_json.clone()),
                texts.get(&d.id).map(String::as_str),
            )
        })
        .collect();
    Ok(ok(rows))
}

/// `GET /api/vehicles/{id}/diagnostics/` (spec 3.2.9): the vehicle's
/// diagnostics, newest first (the diagnostics function's representation).
pub async fn diagnostics(partition: Casebook, Path(id): Path<String>) -> Result<Response> {
    let vehicle = partition.fleet.vehicle(&id).ok_or(NOT_FOUND)?;
    let mut cases = partition.fleet.diagnostics_of(&id)?;
    cases.reverse();
    cases.truncate(shared::domain::diagnostics::VIEW_LIMIT);
    let vehicle_json = vehicle.to_json(&partition.user);
    let rows: Vec<Value> = cases
        .iter()
        .map(|d| d.to_json(Some(vehicle_json.clone())))
        .collect();
    Ok(ok(rows))
}
