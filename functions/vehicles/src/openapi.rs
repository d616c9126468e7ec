//! This function's part of the API document (feature `openapi`, never in
//! the release binary; docs/openapi-design.md): the caller's vehicles and
//! the brand and model catalogue. One `utoipa::path` stub per operation,
//! named after its handler, at the seed path with its trailing slash; the
//! catalogue's `/api/vehicles/brands/...` and `/api/vehicles/models/...`
//! paths are `ALIASES`. The shapes are the ones `Vehicle::to_json`,
//! `Brand::to_json`, `CarModel::to_json`, `fleet_stats`, `vehicle_stats`
//! and `Maintenance::to_json` write, and the limits of the bodies are the
//! constants `input::read`, `catalog::read_brand` and `catalog::read_model`
//! check. `GET /api/vehicles/{id}/documents/` answers the documents
//! function's `Document` (referenced by name, resolved once the document is
//! merged) with relative download paths. Every operation reads a token
//! (`CurrentUser` / `UserData`): none is public.

// The stubs only carry their `utoipa::path` attribute: nothing calls them.
#![allow(dead_code)]

use serde_json::{json, Value};
use shared::domain::documents::{download_path, VIEW_LIMIT};
use shared::domain::maintenances::STATUSES;
use shared::domain::vehicles::{FIRST_YEAR, FUEL_TYPES, TRANSMISSIONS, VIN_LENGTH};
use shared::openapi::{DetailRef, FieldErrorsRef, PlanLimitRef};
use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
use utoipa::openapi::Object;
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::catalog::{LOGO_URL_MAX, MODEL_YEARS, NAME_MAX as CATALOGUE_NAME_MAX};
use crate::input::{COLOR_MAX, MAX_MILEAGE, NAME_MAX, PLATE_MAX, VIN_INPUT_MAX};

const VEHICLES: &str = "vehicles";

/// The characters `str::trim` removes, for patterns.
const SPACE: &str = shared::openapi::TRIMMED_SPACE;
const CATALOGUE: &str = "catalogue";

/// A text input: the validator trims it (spec 0.1: surrounding whitespace
/// is dropped on input), then bounds the length of what is left. The
/// document says the same with a pattern rather than a `maxLength` (which
/// would count the raw string): any whitespace around, then at most `max`
/// characters that start and end with a non-space one (at least one when
/// it may not be blank). Numbers are taken as their text.
fn text(max: usize, nullable: bool, blank: bool) -> ObjectBuilder {
    let kind = if nullable {
        SchemaType::from_iter([Type::String, Type::Null])
    } else {
        SchemaType::Type(Type::String)
    };
    ObjectBuilder::new()
        .schema_type(kind)
        .pattern(Some(shared::openapi::trimmed_text_pattern(max, blank)))
}

/// One of `values` (exactly, case-sensitive), or null when `nullable`.
fn choice(values: &[&str], nullable: bool) -> ObjectBuilder {
    let mut listed: Vec<Value> = values.iter().map(|v| json!(v)).collect();
    let kind = if nullable {
        listed.push(Value::Null);
        SchemaType::from_iter([Type::String, Type::Null])
    } else {
        SchemaType::Type(Type::String)
    };
    ObjectBuilder::new()
        .schema_type(kind)
        .enum_values(Some(listed))
}

fn integer(min: i64, max: Option<i64>, nullable: bool) -> ObjectBuilder {
    let kind = if nullable {
        SchemaType::from_iter([Type::Integer, Type::Null])
    } else {
        SchemaType::Type(Type::Integer)
    };
    ObjectBuilder::new()
        .schema_type(kind)
        .minimum(Some(min as f64))
        .maximum(max.map(|m| m as f64))
}

// ---- vehicle inputs -------------------------------------------------------

/// A text input that also takes a JSON number, stored as its text (at
/// most 24 characters, within the field's maximum).
fn text_or_number(max: usize, nullable: bool, blank: bool) -> ObjectBuilder {
    let mut kinds = vec![Type::String, Type::Number];
    if nullable {
        kinds.push(Type::Null);
    }
    text(max, nullable, blank).schema_type(SchemaType::from_iter(kinds))
}

fn make_in() -> Object {
    text_or_number(NAME_MAX, false, false)
        .description(Some(format!(
            "Free text (not linked to the brand catalogue): at most {NAME_MAX} characters once \
             trimmed, not blank; a number is taken as its text."
        )))
        .build()
}

fn year_in() -> Object {
    integer(FIRST_YEAR, None, false)
        .description(Some(format!(
            "A model year from {FIRST_YEAR} to next year (the current year + 1)."
        )))
        .build()
}

fn plate_in() -> Object {
    text_or_number(PLATE_MAX, true, true)
        .description(Some(format!(
            "At most {PLATE_MAX} characters once trimmed (a number: its text); empty means none \
             (stored as null)."
        )))
        .build()
}

