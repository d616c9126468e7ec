//! This function's part of the API document (feature `openapi`, never in
//! the release binary; docs/openapi-design.md): maintenance records (spec 4)
//! and reminders. One `utoipa::path` stub per operation, named after its
//! handler, at the seed path with its trailing slash. The shapes are the
//! ones `Maintenance::to_json`, `Reminder::to_json` and the handlers write,
//! and the bodies the ones `input::read`, `reminder_input::read` and
//! `read_completion` accept, with limits from the same constants.

// The stubs only carry their `utoipa::path` attribute: nothing calls them.
#![allow(dead_code)]

use serde_json::{json, Value};
use shared::domain::{maintenances, reminders};
use shared::openapi::{DetailRef, PlanLimitRef};
use shared::time::{MAX_YEAR, MIN_YEAR};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::input::{COST_DIGITS, DESCRIPTION_MAX, INVOICE_URL_MAX, MAX_MILEAGE, SERVICE_TYPE_MAX};
use crate::reminder_input::{
    MAX_DAYS_BEFORE, MAX_KM_BEFORE, MAX_RECURRENCE_KM, MAX_RECURRENCE_MONTHS, NOTES_MAX, TITLE_MAX,
};

const MAINTENANCES: &str = "maintenances";
/// The 403 of a maintenance record beyond the month's of the plan.
const MONTH_USED: &str =
    "The plan's maintenance records of the month are all used (`limit`: `maintenances_per_month`)";
const REMINDERS: &str = "reminders";

fn schema(value: Value) -> RefOr<Schema> {
    RefOr::T(serde_json::from_value(value).expect("a valid schema"))
}

fn nullable(mut value: Value) -> Value {
    let mut kinds = match value["type"].take() {
        Value::Array(kinds) => kinds,
        kind => vec![kind],
    };
    kinds.push(json!("null"));
    value["type"] = Value::Array(kinds);
    if let Some(values) = value.get_mut("enum").and_then(Value::as_array_mut) {
        values.push(Value::Null);
    }
    value
}

// ---- inputs -------------------------------------------------------------

/// A date-time the validator takes: RFC 3339 (a bare `YYYY-MM-DD` and a
/// naive date-time, read as UTC, are accepted too), years `MIN_YEAR` to
/// `MAX_YEAR` once in UTC. The pattern keeps generated values a day clear
/// of both ends, where an offset could move the year out of range.
fn date_value() -> Value {
    json!({
        "type": "string",
        "format": "date-time",
        "pattern": "^(19(0[1-9]|[1-9][0-9])|2[01][0-9]{2})-",
        "maxLength": 64,
        "description": format!(
            "A date-time (RFC 3339; a bare date is midnight UTC), years {MIN_YEAR} to {MAX_YEAR} in UTC."
        ),
    })
}

fn date_in() -> RefOr<Schema> {
    schema(date_value())
}

fn date_in_nullable() -> RefOr<Schema> {
    schema(nullable(date_value()))
}

/// Text the validator trims; `required`: not blank once trimmed.
/// A number is taken too, as its text (the contract's text fields).
fn text_value(max: usize, required: bool) -> Value {
    let pattern = shared::openapi::trimmed_text_pattern(max, !required);
    let mut value = json!({"type": ["string", "number"], "pattern": pattern});
    if required {
        value["description"] = json!(format!(
            "At most {max} characters once trimmed; not blank; a number is taken as its text."
        ));
    } else {
        value["description"] = json!(format!(
            "At most {max} characters once trimmed; a number is taken as its text."
        ));
    }
    value
}

fn service_type_in() -> RefOr<Schema> {
    schema(text_value(SERVICE_TYPE_MAX, true))
}

fn description_in() -> RefOr<Schema> {
    schema(nullable(text_value(DESCRIPTION_MAX, false)))
}

fn title_in() -> RefOr<Schema> {
    let mut value = nullable(text_value(TITLE_MAX, false));
    value["description"] = json!(format!(
        "At most {TITLE_MAX} characters; blank or absent: the service type."
    ));
    schema(value)
}

fn notes_in() -> RefOr<Schema> {
    schema(nullable(text_value(NOTES_MAX, false)))
}

fn invoice_url_in() -> RefOr<Schema> {
    schema(json!({
        "type": ["string", "null"],
        "format": "uri",
        "pattern": "^(https?|ftps?)://[A-Za-z0-9.-]*[A-Za-z0-9-]\\.[A-Za-z0-9.-]*[A-Za-z0-9](/[^\\s]*)?$",
        "maxLength": INVOICE_URL_MAX,
        "description": format!("An http(s) or ftp(s) URL, at most {INVOICE_URL_MAX} characters; blank or null clears it."),
    }))
}

fn integer_value(min: i64, max: i64) -> Value {
    json!({"type": "integer", "minimum": min, "maximum": max})
}

fn mileage_in() -> RefOr<Schema> {
    schema(nullable(integer_value(0, MAX_MILEAGE)))
}

fn mileage_in_required() -> RefOr<Schema> {
    schema(integer_value(0, MAX_MILEAGE))
}

fn threshold_days_in() -> RefOr<Schema> {
    schema(integer_value(0, MAX_DAYS_BEFORE))
}

fn threshold_km_in() -> RefOr<Schema> {
    schema(integer_value(0, MAX_KM_BEFORE))
}

fn recurrence_months_in() -> RefOr<Schema> {
    schema(nullable(integer_value(1, MAX_RECURRENCE_MONTHS)))
}

fn recurrence_km_in() -> RefOr<Schema> {
    schema(nullable(integer_value(1, MAX_RECURRENCE_KM)))
}

/// A non-negative amount: a number or a decimal string, at most
/// `COST_DIGITS` digits of which 2 decimals.
fn cost_in() -> RefOr<Schema> {
    let whole = COST_DIGITS - 2;
    let max = 10f64.powi(whole as i32) - 0.01;
    schema(json!({
        "description": format!(
            "An amount of at most {COST_DIGITS} digits, 2 of them decimals, not negative: a number or a decimal string (`\"89.90\"`); null clears it."
        ),
        "anyOf": [
            {"type": "integer", "minimum": 0, "maximum": max.floor()},
            {"type": "string", "pattern": format!("^\\+?(0*[0-9]{{1,{whole}}}(\\.[0-9]{{0,2}}0*)?|\\.[0-9]{{1,2}}0*)$")},
            {"type": "null"}
        ]
    }))
}

fn maintenance_status_in() -> RefOr<Schema> {
    schema(json!({"type": "string", "enum": maintenances::STATUSES}))
}

fn reminder_status_in() -> RefOr<Schema> {
    schema(json!({"type": "string", "enum": reminders::STATUSES}))
}

// ---- outputs ------------------------------------------------------------

fn maintenance_status() -> RefOr<Schema> {
    maintenance_status_in()
}

fn reminder_status() -> RefOr<Schema> {
    reminder_status_in()
}

fn urgency() -> RefOr<Schema> {
    schema(json!({
        "type": ["string", "null"],
        "enum": [reminders::Urgency::Soon.as_str(), reminders::Urgency::Urgent.as_str(), reminders::Urgency::Overdue.as_str(), null],
        "description": "How pressing an active reminder is now; null when not due yet or not active."
    }))
}

/// A cost as the API writes it: a decimal string with two decimals.
fn cost_out() -> RefOr<Schema> {
    schema(
        json!({"type": ["string", "null"], "pattern": "^-?[0-9]+\\.[0-9]{2}$", "example": "89.90"}),
    )
}

/// A computed amount in currency units (a number).
fn amount_out() -> RefOr<Schema> {
    schema(json!({"type": ["number", "null"]}))
}

fn vehicle_detail() -> RefOr<Schema> {
    schema(json!({
        "type": ["object", "null"],
        "description": "The vehicle in full, as `GET /api/vehicles/{id}/` answers it."
    }))
}

/// The vehicle's summary in a maintenance.
#[derive(ToSchema)]
#[schema(as = MaintenanceVehicleInfo)]
struct MaintenanceVehicleInfo {
    #[schema(format = Uuid)]
    id: String,
    make: String,
    model: String,
    year: i64,
    #[schema(required = true)]
    license_plate: Option<String>,
}

/// The vehicle's summary in a reminder, with its odometer.
#[derive(ToSchema)]
#[schema(as = ReminderVehicleInfo)]
struct ReminderVehicleInfo {
    #[schema(format = Uuid)]
    id: String,
    make: String,
    model: String,
    year: i64,
    #[schema(required = true)]
    license_plate: Option<String>,
    mileage: i64,
}

/// `Maintenance` (spec 4.1).
#[derive(ToSchema)]
#[schema(as = Maintenance)]
struct MaintenanceOut {
    #[schema(format = Uuid)]
    id: String,
    /// The vehicle's id.
    #[schema(format = Uuid)]
    vehicle: String,
    #[schema(required = true)]
    vehicle_info: Option<MaintenanceVehicleInfo>,
    /// The owner (the caller).
    #[schema(format = Uuid)]
    created_by: String,
    created_by_name: String,
    #[schema(required = true, format = Uuid)]
    performed_by: Option<String>,
    #[schema(required = true)]
    performed_by_name: Option<String>,
    #[schema(format = DateTime)]
    service_date: String,
    service_type: String,
    #[schema(required = true)]
    description: Option<String>,
    #[schema(required = true)]
    mileage: Option<i64>,
    #[schema(schema_with = cost_out, required = true)]
    cost: Option<String>,
    #[schema(schema_with = maintenance_status)]
    status: String,
    #[schema(required = true)]
    invoice_url: Option<String>,
    reminder_sent: bool,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    updated_at: String,
}