fn registration_in() -> Object {
    text_or_number(PLATE_MAX, true, true)
        .description(Some(
            "The seed's name of `license_plate`, the same rules; used only when \
             `license_plate` is absent, checked either way.",
        ))
        .build()
}

fn vin_in() -> Object {
    // The pattern allows only whitespace around the 17 characters, which
    // is within `VIN_INPUT_MAX` once trimmed.
    text(VIN_INPUT_MAX, true, true)
        .pattern(Some(format!(
            r"^[{SPACE}]*([A-HJ-NPR-Za-hj-npr-z0-9]{{{VIN_LENGTH}}})?[{SPACE}]*$"
        )))
        .description(Some(format!(
            "A VIN: {VIN_LENGTH} letters or digits without I, O or Q (any case, stored upper-case; \
             spaces around trimmed); empty or null means none. Unique across all users: a VIN \
             already used is a 400 `{{\"vin\": [\"vehicle with this vin already exists.\"]}}`."
        )))
        .build()
}

fn color_in() -> Object {
    text_or_number(COLOR_MAX, true, true)
        .description(Some(format!(
            "At most {COLOR_MAX} characters once trimmed (a number: its text); empty and null \
             allowed."
        )))
        .build()
}

fn fuel_in() -> Object {
    choice(FUEL_TYPES, true).build()
}

fn transmission_in() -> Object {
    choice(TRANSMISSIONS, true).build()
}

fn mileage_in() -> Object {
    integer(0, Some(MAX_MILEAGE), false)
        .description(Some(
            "The odometer (km); 0 when never given. A change is logged as a reading and \
             refreshes the vehicle's mileage-based reminders.",
        ))
        .build()
}

/// The body of `POST /api/vehicles/` and `PUT /api/vehicles/{id}/`.
#[derive(ToSchema)]
#[schema(as = VehicleWrite)]
struct VehicleWrite {
    #[schema(schema_with = make_in)]
    make: String,
    #[schema(schema_with = make_in)]
    model: String,
    #[schema(schema_with = year_in)]
    year: i64,
    #[schema(schema_with = plate_in, required = false)]
    license_plate: String,
    #[schema(schema_with = registration_in, required = false)]
    registration_number: String,
    #[schema(schema_with = vin_in, required = false)]
    vin: String,
    #[schema(schema_with = color_in, required = false)]
    color: String,
    #[schema(schema_with = fuel_in, required = false)]
    fuel_type: String,
    #[schema(schema_with = transmission_in, required = false)]
    transmission: String,
    #[schema(schema_with = mileage_in, required = false)]
    mileage: i64,
}

/// The body of `PATCH /api/vehicles/{id}/`: the same fields, none required.
#[derive(ToSchema)]
#[schema(as = VehiclePatch)]
struct VehiclePatch {
    #[schema(schema_with = make_in, required = false)]
    make: String,
    #[schema(schema_with = make_in, required = false)]
    model: String,
    #[schema(schema_with = year_in, required = false)]
    year: i64,
    #[schema(schema_with = plate_in, required = false)]
    license_plate: String,
    #[schema(schema_with = registration_in, required = false)]
    registration_number: String,
    #[schema(schema_with = vin_in, required = false)]
    vin: String,
    #[schema(schema_with = color_in, required = false)]
    color: String,
    #[schema(schema_with = fuel_in, required = false)]
    fuel_type: String,
    #[schema(schema_with = transmission_in, required = false)]
    transmission: String,
    #[schema(schema_with = mileage_in, required = false)]
    mileage: i64,
}

// ---- vehicle outputs ------------------------------------------------------

fn nullable_string() -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .build()
}

fn fuel_out() -> Object {
    choice(FUEL_TYPES, true).build()
}

fn transmission_out() -> Object {
    choice(TRANSMISSIONS, true).build()
}

/// `Vehicle` (spec 3.1, with the seed's `mileage` and `registration_number`).
#[derive(ToSchema)]
#[schema(as = Vehicle)]
struct VehicleOut {
    #[schema(format = Uuid)]
    id: String,
    /// The owner's user id (the caller).
    #[schema(format = Uuid)]
    owner: String,
    #[schema(format = Email)]
    owner_email: String,
    /// First name, one space, last name.
    owner_name: String,
    make: String,
    model: String,
    year: i64,
    #[schema(schema_with = nullable_string)]
    license_plate: Option<String>,
    /// The same value as `license_plate`.
    #[schema(schema_with = nullable_string)]
    registration_number: Option<String>,
    /// Upper-case, 17 characters.
    #[schema(schema_with = nullable_string)]
    vin: Option<String>,
    #[schema(schema_with = nullable_string)]
    color: Option<String>,
    #[schema(schema_with = fuel_out)]
    fuel_type: Option<String>,
    #[schema(schema_with = transmission_out)]
    transmission: Option<String>,
    /// The odometer (km): raised by maintenances, never lowered by them.
    #[schema(minimum = 0)]
    mileage: i64,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    updated_at: String,
}