/// `MaintenanceDetail`: a `Maintenance` with its vehicle in full.
#[derive(ToSchema)]
#[schema(as = MaintenanceDetail)]
struct MaintenanceDetailOut {
    #[schema(format = Uuid)]
    id: String,
    #[schema(format = Uuid)]
    vehicle: String,
    #[schema(required = true)]
    vehicle_info: Option<MaintenanceVehicleInfo>,
    #[schema(schema_with = vehicle_detail)]
    vehicle_detail: Value,
    #[schema(format = Uuid)]
    created_by: String,
    created_by_name: String,
    #[schema(required = true, format = Uuid)]
    performed_by: Option<String>,
    #[schema(required = true)]
    performed_by_name: Option<String>,
    #[schema(format = DateTime)]
    service_date: String,
    service_type: String,
    #[schema(required = true)]
    description: Option<String>,
    #[schema(required = true)]
    mileage: Option<i64>,
    #[schema(schema_with = cost_out, required = true)]
    cost: Option<String>,
    #[schema(schema_with = maintenance_status)]
    status: String,
    #[schema(required = true)]
    invoice_url: Option<String>,
    reminder_sent: bool,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    updated_at: String,
}

/// The body of `POST /api/maintenances/`; unknown fields are ignored.
#[derive(ToSchema)]
#[schema(as = MaintenanceCreate)]
struct MaintenanceCreate {
    /// One of the caller's vehicles.
    #[schema(format = Uuid)]
    vehicle: String,
    #[schema(schema_with = date_in)]
    service_date: String,
    #[schema(schema_with = service_type_in)]
    service_type: String,
    #[schema(schema_with = description_in, required = false)]
    description: Option<String>,
    #[schema(schema_with = mileage_in, required = false)]
    mileage: Option<i64>,
    #[schema(schema_with = cost_in, required = false)]
    cost: Option<String>,
    /// Default `SCHEDULED`.
    #[schema(schema_with = maintenance_status_in, required = false)]
    status: String,
    #[schema(schema_with = invoice_url_in, required = false)]
    invoice_url: Option<String>,
    /// The caller's own user id (nobody else's), or null.
    #[schema(format = Uuid, required = false)]
    performed_by: Option<String>,
}

/// The body of `PUT /api/maintenances/{id}/`: a record stays with its
/// vehicle (`vehicle` is ignored); unknown fields are ignored.
#[derive(ToSchema)]
#[schema(as = MaintenanceReplace)]
struct MaintenanceReplace {
    #[schema(schema_with = date_in)]
    service_date: String,
    #[schema(schema_with = service_type_in)]
    service_type: String,
    #[schema(schema_with = description_in, required = false)]
    description: Option<String>,
    #[schema(schema_with = mileage_in, required = false)]
    mileage: Option<i64>,
    #[schema(schema_with = cost_in, required = false)]
    cost: Option<String>,
    #[schema(schema_with = maintenance_status_in, required = false)]
    status: String,
    #[schema(schema_with = invoice_url_in, required = false)]
    invoice_url: Option<String>,
    /// The caller's own user id (nobody else's), or null.
    #[schema(format = Uuid, required = false)]
    performed_by: Option<String>,
    /// A moved `service_date` without it resets it to false.
    #[schema(schema_with = shared::openapi::boolean_input, required = false)]
    reminder_sent: bool,
}

/// The body of `PATCH /api/maintenances/{id}/`: the fields of the PUT
/// body, each optional.
#[derive(ToSchema)]
#[schema(as = MaintenancePatch)]
struct MaintenancePatch {
    #[schema(schema_with = date_in, required = false)]
    service_date: String,
    #[schema(schema_with = service_type_in, required = false)]
    service_type: String,
    #[schema(schema_with = description_in, required = false)]
    description: Option<String>,
    #[schema(schema_with = mileage_in, required = false)]
    mileage: Option<i64>,
    #[schema(schema_with = cost_in, required = false)]
    cost: Option<String>,
    #[schema(schema_with = maintenance_status_in, required = false)]
    status: String,
    #[schema(schema_with = invoice_url_in, required = false)]
    invoice_url: Option<String>,
    #[schema(format = Uuid, required = false)]
    performed_by: Option<String>,
    #[schema(schema_with = shared::openapi::boolean_input, required = false)]
    reminder_sent: bool,
}

#[derive(ToSchema)]
struct MaintenanceOverview {
    total_count: i64,
    #[schema(schema_with = amount_out, required = true)]
    total_cost: Option<f64>,
    #[schema(schema_with = amount_out, required = true)]
    average_cost: Option<f64>,
    scheduled_count: i64,
    completed_count: i64,
    in_progress_count: i64,
}

#[derive(ToSchema)]
struct MaintenanceTopService {
    service_type: String,
    count: i64,
    /// Null when none of them has a cost.
    #[schema(schema_with = amount_out, required = true)]
    total_cost: Option<f64>,
}

/// `GET /api/maintenances/stats/` (spec 4.2.8); costs in currency units.
#[derive(ToSchema)]
#[schema(as = MaintenanceStats)]
struct MaintenanceStats {
    overview: MaintenanceOverview,
    /// The five most frequent service types.
    top_services: Vec<MaintenanceTopService>,
}

#[derive(ToSchema)]
struct VehicleSummary {
    #[schema(format = Uuid)]
    id: String,
    make: String,
    model: String,
    year: i64,
}

/// One vehicle's records in `GET /api/maintenances/by_vehicle/`.
#[derive(ToSchema)]
#[schema(as = MaintenancesOfVehicle)]
struct MaintenancesOfVehicle {
    #[schema(required = true)]
    vehicle: Option<VehicleSummary>,
    /// Newest first.
    maintenances: Vec<MaintenanceOut>,
    /// In currency units.
    total_cost: f64,
    count: i64,
}

/// `Reminder`: a maintenance to do by a date, a mileage or both.
#[derive(ToSchema)]
#[schema(as = Reminder)]
struct ReminderOut {
    #[schema(format = Uuid)]
    id: String,
    #[schema(format = Uuid)]
    vehicle: String,
    #[schema(required = true)]
    vehicle_info: Option<ReminderVehicleInfo>,
    service_type: String,
    title: String,
    #[schema(required = true)]
    notes: Option<String>,
    #[schema(required = true, format = DateTime)]
    due_date: Option<String>,
    #[schema(required = true)]
    due_mileage: Option<i64>,
    #[schema(required = true)]
    recurrence_months: Option<i64>,
    #[schema(required = true)]
    recurrence_km: Option<i64>,
    remind_days_before: i64,
    urgent_days_before: i64,
    remind_km_before: i64,
    urgent_km_before: i64,
    #[schema(schema_with = reminder_status)]
    status: String,
    #[schema(schema_with = urgency, required = true)]
    urgency: Option<String>,
    /// Whole days to `due_date` (negative: late).
    #[schema(required = true)]
    days_remaining: Option<i64>,
    /// `due_mileage` minus the vehicle's odometer (negative: past it).
    #[schema(required = true)]
    km_remaining: Option<i64>,
    /// When the vehicle's trend reaches `due_mileage`.
    #[schema(required = true, format = DateTime)]
    projected_due_date: Option<String>,
    /// The vehicle's recent kilometres per day.
    #[schema(required = true)]
    km_per_day: Option<f64>,
    #[schema(required = true, format = DateTime)]
    completed_at: Option<String>,
    #[schema(required = true)]
    completed_mileage: Option<i64>,
    /// The next occurrence created by completing a recurring reminder.
    #[schema(required = true, format = Uuid)]
    next_reminder: Option<String>,
    /// The maintenance recorded by its completion.
    #[schema(required = true, format = Uuid)]
    maintenance: Option<String>,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    updated_at: String,
}

/// The body of `POST /api/reminders/`: a due date, a due mileage or both
/// (else a 400 `non_field_errors`); the urgent thresholds at most the
/// remind ones. Unknown fields are ignored.
#[derive(ToSchema)]
#[schema(as = ReminderCreate)]
struct ReminderCreate {
    /// One of the caller's vehicles.
    #[schema(format = Uuid)]
    vehicle: String,
    #[schema(schema_with = service_type_in)]
    service_type: String,
    #[schema(schema_with = title_in, required = false)]
    title: Option<String>,
    #[schema(schema_with = notes_in, required = false)]
    notes: Option<String>,
    #[schema(schema_with = date_in_nullable, required = false)]
    due_date: Option<String>,
    #[schema(schema_with = mileage_in, required = false)]
    due_mileage: Option<i64>,
    #[schema(schema_with = recurrence_months_in, required = false)]
    recurrence_months: Option<i64>,
    #[schema(schema_with = recurrence_km_in, required = false)]
    recurrence_km: Option<i64>,
    /// Default `reminders::DEFAULT_REMIND_DAYS`.
    #[schema(schema_with = threshold_days_in, required = false)]
    remind_days_before: i64,
    #[schema(schema_with = threshold_days_in, required = false)]
    urgent_days_before: i64,
    #[schema(schema_with = threshold_km_in, required = false)]
    remind_km_before: i64,
    #[schema(schema_with = threshold_km_in, required = false)]
    urgent_km_before: i64,
}