/// `VehicleDetail`: `Vehicle` with the counts.
#[derive(ToSchema)]
#[schema(as = VehicleDetail)]
struct VehicleDetailOut {
    #[schema(format = Uuid)]
    id: String,
    #[schema(format = Uuid)]
    owner: String,
    #[schema(format = Email)]
    owner_email: String,
    owner_name: String,
    make: String,
    model: String,
    year: i64,
    #[schema(schema_with = nullable_string)]
    license_plate: Option<String>,
    #[schema(schema_with = nullable_string)]
    registration_number: Option<String>,
    #[schema(schema_with = nullable_string)]
    vin: Option<String>,
    #[schema(schema_with = nullable_string)]
    color: Option<String>,
    #[schema(schema_with = fuel_out)]
    fuel_type: Option<String>,
    #[schema(schema_with = transmission_out)]
    transmission: Option<String>,
    #[schema(minimum = 0)]
    mileage: i64,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    updated_at: String,
    #[schema(minimum = 0)]
    maintenances_count: i64,
    #[schema(minimum = 0)]
    documents_count: i64,
}

/// `GET /api/vehicles/stats/` (spec 3.2.6): only values that occur are keys.
#[derive(ToSchema)]
#[schema(as = FleetStats)]
struct FleetStats {
    #[schema(minimum = 0)]
    total: u64,
    /// Fuel type -> number of vehicles.
    by_fuel_type: std::collections::BTreeMap<String, u64>,
    /// Transmission -> number of vehicles.
    by_transmission: std::collections::BTreeMap<String, u64>,
}

fn nullable_number() -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Number, Type::Null]))
        .build()
}

fn nullable_datetime() -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
            utoipa::openapi::KnownFormat::DateTime,
        )))
        .build()
}

/// `GET /api/vehicles/{id}/stats/`: the vehicle's maintenances (cancelled
/// ones left out; costs of completed ones, in currency units).
#[derive(ToSchema)]
#[schema(as = VehicleStats)]
struct VehicleStats {
    /// The vehicle id.
    #[schema(format = Uuid)]
    vehicle: String,
    #[schema(minimum = 0)]
    maintenance_count: u64,
    #[schema(minimum = 0)]
    completed_count: u64,
    #[schema(minimum = 0)]
    scheduled_count: u64,
    total_cost: f64,
    /// Mean cost of the completed maintenances with a cost; null without any.
    #[schema(schema_with = nullable_number)]
    average_cost: Option<f64>,
    /// Service type -> total cost of its completed maintenances.
    cost_by_service_type: std::collections::BTreeMap<String, f64>,
    #[schema(schema_with = nullable_datetime)]
    first_service: Option<String>,
    #[schema(schema_with = nullable_datetime)]
    last_service: Option<String>,
    #[schema(minimum = 0)]
    current_mileage: i64,
    /// Null when the recorded mileages span no distance.
    #[schema(schema_with = nullable_number)]
    cost_per_1000_km: Option<f64>,
}

/// `vehicle_info` of a maintenance.
#[derive(ToSchema)]
#[schema(as = VehicleInfo)]
struct VehicleInfo {
    #[schema(format = Uuid)]
    id: String,
    make: String,
    model: String,
    year: i64,
    #[schema(schema_with = nullable_string)]
    license_plate: Option<String>,
}

fn status_out() -> Object {
    choice(STATUSES, false).build()
}

fn cost_out() -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .pattern(Some(r"^-?\d+\.\d{2}$"))
        .description(Some("A decimal with 2 places, as text."))
        .build()
}

/// A maintenance as `GET /api/vehicles/{id}/maintenances/` lists it (the
/// `Maintenance` representation of spec 4.1).
#[derive(ToSchema)]
#[schema(as = VehicleMaintenance)]
struct VehicleMaintenance {
    #[schema(format = Uuid)]
    id: String,
    /// The vehicle id.
    #[schema(format = Uuid)]
    vehicle: String,
    vehicle_info: VehicleInfo,
    #[schema(format = Uuid)]
    created_by: String,
    created_by_name: String,
    #[schema(schema_with = nullable_string)]
    performed_by: Option<String>,
    #[schema(schema_with = nullable_string)]
    performed_by_name: Option<String>,
    #[schema(format = DateTime)]
    service_date: String,
    service_type: String,
    #[schema(schema_with = nullable_string)]
    description: Option<String>,
    #[schema(schema_with = nullable_integer)]
    mileage: Option<i64>,
    #[schema(schema_with = cost_out)]
    cost: Option<String>,
    #[schema(schema_with = status_out)]
    status: String,
    #[schema(schema_with = nullable_string)]
    invoice_url: Option<String>,
    reminder_sent: bool,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    updated_at: String,
}