/// The body of `PUT /api/reminders/{id}/` (`vehicle` is ignored: a
/// reminder stays with its vehicle); the rules of `ReminderCreate` apply
/// to the reminder as it would be stored.
#[derive(ToSchema)]
#[schema(as = ReminderReplace)]
struct ReminderReplace {
    #[schema(schema_with = service_type_in)]
    service_type: String,
    #[schema(schema_with = title_in, required = false)]
    title: Option<String>,
    #[schema(schema_with = notes_in, required = false)]
    notes: Option<String>,
    #[schema(schema_with = date_in_nullable, required = false)]
    due_date: Option<String>,
    #[schema(schema_with = mileage_in, required = false)]
    due_mileage: Option<i64>,
    #[schema(schema_with = recurrence_months_in, required = false)]
    recurrence_months: Option<i64>,
    #[schema(schema_with = recurrence_km_in, required = false)]
    recurrence_km: Option<i64>,
    #[schema(schema_with = threshold_days_in, required = false)]
    remind_days_before: i64,
    #[schema(schema_with = threshold_days_in, required = false)]
    urgent_days_before: i64,
    #[schema(schema_with = threshold_km_in, required = false)]
    remind_km_before: i64,
    #[schema(schema_with = threshold_km_in, required = false)]
    urgent_km_before: i64,
    #[schema(schema_with = reminder_status_in, required = false)]
    status: String,
}

/// The body of `PATCH /api/reminders/{id}/`: the PUT fields, each optional.
#[derive(ToSchema)]
#[schema(as = ReminderPatch)]
struct ReminderPatch {
    #[schema(schema_with = service_type_in, required = false)]
    service_type: String,
    #[schema(schema_with = title_in, required = false)]
    title: Option<String>,
    #[schema(schema_with = notes_in, required = false)]
    notes: Option<String>,
    #[schema(schema_with = date_in_nullable, required = false)]
    due_date: Option<String>,
    #[schema(schema_with = mileage_in, required = false)]
    due_mileage: Option<i64>,
    #[schema(schema_with = recurrence_months_in, required = false)]
    recurrence_months: Option<i64>,
    #[schema(schema_with = recurrence_km_in, required = false)]
    recurrence_km: Option<i64>,
    #[schema(schema_with = threshold_days_in, required = false)]
    remind_days_before: i64,
    #[schema(schema_with = threshold_days_in, required = false)]
    urgent_days_before: i64,
    #[schema(schema_with = threshold_km_in, required = false)]
    remind_km_before: i64,
    #[schema(schema_with = threshold_km_in, required = false)]
    urgent_km_before: i64,
    #[schema(schema_with = reminder_status_in, required = false)]
    status: String,
}

/// The body of `POST /api/reminders/{id}/complete/`, every field optional.
#[derive(ToSchema)]
#[schema(as = ReminderCompletion)]
struct ReminderCompletion {
    /// Default now; not in the future (5 minutes of clock skew allowed).
    #[schema(schema_with = date_in_nullable, required = false)]
    completed_at: Option<String>,
    /// Default the vehicle's odometer.
    #[schema(schema_with = mileage_in, required = false)]
    mileage: Option<i64>,
    /// Also record a `COMPLETED` maintenance (default false).
    #[schema(schema_with = shared::openapi::boolean_input, required = false)]
    record_maintenance: bool,
    /// The recorded maintenance's cost.
    #[schema(schema_with = cost_in, required = false)]
    cost: Option<String>,
    /// The recorded maintenance's description (default the notes).
    #[schema(schema_with = description_in, required = false)]
    description: Option<String>,
}

/// What completing a reminder did.
#[derive(ToSchema)]
#[schema(as = ReminderCompleted)]
struct ReminderCompleted {
    /// The reminder, now `done`.
    reminder: ReminderOut,
    /// The next occurrence of a recurring reminder.
    #[schema(required = true)]
    next_reminder: Option<ReminderOut>,
    /// The maintenance recorded (`record_maintenance`).
    #[schema(required = true)]
    maintenance: Option<MaintenanceOut>,
}

// ---- query parameters ----------------------------------------------------

/// `choice_filter`: one of `values`, or empty for all.
fn choice_param(values: &[&str]) -> RefOr<Schema> {
    let mut values = values.to_vec();
    values.push("");
    schema(json!({"type": "string", "enum": values}))
}

fn maintenance_status_param() -> RefOr<Schema> {
    choice_param(maintenances::STATUSES)
}

fn reminder_status_param() -> RefOr<Schema> {
    choice_param(reminders::STATUSES)
}

fn urgency_param() -> RefOr<Schema> {
    choice_param(crate::reminders::URGENCIES)
}

/// Comma-separated fields of `fields`, each optionally `-` (descending);
/// unknown fields are ignored.
fn ordering_param(fields: &[&str]) -> RefOr<Schema> {
    schema(json!({
        "type": "string",
        "description": format!("Comma-separated, `-` for descending; among: {}; unknown fields are ignored.", fields.join(", ")),
        "examples": [format!("-{}", fields[0])],
    }))
}

fn maintenance_ordering_param() -> RefOr<Schema> {
    ordering_param(crate::handlers::ORDERING_FIELDS)
}

fn reminder_ordering_param() -> RefOr<Schema> {
    ordering_param(crate::reminders::ORDERING_FIELDS)
}