fn nullable_integer() -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Integer, Type::Null]))
        .build()
}

/// A document as `GET /api/vehicles/{id}/documents/` lists it: the
/// documents function's `Document` (`Document::to_json`), filed under this
/// vehicle, with the relative path of its download route as `file` and
/// `file_url` (this function holds no S3 client to sign a link).
struct VehicleDocument;

impl utoipa::PartialSchema for VehicleDocument {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let route = ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(format!(
                "^{}$",
                download_path("ID").replace("ID", "[^/]+")
            )))
            .description(Some(format!(
                "`{}`: a redirect to a fresh download link.",
                download_path("{id}")
            )))
            .build();
        let here = ObjectBuilder::new()
            .schema_type(Type::Object)
            .property("file", route.clone())
            .property("file_url", route)
            .property(
                "vehicle",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some("This vehicle's id.")),
            )
            .property(
                "vehicle_info",
                utoipa::openapi::Ref::from_schema_name("Vehicle"),
            )
            .build();
        let all = utoipa::openapi::schema::AllOfBuilder::new()
            .item(utoipa::openapi::Ref::from_schema_name("Document"))
            .item(here)
            .description(Some(
                "A `Document` as the vehicle's view lists it: filed under this vehicle, with the \
                 download route's path as `file` and `file_url`.",
            ))
            .build();
        utoipa::openapi::RefOr::T(utoipa::openapi::schema::Schema::AllOf(all))
    }
}

impl ToSchema for VehicleDocument {
    fn name() -> std::borrow::Cow<'static, str> {
        "VehicleDocument".into()
    }
}

/// Diagnostics of a vehicle: the diagnostics function's `Diagnostic`
/// (referenced by name; that function's part defines it).
struct VehicleDiagnostics;

impl utoipa::PartialSchema for VehicleDiagnostics {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ArrayBuilder::new()
            .items(utoipa::openapi::Ref::from_schema_name("Diagnostic"))
            .description(Some(
                "The vehicle's diagnostics, newest first, as `GET /api/diagnostics/` shows them.",
            ))
            .build()
            .into()
    }
}

impl ToSchema for VehicleDiagnostics {
    fn name() -> std::borrow::Cow<'static, str> {
        "VehicleDiagnostics".into()
    }
}

// ---- list parameters ------------------------------------------------------

fn fuel_filter() -> Object {
    let mut values: Vec<&str> = FUEL_TYPES.to_vec();
    values.push("");
    choice(&values, false)
        .description(Some("Exact fuel type; empty is ignored."))
        .build()
}

fn transmission_filter() -> Object {
    let mut values: Vec<&str> = TRANSMISSIONS.to_vec();
    values.push("");
    choice(&values, false)
        .description(Some("Exact transmission; empty is ignored."))
        .build()
}

fn number_filter() -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Number, Type::String]))
        .max_length(Some(0))
        .description(Some(
            "Exact value; empty is ignored, anything but a number is a 400.",
        ))
        .build()
}

fn search() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(
            "Terms split on spaces and commas (a double-quoted phrase is one term); every term \
             must be found (case-insensitive) in one of the searched fields.",
        ))
        .build()
}

fn ordering(fields: &[&str], default: &str) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(format!(
            "Comma-separated fields, `-` before a field for descending: {}. Unknown names are \
             dropped; default `{default}`.",
            fields
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )))
        .build()
}

fn vehicle_ordering() -> Object {
    ordering(
        &["make", "model", "year", "created_at", "mileage"],
        "-created_at",
    )
}

fn brand_ordering() -> Object {
    ordering(&["name", "created_at"], "name")
}

fn model_ordering() -> Object {
    ordering(&["name", "year_start", "created_at"], "brand_name,name")
}

/// The filters of `GET /api/vehicles/` (spec 3.2.1).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
struct VehicleFilters {
    /// Exact make (case-sensitive); empty is ignored.
    make: Option<String>,
    /// Exact model (case-sensitive); empty is ignored.
    model: Option<String>,
    #[param(schema_with = number_filter)]
    year: Option<f64>,
    #[param(schema_with = fuel_filter)]
    fuel_type: Option<String>,
    #[param(schema_with = transmission_filter)]
    transmission: Option<String>,
    /// Searched: make, model, license plate, VIN.
    #[param(schema_with = search)]
    search: Option<String>,
    #[param(schema_with = vehicle_ordering)]
    ordering: Option<String>,
}

/// The parameters of `GET /api/brands/` (spec 3.2.10).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
struct BrandFilters {
    /// Searched: the name.
    #[param(schema_with = search)]
    search: Option<String>,
    #[param(schema_with = brand_ordering)]
    ordering: Option<String>,
}

/// The filters of `GET /api/models/` (spec 3.2.11).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
struct ModelFilters {
    /// A brand id; an id that is no brand is a 400 (`brand`); empty is ignored.
    brand: Option<String>,
    #[param(schema_with = number_filter)]
    year_start: Option<f64>,
    #[param(schema_with = number_filter)]
    year_end: Option<f64>,
    /// Searched: the model's name and its brand's name.
    #[param(schema_with = search)]
    search: Option<String>,
    #[param(schema_with = model_ordering)]
    ordering: Option<String>,
}

// ---- catalogue shapes -----------------------------------------------------

/// `CarBrand` (spec 3.1).
#[derive(ToSchema)]
#[schema(as = CarBrand)]
struct BrandOut {
    #[schema(format = Uuid)]
    id: String,
    name: String,
    #[schema(schema_with = nullable_string)]
    logo_url: Option<String>,
    /// How many models the brand has.
    #[schema(minimum = 0)]
    models_count: i64,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    updated_at: String,
}

/// `CarModel` (spec 3.1).
#[derive(ToSchema)]
#[schema(as = CarModel)]
struct ModelOut {
    #[schema(format = Uuid)]
    id: String,
    /// The brand id.
    #[schema(format = Uuid)]
    brand: String,
    brand_name: String,
    name: String,
    #[schema(schema_with = nullable_integer)]
    year_start: Option<i64>,
    #[schema(schema_with = nullable_integer)]
    year_end: Option<i64>,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    updated_at: String,
}

fn catalogue_name_in() -> Object {
    text_or_number(CATALOGUE_NAME_MAX, false, false)
        .description(Some(format!(
            "At most {CATALOGUE_NAME_MAX} characters once trimmed, not blank; a number is taken \
             as its text."
        )))
        .build()
}

fn brand_name_in() -> Object {
    text_or_number(CATALOGUE_NAME_MAX, false, false)
        .description(Some(format!(
            "At most {CATALOGUE_NAME_MAX} characters once trimmed, not blank; a number is taken \
             as its text. Unique, ignoring case: a name taken is a 400 \
             `{{\"name\": [\"car brand with this name already exists.\"]}}`."
        )))
        .build()
}

/// `validate::is_valid_url` as an ECMA-262 pattern: an http(s) or ftp(s)
/// scheme (any case), an optional `user@`, a host of letters, digits,
/// dots and hyphens with a dot (or `localhost`), an optional port, then
/// anything without whitespace; spaces around are trimmed, empty means
/// none.
fn logo_url_pattern() -> String {
    let s = SPACE;
    let scheme = "([hH][tT][tT][pP][sS]?|[fF][tT][pP][sS]?)";
    let userinfo = format!("([^/?#{s}]*@)?");
    let host = "([A-Za-z0-9-]*\\.[A-Za-z0-9.-]*|localhost)";
    let port = format!("(:[^/?#@{s}]*)?");
    let rest = format!("([/?#][^{s}]*)?");
    format!("^[{s}]*({scheme}://{userinfo}{host}{port}{rest})?[{s}]*$")
}

fn logo_in() -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .pattern(Some(logo_url_pattern()))
        .description(Some(format!(
            "An http(s) or ftp(s) URL whose host has a dot (or is `localhost`), at most \
             {LOGO_URL_MAX} characters (a longer one is a 400); spaces around are trimmed; empty \
             or null means none."
        )))
        .build()
}

fn brand_ref_in() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
            utoipa::openapi::KnownFormat::Uuid,
        )))
        .description(Some("The id of an existing brand (else a 400 `brand`)."))
        .build()
}

fn model_year_in() -> Object {
    integer(MODEL_YEARS.0, Some(MODEL_YEARS.1), true)
        .description(Some(
            "A model year; `year_end` may not be before `year_start` when both are given.",
        ))
        .build()
}

/// The body of `POST /api/brands/` and `PUT /api/brands/{id}/`.
#[derive(ToSchema)]
#[schema(as = CarBrandWrite)]
struct BrandWrite {
    #[schema(schema_with = brand_name_in)]
    name: String,
    #[schema(schema_with = logo_in, required = false)]
    logo_url: String,
}

/// The body of `PATCH /api/brands/{id}/`.
#[derive(ToSchema)]
#[schema(as = CarBrandPatch)]
struct BrandPatch {
    #[schema(schema_with = brand_name_in, required = false)]
    name: String,
    #[schema(schema_with = logo_in, required = false)]
    logo_url: String,
}

/// The body of `POST /api/models/` and `PUT /api/models/{id}/`; a
/// (brand, name) pair already taken is a 400 `non_field_errors`.
#[derive(ToSchema)]
#[schema(as = CarModelWrite)]
struct ModelWrite {
    #[schema(schema_with = brand_ref_in)]
    brand: String,
    #[schema(schema_with = catalogue_name_in)]
    name: String,
    #[schema(schema_with = model_year_in, required = false)]
    year_start: i64,
    #[schema(schema_with = model_year_in, required = false)]
    year_end: i64,
}