/// A date as in a body, or empty (no bound): `date_param` trims the value,
/// so only whitespace counts as empty too.
fn date_param() -> RefOr<Schema> {
    let empty = json!({
        "type": "string",
        "pattern": format!("^[{}]*$", shared::openapi::TRIMMED_SPACE),
        "description": "Empty (or only whitespace): no bound.",
    });
    schema(json!({
        "anyOf": [date_value(), empty],
    }))
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
struct MaintenanceFilters {
    // Described in `PARAM_DESCRIPTIONS` (as with every `schema_with`).
    #[param(schema_with = maintenance_status_param)]
    status: Option<String>,
    /// Only this vehicle's records (empty: all; an unknown id: none).
    vehicle: Option<String>,
    /// Only this service type (exact).
    service_type: Option<String>,
    /// Words (or "quoted phrases") all found in the service type,
    /// description, make or model (any case).
    search: Option<String>,
    #[param(schema_with = maintenance_ordering_param)]
    ordering: Option<String>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
struct StatsRange {
    // Described in `PARAM_DESCRIPTIONS`.
    #[param(schema_with = date_param)]
    start_date: Option<String>,
    #[param(schema_with = date_param)]
    end_date: Option<String>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
struct ByVehicle {
    /// Only this vehicle (empty: all; an unknown id: none).
    vehicle_id: Option<String>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
struct ReminderFilters {
    // Described in `PARAM_DESCRIPTIONS`.
    #[param(schema_with = reminder_status_param)]
    status: Option<String>,
    #[param(schema_with = urgency_param)]
    urgency: Option<String>,
    /// Only this vehicle's reminders (empty: all; an unknown id: none).
    vehicle: Option<String>,
    /// Only this service type (exact).
    service_type: Option<String>,
    /// Words (or "quoted phrases") all found in the title, service type or
    /// notes (any case).
    search: Option<String>,
    #[param(schema_with = reminder_ordering_param)]
    ordering: Option<String>,
}

// ---- maintenances ----------------------------------------------------------

#[utoipa::path(get, path = "/api/maintenances/", tag = MAINTENANCES,
    summary = "The caller's maintenance records, filtered, searched and ordered",
    params(MaintenanceFilters),
    extensions(("x-paged" = json!(true))),
    responses((status = 200, description = "A page", body = Vec<MaintenanceOut>)))]
fn list() {}

#[utoipa::path(post, path = "/api/maintenances/", tag = MAINTENANCES,
    summary = "Record a maintenance of one of the caller's vehicles",
    description = "A mileage above the vehicle's odometer raises it; the vehicle's reminders follow. At most `MAX_MAINTENANCES_PER_VEHICLE` (500) records a vehicle: past it, a 400 `non_field_errors`. The account's plan bounds the records added per calendar month (UTC; `maintenances_per_month`: 30 on Free): past it, a 403 `plan_limit` naming the plan that lifts it.",
    request_body(content = MaintenanceCreate, description = "The record"),
    responses(
        (status = 201, description = "The record", body = MaintenanceOut),
        (status = 403, description = MONTH_USED, body = inline(PlanLimitRef)),
        (status = 409, description = "The vehicle changed meanwhile: reload and retry", body = inline(DetailRef))))]
fn create() {}

#[utoipa::path(get, path = "/api/maintenances/upcoming/", tag = MAINTENANCES,
    summary = "Scheduled maintenances from now on, soonest first (not paged)",
    responses((status = 200, description = "Every such record", body = Vec<MaintenanceOut>)))]
fn upcoming() {}

#[utoipa::path(get, path = "/api/maintenances/overdue/", tag = MAINTENANCES,
    summary = "Scheduled maintenances whose date has passed, oldest first (not paged)",
    responses((status = 200, description = "Every such record", body = Vec<MaintenanceOut>)))]
fn overdue() {}

#[utoipa::path(get, path = "/api/maintenances/stats/", tag = MAINTENANCES,
    summary = "Counts and costs of the caller's records, optionally within dates",
    params(StatsRange),
    responses(
        (status = 200, description = "The figures", body = MaintenanceStats)))]
fn stats() {}

#[utoipa::path(get, path = "/api/maintenances/recent/", tag = MAINTENANCES,
    summary = "Completed maintenances of the last 30 days, newest first (not paged)",
    responses((status = 200, description = "Every such record", body = Vec<MaintenanceOut>)))]
fn recent() {}

#[utoipa::path(get, path = "/api/maintenances/by_vehicle/", tag = MAINTENANCES,
    summary = "The caller's records grouped by vehicle (not paged)",
    params(ByVehicle),
    responses((status = 200, description = "One group a vehicle with records, the most recently serviced first", body = Vec<MaintenancesOfVehicle>)))]
fn by_vehicle() {}

#[utoipa::path(get, path = "/api/maintenances/{id}/", tag = MAINTENANCES,
    summary = "One of the caller's records, with its vehicle in full",
    params(("id" = String, Path, description = "The record's id")),
    responses((status = 200, description = "The record", body = MaintenanceDetailOut)))]
fn detail() {}