/// The body of `PATCH /api/models/{id}/`.
#[derive(ToSchema)]
#[schema(as = CarModelPatch)]
struct ModelPatch {
    #[schema(schema_with = brand_ref_in, required = false)]
    brand: String,
    #[schema(schema_with = catalogue_name_in, required = false)]
    name: String,
    #[schema(schema_with = model_year_in, required = false)]
    year_start: i64,
    #[schema(schema_with = model_year_in, required = false)]
    year_end: i64,
}

// ---- vehicle operations ---------------------------------------------------

#[utoipa::path(get, path = "/api/vehicles/", tag = VEHICLES,
    summary = "The caller's vehicles, newest first",
    params(VehicleFilters),
    extensions(("x-paged" = json!(true))),
    responses(
        (status = 200, description = "A page of vehicles", body = Vec<VehicleOut>),
        (status = 400, description = "A filter that is not a number (`year`: `Enter a number.`)", body = inline(FieldErrorsRef))))]
fn list() {}

#[utoipa::path(post, path = "/api/vehicles/", tag = VEHICLES,
    summary = "Add a vehicle",
    description = "A VIN already used by any vehicle is a 400 on `vin`. The account's plan bounds its vehicles (`max_vehicles`: 3 on Free): one more is a 403 `plan_limit` naming the plan that lifts it; whatever the plan, an account already holding 50 vehicles (`limits::MAX_VEHICLES_PER_USER`) gets a 400 on `non_field_errors`. After a downgrade the vehicles kept stay readable and editable.",
    request_body(content = VehicleWrite, description = "The vehicle; `make`, `model` and `year` required"),
    responses(
        (status = 201, description = "The vehicle created", body = VehicleOut),
        (status = 403, description = "The plan's vehicles are all used (`limit`: `max_vehicles`)", body = inline(PlanLimitRef))))]
fn create() {}

#[utoipa::path(get, path = "/api/vehicles/stats/", tag = VEHICLES,
    summary = "Counts over the caller's vehicles",
    responses((status = 200, description = "The counts", body = FleetStats)))]
fn fleet() {}

const ID: &str = "The vehicle id";

#[utoipa::path(get, path = "/api/vehicles/{id}/", tag = VEHICLES,
    summary = "One of the caller's vehicles, with its counts (another user's: 404)",
    params(("id" = String, Path, description = ID)),
    responses((status = 200, description = "The vehicle", body = VehicleDetailOut)))]
fn detail() {}

#[utoipa::path(put, path = "/api/vehicles/{id}/", tag = VEHICLES,
    summary = "Replace a vehicle's fields (`make`, `model`, `year` required)",
    params(("id" = String, Path, description = ID)),
    request_body(content = VehicleWrite, description = "The vehicle; `make`, `model` and `year` required"),
    responses(
        (status = 200, description = "The vehicle after the update", body = VehicleOut),
        (status = 409, description = "The vehicle changed meanwhile: reload and retry", body = inline(DetailRef))))]
fn replace() {}

#[utoipa::path(patch, path = "/api/vehicles/{id}/", tag = VEHICLES,
    summary = "Change some of a vehicle's fields",
    params(("id" = String, Path, description = ID)),
    request_body(content = VehiclePatch, description = "The fields to change"),
    responses(
        (status = 200, description = "The vehicle after the update", body = VehicleOut),
        (status = 409, description = "The vehicle changed meanwhile: reload and retry", body = inline(DetailRef))))]
fn patch() {}

#[utoipa::path(delete, path = "/api/vehicles/{id}/", tag = VEHICLES,
    summary = "Delete a vehicle with its maintenances and reminders",
    params(("id" = String, Path, description = ID)),
    responses((status = 204, description = "Deleted")))]
fn delete() {}

#[utoipa::path(get, path = "/api/vehicles/{id}/maintenances/", tag = VEHICLES,
    summary = "The vehicle's maintenances, latest service first (not paged)",
    params(("id" = String, Path, description = ID)),
    responses((status = 200, description = "Its maintenances", body = Vec<VehicleMaintenance>)))]
fn maintenances() {}

#[utoipa::path(get, path = "/api/vehicles/{id}/stats/", tag = VEHICLES,
    summary = "The vehicle's maintenance statistics",
    params(("id" = String, Path, description = ID)),
    responses((status = 200, description = "Its statistics", body = VehicleStats)))]
fn stats() {}

#[utoipa::path(get, path = "/api/vehicles/{id}/documents/", tag = VEHICLES,
    summary = "The vehicle's documents, newest first (not paged)",
    params(("id" = String, Path, description = ID)),
    responses((status = 200, description = "Its documents", body = Vec<VehicleDocument>)))]
fn documents() {}

#[utoipa::path(get, path = "/api/vehicles/{id}/diagnostics/", tag = VEHICLES,
    summary = "The vehicle's diagnostics, newest first (not paged)",
    params(("id" = String, Path, description = ID)),
    responses((status = 200, description = "Its diagnostics", body = VehicleDiagnostics)))]
fn diagnostics() {}

// ---- catalogue operations -------------------------------------------------

const BRAND_ID: &str = "The brand id";
const MODEL_ID: &str = "The model id";

#[utoipa::path(get, path = "/api/brands/", tag = CATALOGUE,
    summary = "Car brands, by name",
    params(BrandFilters),
    extensions(("x-paged" = json!(true))),
    responses((status = 200, description = "A page of brands", body = Vec<BrandOut>)))]
fn list_brands() {}

#[utoipa::path(post, path = "/api/brands/", tag = CATALOGUE,
    summary = "Add a brand (staff only)",
    request_body(content = BrandWrite, description = "The brand"),
    responses(
        (status = 201, description = "The brand created", body = BrandOut),
        (status = 403, description = "The caller is not staff", body = inline(DetailRef))))]
fn create_brand() {}

#[utoipa::path(get, path = "/api/brands/{id}/", tag = CATALOGUE,
    summary = "One brand",
    params(("id" = String, Path, description = BRAND_ID)),
    responses((status = 200, description = "The brand", body = BrandOut)))]
fn brand_detail() {}

#[utoipa::path(put, path = "/api/brands/{id}/", tag = CATALOGUE,
    summary = "Replace a brand's fields (staff only)",
    params(("id" = String, Path, description = BRAND_ID)),
    request_body(content = BrandWrite, description = "The brand"),
    responses(
        (status = 200, description = "The brand after the update", body = BrandOut),
        (status = 403, description = "The caller is not staff", body = inline(DetailRef))))]
fn update_brand_put() {}

#[utoipa::path(patch, path = "/api/brands/{id}/", tag = CATALOGUE,
    summary = "Change some of a brand's fields (staff only)",
    params(("id" = String, Path, description = BRAND_ID)),
    request_body(content = BrandPatch, description = "The fields to change"),
    responses(
        (status = 200, description = "The brand after the update", body = BrandOut),
        (status = 403, description = "The caller is not staff", body = inline(DetailRef))))]
fn update_brand_patch() {}

#[utoipa::path(delete, path = "/api/brands/{id}/", tag = CATALOGUE,
    summary = "Delete a brand and its models (staff only)",
    params(("id" = String, Path, description = BRAND_ID)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "The caller is not staff", body = inline(DetailRef))))]
fn delete_brand() {}

#[utoipa::path(get, path = "/api/brands/{id}/models/", tag = CATALOGUE,
    summary = "The brand's models, by name (not paged)",
    params(("id" = String, Path, description = BRAND_ID)),
    responses((status = 200, description = "Its models", body = Vec<ModelOut>)))]
fn brand_models() {}

#[utoipa::path(get, path = "/api/models/", tag = CATALOGUE,
    summary = "Car models, by brand name then name",
    params(ModelFilters),
    extensions(("x-paged" = json!(true))),
    responses(
        (status = 200, description = "A page of models", body = Vec<ModelOut>),
        (status = 400, description = "A `brand` that is no brand, or a year filter that is not a number (`Enter a number.`)", body = inline(FieldErrorsRef))))]
fn list_models() {}

#[utoipa::path(post, path = "/api/models/", tag = CATALOGUE,
    summary = "Add a model (staff only)",
    request_body(content = ModelWrite, description = "The model"),
    responses(
        (status = 201, description = "The model created", body = ModelOut),
        (status = 403, description = "The caller is not staff", body = inline(DetailRef))))]
fn create_model() {}

#[utoipa::path(get, path = "/api/models/{id}/", tag = CATALOGUE,
    summary = "One model",
    params(("id" = String, Path, description = MODEL_ID)),
    responses((status = 200, description = "The model", body = ModelOut)))]
fn model_detail() {}

#[utoipa::path(put, path = "/api/models/{id}/", tag = CATALOGUE,
    summary = "Replace a model's fields (staff only)",
    params(("id" = String, Path, description = MODEL_ID)),
    request_body(content = ModelWrite, description = "The model"),
    responses(
        (status = 200, description = "The model after the update", body = ModelOut),
        (status = 403, description = "The caller is not staff", body = inline(DetailRef))))]
fn update_model_put() {}

#[utoipa::path(patch, path = "/api/models/{id}/", tag = CATALOGUE,
    summary = "Change some of a model's fields (staff only)",
    params(("id" = String, Path, description = MODEL_ID)),
    request_body(content = ModelPatch, description = "The fields to change"),
    responses(
        (status = 200, description = "The model after the update", body = ModelOut),
        (status = 403, description = "The caller is not staff", body = inline(DetailRef))))]
fn update_model_patch() {}