#[utoipa::path(put, path = "/api/maintenances/{id}/", tag = MAINTENANCES,
    summary = "Replace a record (its vehicle stays)",
    params(("id" = String, Path, description = "The record's id")),
    request_body(content = MaintenanceReplace, description = "The record"),
    responses(
        (status = 200, description = "The record as stored", body = MaintenanceOut),
        (status = 409, description = "Changed by another request meanwhile: reload and retry", body = inline(DetailRef))))]
fn replace() {}

#[utoipa::path(patch, path = "/api/maintenances/{id}/", tag = MAINTENANCES,
    summary = "Change some fields of a record",
    params(("id" = String, Path, description = "The record's id")),
    request_body(content = MaintenancePatch, description = "The fields to change"),
    responses(
        (status = 200, description = "The record as stored", body = MaintenanceOut),
        (status = 409, description = "Changed by another request meanwhile: reload and retry", body = inline(DetailRef))))]
fn patch() {}

#[utoipa::path(delete, path = "/api/maintenances/{id}/", tag = MAINTENANCES,
    summary = "Delete a record (the vehicle's reminders follow)",
    params(("id" = String, Path, description = "The record's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 409, description = "Changed by another request meanwhile: reload and retry", body = inline(DetailRef))))]
fn delete() {}

// ---- reminders -------------------------------------------------------------

#[utoipa::path(get, path = "/api/reminders/", tag = REMINDERS,
    summary = "The caller's reminders, filtered, searched and ordered",
    params(ReminderFilters),
    extensions(("x-paged" = json!(true))),
    responses((status = 200, description = "A page", body = Vec<ReminderOut>)))]
fn reminders_list() {}

#[utoipa::path(post, path = "/api/reminders/", tag = REMINDERS,
    summary = "Create a reminder for one of the caller's vehicles",
    description = "At most `MAX_ACTIVE_REMINDERS_PER_VEHICLE` (50) active reminders a vehicle: past it, a 400 `non_field_errors`.",
    request_body(content = ReminderCreate, description = "The reminder"),
    responses(
        (status = 201, description = "The reminder", body = ReminderOut),
        (status = 409, description = "The vehicle changed meanwhile: reload and retry", body = inline(DetailRef))))]
fn reminders_create() {}

#[utoipa::path(get, path = "/api/reminders/due/", tag = REMINDERS,
    summary = "Active reminders due or nearly due, most pressing first (not paged)",
    responses((status = 200, description = "Every such reminder", body = Vec<ReminderOut>)))]
fn reminders_due() {}

#[utoipa::path(get, path = "/api/reminders/{id}/", tag = REMINDERS,
    summary = "One of the caller's reminders",
    params(("id" = String, Path, description = "The reminder's id")),
    responses((status = 200, description = "The reminder", body = ReminderOut)))]
fn reminders_detail() {}

#[utoipa::path(put, path = "/api/reminders/{id}/", tag = REMINDERS,
    summary = "Replace a reminder (its vehicle stays)",
    params(("id" = String, Path, description = "The reminder's id")),
    request_body(content = ReminderReplace, description = "The reminder"),
    responses(
        (status = 200, description = "The reminder as stored", body = ReminderOut),
        (status = 409, description = "Changed by another request meanwhile: reload and retry", body = inline(DetailRef))))]
fn reminders_replace() {}

#[utoipa::path(patch, path = "/api/reminders/{id}/", tag = REMINDERS,
    summary = "Change some fields of a reminder",
    params(("id" = String, Path, description = "The reminder's id")),
    request_body(content = ReminderPatch, description = "The fields to change"),
    responses(
        (status = 200, description = "The reminder as stored", body = ReminderOut),
        (status = 409, description = "Changed by another request meanwhile: reload and retry", body = inline(DetailRef))))]
fn reminders_patch() {}

#[utoipa::path(delete, path = "/api/reminders/{id}/", tag = REMINDERS,
    summary = "Delete a reminder",
    params(("id" = String, Path, description = "The reminder's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 409, description = "Changed by another request meanwhile: reload and retry", body = inline(DetailRef))))]
fn reminders_delete() {}

#[utoipa::path(post, path = "/api/reminders/{id}/complete/", tag = REMINDERS,
    summary = "Mark an active reminder done; optionally record the maintenance; a recurring one gets its next occurrence",
    description = "A reminder that is not active: 400 `detail`. Recording the maintenance counts it in the month's records of the plan (403 `plan_limit` past them: nothing is done).",
    params(("id" = String, Path, description = "The reminder's id")),
    request_body(content = ReminderCompletion, description = "How it was done"),
    responses(
        (status = 200, description = "What was done", body = ReminderCompleted),
        (status = 403, description = MONTH_USED, body = inline(PlanLimitRef)),
        (status = 409, description = "Changed by another request meanwhile: reload and retry", body = inline(DetailRef))))]
fn reminders_complete() {}