#[utoipa::path(delete, path = "/api/models/{id}/", tag = CATALOGUE,
    summary = "Delete a model (staff only)",
    params(("id" = String, Path, description = MODEL_ID)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "The caller is not staff", body = inline(DetailRef))))]
fn delete_model() {}

#[derive(OpenApi)]
#[openapi(
    paths(
        list, create, fleet, detail, replace, patch, delete, maintenances, stats, documents,
        diagnostics, list_brands, create_brand, brand_detail, update_brand_put,
        update_brand_patch, delete_brand, brand_models, list_models, create_model,
        model_detail, update_model_put, update_model_patch, delete_model
    ),
    components(schemas(
        VehicleOut, VehicleDetailOut, VehicleWrite, VehiclePatch, FleetStats, VehicleStats,
        VehicleInfo, VehicleMaintenance, VehicleDocument, VehicleDiagnostics, BrandOut, ModelOut, BrandWrite, BrandPatch,
        ModelWrite, ModelPatch
    )),
    tags(
        (name = "vehicles", description = "The signed-in user's vehicles (spec 3.2.1-9)"),
        (name = "catalogue", description = "Car brands and models: read by every signed-in user, written by staff (spec 3.2.10-11)")
    )
)]
struct Doc;

/// This function's operations at their seed paths (`ALIASES` are applied
/// once the document is merged).
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = Doc::openapi();
    let documents = doc
        .paths
        .paths
        .get_mut("/api/vehicles/{id}/documents/")
        .and_then(|item| item.get.as_mut())
        .expect("GET /api/vehicles/{id}/documents/ is documented");
    documents.description = Some(format!(
        "A bare array of the vehicle's newest {VIEW_LIMIT} documents at most, each with its \
         extracted text. `file` and `file_url` are the path of the documents function's \
         download route (`GET /api/documents/{{id}}/file/`, a redirect to a fresh link): this \
         function signs no link."
    ));
    let ok = documents.responses.responses.get_mut("200").expect("a 200");
    if let utoipa::openapi::RefOr::T(response) = ok {
        let body = response
            .content
            .get_mut("application/json")
            .expect("a JSON body");
        if let Some(utoipa::openapi::RefOr::T(utoipa::openapi::schema::Schema::Array(list))) =
            body.schema.as_mut()
        {
            list.max_items = Some(VIEW_LIMIT);
        }
    }
    doc
}

/// The seed's catalogue paths under `/api/vehicles/` (the router's
/// `at(router, &[seed, alias], ...)`).
pub const ALIASES: &[shared::openapi::Alias] = &[
    ("/api/brands/", "/api/vehicles/brands/", &["get", "post"]),
    (
        "/api/brands/{id}/",
        "/api/vehicles/brands/{id}/",
        &["get", "put", "patch", "delete"],
    ),
    (
        "/api/brands/{id}/models/",
        "/api/vehicles/brands/{id}/models/",
        &["get"],
    ),
    ("/api/models/", "/api/vehicles/models/", &["get", "post"]),
    (
        "/api/models/{id}/",
        "/api/vehicles/models/{id}/",
        &["get", "put", "patch", "delete"],
    ),
];

#[cfg(test)]
mod tests {
    #[test]
    fn the_document_has_every_operation_of_the_router() {
        let doc = serde_json::to_value(super::openapi()).unwrap();
        let paths = doc["paths"].as_object().unwrap();
        assert_eq!(paths.len(), 12);
        let operations: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
        assert_eq!(operations, 24);
        let fuel = &doc["components"]["schemas"]["VehicleWrite"]["properties"]["fuel_type"];
        assert!(fuel["enum"].as_array().unwrap().contains(&"diesel".into()));
        let vin = &doc["components"]["schemas"]["VehicleWrite"]["properties"]["vin"];
        assert!(vin["pattern"].as_str().unwrap().contains("{17}"));
        let create = doc["paths"]["/api/vehicles/"]["post"]["description"]
            .as_str()
            .unwrap();
        let documents = &doc["paths"]["/api/vehicles/{id}/documents/"]["get"]["responses"]["200"]
            ["content"]["application/json"]["schema"];
        assert_eq!(
            documents["items"]["$ref"],
            "#/components/schemas/VehicleDocument"
        );
        assert_eq!(documents["maxItems"], shared::domain::documents::VIEW_LIMIT);
        let row = &doc["components"]["schemas"]["VehicleDocument"];
        assert_eq!(row["allOf"][0]["$ref"], "#/components/schemas/Document");
        let pattern = row["allOf"][1]["properties"]["file"]["pattern"]
            .as_str()
            .unwrap();
        assert_eq!(pattern, "^/api/documents/[^/]+/file/$");
        let limit = shared::domain::limits::MAX_VEHICLES_PER_USER;
        assert!(create.contains(&format!(" {limit} vehicles")), "{create}");
    }
}