#[derive(OpenApi)]
#[openapi(
    paths(
        list, create, upcoming, overdue, stats, recent, by_vehicle, detail, replace, patch, delete,
        reminders_list, reminders_create, reminders_due, reminders_detail, reminders_replace,
        reminders_patch, reminders_delete, reminders_complete
    ),
    components(schemas(
        MaintenanceVehicleInfo, ReminderVehicleInfo, MaintenanceOut, MaintenanceDetailOut,
        MaintenanceCreate, MaintenanceReplace, MaintenancePatch, MaintenanceStats,
        MaintenancesOfVehicle, ReminderOut, ReminderCreate, ReminderReplace, ReminderPatch,
        ReminderCompletion, ReminderCompleted
    )),
    tags(
        (name = "maintenances", description = "Maintenance records of the caller's vehicles (spec 4)"),
        (name = "reminders", description = "Maintenances to do by a date or a mileage, and their alerts")
    )
)]
struct Doc;

/// The GET operations whose query parameters are validated (a 400).
const CHECKED_QUERIES: &[&str] = &[
    "/api/maintenances/",
    "/api/maintenances/stats/",
    "/api/reminders/",
];

/// This function's operations at their seed paths.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = Doc::openapi();
    describe_params(&mut doc, PARAM_DESCRIPTIONS);
    body_required(&mut doc);
    for path in CHECKED_QUERIES {
        let item = doc.paths.paths.get_mut(*path).expect("a documented path");
        let op = item.get.as_mut().expect("a GET");
        op.responses.responses.insert(
            "400".into(),
            utoipa::openapi::Ref::new("#/components/responses/ValidationError").into(),
        );
    }
    doc
}

/// The query parameters given by `schema_with`: `IntoParams` then drops
/// the field's doc comment, so their descriptions are set here (path,
/// parameter, description).
const PARAM_DESCRIPTIONS: &[(&str, &str, &str)] = &[
    ("/api/maintenances/", "status", "Only this status (empty: all; an unknown one: 400)."),
    ("/api/maintenances/", "ordering", "Default `-service_date`."),
    ("/api/maintenances/stats/", "start_date", "Records on or after this date (invalid: 400)."),
    ("/api/maintenances/stats/", "end_date", "Records on or before this date (invalid: 400)."),
    ("/api/reminders/", "status", "Only this status (empty: all; an unknown one: 400)."),
    ("/api/reminders/", "urgency", "Only reminders this pressing now (empty: all; an unknown level: 400)."),
    (
        "/api/reminders/",
        "ordering",
        "Default `due_date,created_at` (the effective deadline: the date, or the projected date of the mileage; none last).",
    ),
];

/// Sets the description of each GET query parameter of `table`.
fn describe_params(doc: &mut utoipa::openapi::OpenApi, table: &[(&str, &str, &str)]) {
    for (path, name, text) in table {
        let item = doc.paths.paths.get_mut(*path).expect("a documented path");
        let op = item.get.as_mut().expect("a GET");
        let param = op
            .parameters
            .iter_mut()
            .flatten()
            .find(|p| p.name == *name)
            .expect("a documented parameter");
        param.description = Some((*text).into());
    }
}

/// A body without which the operation is a 400 (required fields): its
/// absence is then a request the document itself rules out.
fn body_required(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{HttpMethod, Required};
    for (path, method) in [
        ("/api/maintenances/", HttpMethod::Post),
        ("/api/maintenances/{id}/", HttpMethod::Put),
        ("/api/reminders/", HttpMethod::Post),
        ("/api/reminders/{id}/", HttpMethod::Put),
    ] {
        let item = doc.paths.paths.get_mut(path).expect("a documented path");
        let op = match method {
            HttpMethod::Post => item.post.as_mut(),
            _ => item.put.as_mut(),
        };
        let body = op.and_then(|op| op.request_body.as_mut()).expect("a body");
        body.required = Some(Required::True);
    }
}

/// No aliases: every route has one path.
pub const ALIASES: &[shared::openapi::Alias] = &[];

#[cfg(test)]
mod tests {
    #[test]
    fn the_document_has_every_operation_of_the_router() {
        let doc = serde_json::to_value(super::openapi()).unwrap();
        let paths = doc["paths"].as_object().unwrap();
        assert_eq!(paths.len(), 11);
        let operations: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
        assert_eq!(operations, 19);
        let create = &doc["components"]["schemas"]["MaintenanceCreate"]["properties"];
        assert_eq!(create["mileage"]["maximum"], crate::input::MAX_MILEAGE);
        assert_eq!(
            create["service_type"]["pattern"],
            shared::openapi::trimmed_text_pattern(crate::input::SERVICE_TYPE_MAX, false)
        );
    }

    #[test]
    fn every_query_parameter_is_described() {
        let doc = serde_json::to_value(super::openapi()).unwrap();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                for p in op["parameters"].as_array().into_iter().flatten() {
                    assert!(
                        p["description"].as_str().is_some_and(|d| !d.is_empty()),
                        "{method} {path} {}",
                        p["name"]
                    );
                }
            }
        }
    }
}
