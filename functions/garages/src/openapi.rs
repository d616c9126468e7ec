//! This function's part of the API document (feature `openapi`, never in
//! the release binary; docs/openapi-design.md): the garage directory, its
//! nearby / top-rated / by-specialty views and the garage reviews (spec 5).
//! One `utoipa::path` stub per operation, named after its handler, at the
//! seed path with its trailing slash; the reference's `search_nearby/` and
//! `add_review/` are `ALIASES`. The shapes are the ones `Garage::to_json`,
//! `Review::to_json` and the handlers write; the bodies the ones
//! `GarageBody::read` and `read_review` accept, with the limits of the same
//! constants. Everything is public to read (a bad bearer header is still a
//! 401) except `by_specialty/`; every write needs a token.

// The stubs only carry their `utoipa::path` attribute: nothing calls them.
#![allow(dead_code)]

use serde_json::{json, Value};
use shared::domain::garages::{
    ADDRESS_MAX, CERTIFICATIONS_MAX, CERTIFICATION_MAX, CITY_MAX, COMMENT_MAX, COUNTRY_MAX,
    DESCRIPTION_MAX, NAME_MAX, PHONE_MAX, POSTAL_CODE_MAX, RATINGS, RECENT_REVIEWS,
    REVIEWER_NAME_MAX, SPECIALTIES_MAX, SPECIALTY_MAX,
};
use shared::http::pagination::PAGE_SIZE;
use shared::openapi::{trimmed_text_pattern, DetailRef, FieldErrorsRef, TRIMMED_SPACE};
use shared::store::garages::TOP_RATED_MIN_REVIEWS;
use utoipa::openapi::{RefOr, Schema};
use utoipa::{IntoParams, OpenApi, PartialSchema, ToSchema};

use crate::directory::{COORDINATE_DECIMALS, DETAIL_REVIEWS_MAX, ORDERING_FIELDS, SEARCH_MAX};
use crate::finders::{
    BY_SPECIALTY_DEFAULT, LIMIT_MAX, NEARBY_MAX, RADIUS_DEFAULT_KM, RADIUS_MAX_KM,
    TOP_RATED_DEFAULT,
};
use crate::paging::MAX_SKIPPED;

const GARAGES: &str = "garages";
const REVIEWS: &str = "reviews";

fn schema(value: Value) -> RefOr<Schema> {
    RefOr::T(serde_json::from_value(value).expect("a valid schema"))
}

/// The deepest page a bare `?page=N` reaches (`paging::skip_to`).
fn deepest_bare_page() -> usize {
    MAX_SKIPPED / PAGE_SIZE + 1
}

// ---- inputs -----------------------------------------------------------------

/// A required text (`Fields::required_text`): trimmed, not blank, at most
/// `max` characters once trimmed; a number is taken as its text.
fn required_text(max: usize) -> RefOr<Schema> {
    schema(json!({
        "type": ["string", "number"],
        "pattern": trimmed_text_pattern(max, false),
        "description": format!("At most {max} characters once trimmed; not blank; a number is taken as its text."),
    }))
}

/// An optional text (`Text::optional`): blank and null clear it.
fn optional_text(max: usize) -> RefOr<Schema> {
    schema(json!({
        "type": ["string", "number", "null"],
        "pattern": trimmed_text_pattern(max, true),
        "description": format!("At most {max} characters once trimmed; empty or null clears it; a number is taken as its text."),
    }))
}

fn name_in() -> RefOr<Schema> {
    required_text(NAME_MAX)
}

fn address_in() -> RefOr<Schema> {
    required_text(ADDRESS_MAX)
}

fn phone_in() -> RefOr<Schema> {
    optional_text(PHONE_MAX)
}

fn city_in() -> RefOr<Schema> {
    optional_text(CITY_MAX)
}

fn postal_code_in() -> RefOr<Schema> {
    optional_text(POSTAL_CODE_MAX)
}

fn country_in() -> RefOr<Schema> {
    optional_text(COUNTRY_MAX)
}

fn description_in() -> RefOr<Schema> {
    optional_text(DESCRIPTION_MAX)
}

fn email(nullable: bool) -> RefOr<Schema> {
    let kind = if nullable {
        json!(["string", "null"])
    } else {
        json!("string")
    };
    let absent = if nullable {
        " Null or absent: none; blank (only spaces or empty) is accepted and kept empty."
    } else {
        ""
    };
    let pattern = if nullable {
        format!(
            "^[{}]*$|{}",
            TRIMMED_SPACE,
            shared::openapi::email_pattern()
        )
    } else {
        shared::openapi::email_pattern()
    };
    schema(json!({
        "type": kind,
        "pattern": pattern,
        "description": format!("An e-mail address (local part at most 64 characters); spaces around are trimmed.{absent}"),
        "examples": ["contact@garage.example"],
    }))
}

fn garage_email_in() -> RefOr<Schema> {
    email(false)
}

fn reviewer_email_in() -> RefOr<Schema> {
    email(true)
}

/// `Fields::number`: a finite number within bounds (a numeric string is
/// read as its number too); null is refused (a position cannot be cleared).
fn coordinate_in(name: &str, min: f64, max: f64, other: &str) -> RefOr<Schema> {
    schema(json!({
        "type": "number",
        "minimum": min,
        "maximum": max,
        "description": format!(
            "The {name}, {min} to {max}, kept to {COORDINATE_DECIMALS} decimals; required \
             together with `{other}`; null is a 400 (a position can be moved, never removed)."
        ),
    }))
}

fn latitude_in() -> RefOr<Schema> {
    coordinate_in("latitude", -90.0, 90.0, "longitude")
}

fn longitude_in() -> RefOr<Schema> {
    coordinate_in("longitude", -180.0, 180.0, "latitude")
}

/// `Fields::string_list`: each item trimmed, not blank, at most `max_len`
/// characters; repeats dropped (the first kept); null is an empty list.
fn string_list(max_items: usize, max_len: usize) -> RefOr<Schema> {
    schema(json!({
        "type": ["array", "null"],
        "items": {"type": "string", "pattern": trimmed_text_pattern(max_len, false)},
        "maxItems": max_items,
        "description": format!(
            "At most {max_items} different texts of at most {max_len} characters once trimmed, \
             none blank; repeats are dropped (the first kept); null is an empty list."
        ),
    }))
}

fn specialties_in() -> RefOr<Schema> {
    string_list(SPECIALTIES_MAX, SPECIALTY_MAX)
}

fn certifications_in() -> RefOr<Schema> {
    string_list(CERTIFICATIONS_MAX, CERTIFICATION_MAX)
}

/// The body of `POST /api/garages/` and `PUT /api/garages/{id}/`: `name`,
/// `email` and `address` required. A field left out keeps its value (on
/// PUT too); `id`, `location`, `average_rating`, `total_reviews` and
/// unknown fields are ignored.
#[derive(ToSchema)]
#[schema(as = GarageWrite)]
struct GarageWrite {
    #[schema(schema_with = name_in)]
    name: String,
    #[schema(schema_with = garage_email_in)]
    email: String,
    #[schema(schema_with = address_in)]
    address: String,
    #[schema(schema_with = phone_in, required = false)]
    phone: String,
    #[schema(schema_with = city_in, required = false)]
    city: String,
    #[schema(schema_with = postal_code_in, required = false)]
    postal_code: String,
    #[schema(schema_with = country_in, required = false)]
    country: String,
    #[schema(schema_with = description_in, required = false)]
    description: String,
    #[schema(schema_with = latitude_in, required = false)]
    latitude: f64,
    #[schema(schema_with = longitude_in, required = false)]
    longitude: f64,
    #[schema(schema_with = specialties_in, required = false)]
    specialties: Vec<String>,
    #[schema(schema_with = certifications_in, required = false)]
    certifications: Vec<String>,
}

/// The body of `PATCH /api/garages/{id}/`: the same fields, none required.
#[derive(ToSchema)]
#[schema(as = GaragePatch)]
struct GaragePatch {
    #[schema(schema_with = name_in, required = false)]
    name: String,
    #[schema(schema_with = garage_email_in, required = false)]
    email: String,
    #[schema(schema_with = address_in, required = false)]
    address: String,
    #[schema(schema_with = phone_in, required = false)]
    phone: String,
    #[schema(schema_with = city_in, required = false)]
    city: String,
    #[schema(schema_with = postal_code_in, required = false)]
    postal_code: String,
    #[schema(schema_with = country_in, required = false)]
    country: String,
    #[schema(schema_with = description_in, required = false)]
    description: String,
    #[schema(schema_with = latitude_in, required = false)]
    latitude: f64,
    #[schema(schema_with = longitude_in, required = false)]
    longitude: f64,
    #[schema(schema_with = specialties_in, required = false)]
    specialties: Vec<String>,
    #[schema(schema_with = certifications_in, required = false)]
    certifications: Vec<String>,
}

fn reviewer_name_in() -> RefOr<Schema> {
    required_text(REVIEWER_NAME_MAX)
}

/// `Fields::integer`: a whole number within `RATINGS`; null is refused.
fn rating_in() -> RefOr<Schema> {
    let (low, high) = RATINGS;
    schema(json!({
        "type": "integer",
        "minimum": low,
        "maximum": high,
        "description": format!("Stars, {low} to {high}."),
    }))
}

fn comment_in() -> RefOr<Schema> {
    optional_text(COMMENT_MAX)
}

fn garage_ref_in() -> RefOr<Schema> {
    schema(json!({
        "type": "string",
        "format": "uuid",
        "description": "The id of an existing garage (else a 400 `garage`: `Invalid pk \"...\" - object does not exist.`).",
    }))
}

fn same_garage_in() -> RefOr<Schema> {
    schema(json!({
        "type": ["string", "null"],
        "format": "uuid",
        "description": "Optional: the review's own garage. Any other value is a 400 `garage` (a review cannot move).",
    }))
}

/// The body of `POST /api/garages/{id}/review/`: the garage is the path's
/// (a `garage` here is ignored).
#[derive(ToSchema)]
#[schema(as = GarageReviewWrite)]
struct GarageReviewWrite {
    #[schema(schema_with = reviewer_name_in)]
    reviewer_name: String,
    #[schema(schema_with = rating_in)]
    rating: i64,
    #[schema(schema_with = reviewer_email_in, required = false)]
    reviewer_email: String,
    #[schema(schema_with = comment_in, required = false)]
    comment: String,
}

/// The body of `POST /api/reviews/`: the review with its garage.
#[derive(ToSchema)]
#[schema(as = ReviewCreate)]
struct ReviewCreate {
    #[schema(schema_with = garage_ref_in)]
    garage: String,
    #[schema(schema_with = reviewer_name_in)]
    reviewer_name: String,
    #[schema(schema_with = rating_in)]
    rating: i64,
    #[schema(schema_with = reviewer_email_in, required = false)]
    reviewer_email: String,
    #[schema(schema_with = comment_in, required = false)]
    comment: String,
}

/// The body of `PUT /api/reviews/{id}/`: `reviewer_name` and `rating`
/// required; a field left out keeps its value.
#[derive(ToSchema)]
#[schema(as = ReviewWrite)]
struct ReviewWrite {
    #[schema(schema_with = reviewer_name_in)]
    reviewer_name: String,
    #[schema(schema_with = rating_in)]
    rating: i64,
    #[schema(schema_with = reviewer_email_in, required = false)]
    reviewer_email: String,
    #[schema(schema_with = comment_in, required = false)]
    comment: String,
    #[schema(schema_with = same_garage_in, required = false)]
    garage: String,
}

/// The body of `PATCH /api/reviews/{id}/`: the same fields, none required.
#[derive(ToSchema)]
#[schema(as = ReviewPatch)]
struct ReviewPatch {
    #[schema(schema_with = reviewer_name_in, required = false)]
    reviewer_name: String,
    #[schema(schema_with = rating_in, required = false)]
    rating: i64,
    #[schema(schema_with = reviewer_email_in, required = false)]
    reviewer_email: String,
    #[schema(schema_with = comment_in, required = false)]
    comment: String,
    #[schema(schema_with = same_garage_in, required = false)]
    garage: String,
}

// ---- outputs ----------------------------------------------------------------

fn nullable_string() -> RefOr<Schema> {
    schema(json!({"type": ["string", "null"]}))
}

fn nullable_email() -> RefOr<Schema> {
    schema(json!({
        "type": ["string", "null"],
        "description": "The address given, empty when a blank one was given, or null.",
    }))
}

fn rating_out() -> RefOr<Schema> {
    schema(json!({
        "type": "integer",
        "minimum": RATINGS.0,
        "maximum": RATINGS.1,
    }))
}

/// `Review` (spec 5.1).
#[derive(ToSchema)]
#[schema(as = Review)]
struct ReviewOut {
    #[schema(format = Uuid)]
    id: String,
    /// The garage's id.
    #[schema(format = Uuid)]
    garage: String,
    reviewer_name: String,
    #[schema(schema_with = nullable_email, required = true)]
    reviewer_email: Option<String>,
    #[schema(schema_with = rating_out)]
    rating: i64,
    #[schema(schema_with = nullable_string, required = true)]
    comment: Option<String>,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    updated_at: String,
}

fn location_out() -> RefOr<Schema> {
    schema(json!({
        "oneOf": [
            {
                "type": "object",
                "description": "GeoJSON point: `[longitude, latitude]`.",
                "properties": {
                    "type": {"type": "string", "enum": ["Point"]},
                    "coordinates": {
                        "type": "array",
                        "items": {"type": "number"},
                        "minItems": 2,
                        "maxItems": 2
                    }
                },
                "required": ["type", "coordinates"]
            },
            {"type": "null"}
        ],
        "description": "Null until both coordinates are given.",
    }))
}

fn average_out() -> RefOr<Schema> {
    schema(json!({
        "type": "string",
        "pattern": r"^[0-9]\.[0-9]{2}$",
        "description": "The mean of the reviews' ratings with 2 decimals (half to even), as text; `0.00` without reviews.",
        "examples": ["4.33"],
    }))
}

fn recent_out() -> RefOr<Schema> {
    schema(json!({
        "type": "array",
        "items": {"$ref": "#/components/schemas/Review"},
        "maxItems": RECENT_REVIEWS,
        "description": format!("The newest {RECENT_REVIEWS} reviews at most, newest first."),
    }))
}

fn text_list_out() -> RefOr<Schema> {
    schema(json!({"type": "array", "items": {"type": "string"}}))
}

/// `Garage` (spec 5.1).
#[derive(ToSchema)]
#[schema(as = Garage)]
struct GarageOut {
    #[schema(format = Uuid)]
    id: String,
    name: String,
    email: String,
    #[schema(schema_with = nullable_string, required = true)]
    phone: Option<String>,
    address: String,
    #[schema(schema_with = nullable_string, required = true)]
    city: Option<String>,
    #[schema(schema_with = nullable_string, required = true)]
    postal_code: Option<String>,
    #[schema(schema_with = nullable_string, required = true)]
    country: Option<String>,
    #[schema(schema_with = location_out, required = true)]
    location: Option<Value>,
    #[schema(schema_with = nullable_string, required = true)]
    description: Option<String>,
    #[schema(schema_with = text_list_out)]
    specialties: Vec<String>,
    #[schema(schema_with = text_list_out)]
    certifications: Vec<String>,
    #[schema(schema_with = average_out)]
    average_rating: String,
    /// How many reviews the garage has.
    #[schema(minimum = 0)]
    total_reviews: i64,
    /// The same number as `total_reviews`.
    #[schema(minimum = 0)]
    reviews_count: i64,
    #[schema(schema_with = recent_out)]
    recent_reviews: Vec<Value>,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    updated_at: String,
}

/// `Garage` with more properties: `allOf` the garage and `extra`.
fn garage_with(extra: Value) -> RefOr<Schema> {
    schema(json!({"allOf": [{"$ref": "#/components/schemas/Garage"}, extra]}))
}

/// `GarageDetail`: the garage with its newest reviews.
struct GarageDetailOut;

impl PartialSchema for GarageDetailOut {
    fn schema() -> RefOr<Schema> {
        garage_with(json!({
            "type": "object",
            "properties": {"all_reviews": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/Review"},
                "maxItems": DETAIL_REVIEWS_MAX,
                "description": format!(
                    "The newest {DETAIL_REVIEWS_MAX} reviews at most, newest first; all of them \
                     through `GET /api/garages/{{id}}/reviews/`."
                )
            }},
            "required": ["all_reviews"]
        }))
    }
}

impl ToSchema for GarageDetailOut {
    fn name() -> std::borrow::Cow<'static, str> {
        "GarageDetail".into()
    }
}

/// `NearbyGarage`: the garage with its distance from the point asked.
struct NearbyGarageOut;

impl PartialSchema for NearbyGarageOut {
    fn schema() -> RefOr<Schema> {
        garage_with(json!({
            "type": "object",
            "properties": {"distance_km": {
                "type": "number",
                "minimum": 0,
                "description": "Great-circle distance from `lat`/`lng`, in km, 2 decimals."
            }},
            "required": ["distance_km"]
        }))
    }
}

impl ToSchema for NearbyGarageOut {
    fn name() -> std::borrow::Cow<'static, str> {
        "NearbyGarage".into()
    }
}

/// The 400 of the nearby search: `{"error": "..."}` (the reference's
/// envelope, not `FieldErrors`).
#[derive(ToSchema)]
#[schema(as = NearbyError)]
struct NearbyError {
    error: String,
}

/// The 409 of a review write: a second review of the same garage by the
/// same user (`AlreadyReviewed`), or a garage that kept changing (`Detail`).
struct ReviewConflict;

impl ToSchema for ReviewConflict {}

impl PartialSchema for ReviewConflict {
    fn schema() -> RefOr<Schema> {
        // `anyOf`: an `AlreadyReviewed` body is a `Detail` body too.
        schema(json!({"anyOf": [
            {"$ref": "#/components/schemas/AlreadyReviewed"},
            {"$ref": "#/components/schemas/Detail"}
        ]}))
    }
}

/// The 409 of a second review of the same garage by the same user.
#[derive(ToSchema)]
#[schema(as = AlreadyReviewed)]
struct AlreadyReviewed {
    detail: String,
    /// The id of the caller's existing review of this garage (to edit or
    /// delete instead).
    #[schema(format = Uuid)]
    review: String,
}

// ---- parameters -------------------------------------------------------------

fn exact_filter() -> RefOr<Schema> {
    schema(json!({"type": "string"}))
}

fn search_param() -> RefOr<Schema> {
    schema(json!({"type": "string", "examples": ["garage du"]}))
}

fn garage_ordering() -> RefOr<Schema> {
    schema(json!({"type": "string", "examples": ["-average_rating", "name"]}))
}

fn cursor() -> RefOr<Schema> {
    schema(json!({"type": "string", "pattern": "^[A-Za-z0-9_-]*$"}))
}

/// The parameters of `GET /api/garages/` (spec 5.2.1). Described in
/// `PARAM_DESCRIPTIONS` (`IntoParams` drops a `schema_with` field's doc).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
struct GarageFilters {
    #[param(schema_with = exact_filter)]
    city: Option<String>,
    #[param(schema_with = exact_filter)]
    postal_code: Option<String>,
    #[param(schema_with = exact_filter)]
    country: Option<String>,
    #[param(schema_with = search_param)]
    search: Option<String>,
    #[param(schema_with = garage_ordering)]
    ordering: Option<String>,
    #[param(schema_with = cursor)]
    after: Option<String>,
    #[param(schema_with = cursor)]
    before: Option<String>,
}

fn review_ordering() -> RefOr<Schema> {
    schema(json!({"type": "string", "examples": ["-created_at", "created_at"]}))
}

/// The parameters of a garage's reviews (`GET /api/garages/{id}/reviews/`).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
struct ReviewPaging {
    #[param(schema_with = review_ordering)]
    ordering: Option<String>,
    #[param(schema_with = cursor)]
    after: Option<String>,
    #[param(schema_with = cursor)]
    before: Option<String>,
}

fn garage_filter() -> RefOr<Schema> {
    schema(json!({"type": "string", "pattern": r"\S"}))
}

fn unserved_filter() -> RefOr<Schema> {
    schema(json!({"type": "string", "maxLength": 0}))
}

/// The parameters of `GET /api/reviews/`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
struct ReviewFilters {
    #[param(schema_with = garage_filter)]
    garage: String,
    #[param(schema_with = unserved_filter)]
    rating: Option<String>,
    #[param(schema_with = review_ordering)]
    ordering: Option<String>,
    #[param(schema_with = cursor)]
    after: Option<String>,
    #[param(schema_with = cursor)]
    before: Option<String>,
}

fn lat_param() -> RefOr<Schema> {
    schema(json!({"type": "number", "minimum": -90, "maximum": 90}))
}

fn lng_param() -> RefOr<Schema> {
    schema(json!({"type": "number", "minimum": -180, "maximum": 180}))
}

fn radius_param() -> RefOr<Schema> {
    schema(json!({
        "type": "number",
        "minimum": 0,
        "maximum": RADIUS_MAX_KM,
        "default": RADIUS_DEFAULT_KM,
    }))
}

/// The parameters of `GET /api/garages/nearby/` (spec 5.2.6).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
struct NearbyParams {
    #[param(schema_with = lat_param)]
    lat: f64,
    #[param(schema_with = lng_param)]
    lng: f64,
    #[param(schema_with = radius_param)]
    radius: Option<f64>,
}

fn limit(default: usize) -> RefOr<Schema> {
    schema(json!({
        "oneOf": [
            {"type": "integer", "minimum": 0, "maximum": LIMIT_MAX},
            {"type": "string", "maxLength": 0}
        ],
        "default": default,
    }))
}

fn top_rated_limit() -> RefOr<Schema> {
    limit(TOP_RATED_DEFAULT)
}

fn by_specialty_limit() -> RefOr<Schema> {
    limit(BY_SPECIALTY_DEFAULT)
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
struct TopRatedParams {
    #[param(schema_with = top_rated_limit)]
    limit: Option<i64>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
struct BySpecialtyParams {
    #[param(schema_with = exact_filter)]
    specialty: Option<String>,
    #[param(schema_with = by_specialty_limit)]
    limit: Option<i64>,
}

// ---- garage operations ------------------------------------------------------

const GARAGE_ID: &str = "The garage's id";
const REVIEW_ID: &str = "The review's id";

#[utoipa::path(get, path = "/api/garages/", tag = GARAGES,
    security((), ("bearer" = [])),
    summary = "The garage directory, filtered or searched, best rated first by default",
    params(GarageFilters),
    extensions(("x-paged" = json!(true))),
    responses(
        (status = 200, description = "A page of garages", body = Vec<GarageOut>),
        (status = 400, description = "A list form that is not served (see the description), a search with too many matches, an invalid cursor, or a bare `page` too deep", body = inline(FieldErrorsRef))))]
fn list() {}

#[utoipa::path(post, path = "/api/garages/", tag = GARAGES,
    summary = "Add a garage to the directory (the caller becomes its creator)",
    request_body(content = GarageWrite, description = "The garage; `name`, `email` and `address` required"),
    responses((status = 201, description = "The garage created", body = GarageOut)))]
fn create() {}

#[utoipa::path(get, path = "/api/garages/{id}/", tag = GARAGES,
    security((), ("bearer" = [])),
    summary = "One garage with its newest reviews",
    params(("id" = String, Path, description = GARAGE_ID)),
    responses((status = 200, description = "The garage", body = GarageDetailOut)))]
fn detail() {}

#[utoipa::path(put, path = "/api/garages/{id}/", tag = GARAGES,
    summary = "Replace a garage's fields (its creator or staff)",
    params(("id" = String, Path, description = GARAGE_ID)),
    request_body(content = GarageWrite, description = "The garage; `name`, `email` and `address` required"),
    responses(
        (status = 200, description = "The garage after the update", body = GarageOut),
        (status = 403, description = "The caller neither created the garage nor is staff", body = inline(DetailRef)),
        (status = 409, description = "The garage kept changing meanwhile: retry", body = inline(DetailRef))))]
fn replace() {}

#[utoipa::path(patch, path = "/api/garages/{id}/", tag = GARAGES,
    summary = "Change some of a garage's fields (its creator or staff)",
    params(("id" = String, Path, description = GARAGE_ID)),
    request_body(content = GaragePatch, description = "The fields to change"),
    responses(
        (status = 200, description = "The garage after the update", body = GarageOut),
        (status = 403, description = "The caller neither created the garage nor is staff", body = inline(DetailRef)),
        (status = 409, description = "The garage kept changing meanwhile: retry", body = inline(DetailRef))))]
fn patch() {}

#[utoipa::path(delete, path = "/api/garages/{id}/", tag = GARAGES,
    summary = "Delete a garage with its reviews (its creator or staff)",
    description = "A delete interrupted part way leaves the garage hidden; a second DELETE finishes it.",
    params(("id" = String, Path, description = GARAGE_ID)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "The caller neither created the garage nor is staff", body = inline(DetailRef)),
        (status = 409, description = "The garage kept changing meanwhile: retry", body = inline(DetailRef))))]
fn delete() {}

#[utoipa::path(get, path = "/api/garages/nearby/", tag = GARAGES,
    security((), ("bearer" = [])),
    summary = "Garages within a radius of a point, nearest first (not paged)",
    params(NearbyParams),
    responses(
        (status = 200, description = "The nearest garages with their distance", body = Vec<NearbyGarageOut>),
        (status = 400, description = "`lat`/`lng` missing, not numbers or out of range, or a `radius` that is not a number or out of range", body = NearbyError)))]
fn nearby() {}

#[utoipa::path(get, path = "/api/garages/top_rated/", tag = GARAGES,
    security((), ("bearer" = [])),
    summary = "The best rated garages (not paged)",
    params(TopRatedParams),
    responses(
        (status = 200, description = "The garages, best rated first", body = Vec<GarageOut>),
        (status = 400, description = "A `limit` that is not a whole number from 0 to the maximum", body = inline(FieldErrorsRef))))]
fn top_rated() {}

#[utoipa::path(get, path = "/api/garages/by_specialty/", tag = GARAGES,
    summary = "Garages offering one specialty, best rated first (not paged)",
    params(BySpecialtyParams),
    responses(
        (status = 200, description = "The garages, best rated first", body = Vec<GarageOut>),
        (status = 400, description = "A `limit` that is not a whole number from 0 to the maximum", body = inline(FieldErrorsRef))))]
fn by_specialty() {}

// ---- review operations ------------------------------------------------------

#[utoipa::path(post, path = "/api/garages/{id}/review/", tag = REVIEWS,
    summary = "Review a garage (one review per user and garage)",
    params(("id" = String, Path, description = GARAGE_ID)),
    request_body(content = GarageReviewWrite, description = "The review; `reviewer_name` and `rating` required"),
    responses(
        (status = 201, description = "The review created", body = ReviewOut),
        (status = 409, description = "The caller already reviewed this garage (`review` names that review), or the garage kept changing meanwhile (`detail` only: retry)", body = inline(ReviewConflict))))]
fn add_to_garage() {}

#[utoipa::path(get, path = "/api/garages/{id}/reviews/", tag = REVIEWS,
    security((), ("bearer" = [])),
    summary = "A garage's reviews, newest first",
    params(("id" = String, Path, description = GARAGE_ID), ReviewPaging),
    extensions(("x-paged" = json!(true))),
    responses(
        (status = 200, description = "A page of reviews", body = Vec<ReviewOut>),
        (status = 400, description = "An ordering on another field than `created_at`, an invalid cursor, or a bare `page` too deep", body = inline(FieldErrorsRef))))]
fn of_garage() {}

#[utoipa::path(get, path = "/api/reviews/", tag = REVIEWS,
    security((), ("bearer" = [])),
    summary = "The reviews of one garage (`garage` required), newest first",
    params(ReviewFilters),
    extensions(("x-paged" = json!(true))),
    responses(
        (status = 200, description = "A page of reviews", body = Vec<ReviewOut>),
        (status = 400, description = "`garage` missing or no garage, a `rating` filter, an ordering on another field than `created_at`, an invalid cursor, or a bare `page` too deep", body = inline(FieldErrorsRef))))]
fn list_reviews() {}

#[utoipa::path(post, path = "/api/reviews/", tag = REVIEWS,
    summary = "Review a garage named in the body (one review per user and garage)",
    request_body(content = ReviewCreate, description = "The review; `garage`, `reviewer_name` and `rating` required"),
    responses(
        (status = 201, description = "The review created", body = ReviewOut),
        (status = 409, description = "The caller already reviewed this garage (`review` names that review), or the garage kept changing meanwhile (`detail` only: retry)", body = inline(ReviewConflict))))]
fn create_review() {}

#[utoipa::path(get, path = "/api/reviews/{id}/", tag = REVIEWS,
    security((), ("bearer" = [])),
    summary = "One review",
    params(("id" = String, Path, description = REVIEW_ID)),
    responses((status = 200, description = "The review", body = ReviewOut)))]
fn review_detail() {}

#[utoipa::path(put, path = "/api/reviews/{id}/", tag = REVIEWS,
    summary = "Replace a review's fields (its author or staff); the garage's rating follows",
    params(("id" = String, Path, description = REVIEW_ID)),
    request_body(content = ReviewWrite, description = "The review; `reviewer_name` and `rating` required"),
    responses(
        (status = 200, description = "The review after the update", body = ReviewOut),
        (status = 403, description = "The caller neither wrote the review nor is staff", body = inline(DetailRef)),
        (status = 409, description = "The garage kept changing meanwhile: retry", body = inline(DetailRef))))]
fn replace_review() {}

#[utoipa::path(patch, path = "/api/reviews/{id}/", tag = REVIEWS,
    summary = "Change some of a review's fields (its author or staff); the garage's rating follows",
    params(("id" = String, Path, description = REVIEW_ID)),
    request_body(content = ReviewPatch, description = "The fields to change"),
    responses(
        (status = 200, description = "The review after the update", body = ReviewOut),
        (status = 403, description = "The caller neither wrote the review nor is staff", body = inline(DetailRef)),
        (status = 409, description = "The garage kept changing meanwhile: retry", body = inline(DetailRef))))]
fn patch_review() {}

#[utoipa::path(delete, path = "/api/reviews/{id}/", tag = REVIEWS,
    summary = "Delete a review (its author or staff); the garage's rating follows",
    params(("id" = String, Path, description = REVIEW_ID)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "The caller neither wrote the review nor is staff", body = inline(DetailRef)),
        (status = 409, description = "The garage kept changing meanwhile: retry", body = inline(DetailRef))))]
fn delete_review() {}

#[derive(OpenApi)]
#[openapi(
    paths(
        list, create, detail, replace, patch, delete, nearby, top_rated, by_specialty,
        add_to_garage, of_garage, list_reviews, create_review, review_detail, replace_review,
        patch_review, delete_review
    ),
    components(schemas(
        GarageOut, GarageDetailOut, NearbyGarageOut, ReviewOut, GarageWrite, GaragePatch,
        GarageReviewWrite, ReviewCreate, ReviewWrite, ReviewPatch, NearbyError, AlreadyReviewed
    )),
    tags(
        (name = "garages", description = "The garage directory: read by anyone, added to by signed-in users, changed by a garage's creator or staff (spec 5). An unknown garage is a 404 `No Garage matches the given query.`"),
        (name = "reviews", description = "Garage reviews: read by anyone, one per user and garage, changed by their author or staff (spec 5). An unknown review is a 404 `No GarageReview matches the given query.`")
    )
)]
struct Doc;

/// This function's operations at their seed paths (`ALIASES` are applied
/// once the document is merged), with the descriptions that need the
/// handlers' constants.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = Doc::openapi();
    let deepest = deepest_bare_page();
    let list_params = param_descriptions();
    for (path, params) in [
        ("/api/garages/", &list_params.garages),
        ("/api/garages/{id}/reviews/", &list_params.review_paging),
        ("/api/reviews/", &list_params.reviews),
        ("/api/garages/nearby/", &list_params.nearby),
        ("/api/garages/top_rated/", &list_params.top_rated),
        ("/api/garages/by_specialty/", &list_params.by_specialty),
    ] {
        for (name, text) in params {
            let param = get(&mut doc, path)
                .parameters
                .iter_mut()
                .flatten()
                .find(|p| p.name == *name)
                .unwrap_or_else(|| panic!("{path}: a documented parameter {name}"));
            param.description = Some(text.clone());
        }
    }
    // `IntoParams` makes a `schema_with` parameter optional, whatever its type.
    for (path, name) in [
        ("/api/garages/nearby/", "lat"),
        ("/api/garages/nearby/", "lng"),
        ("/api/reviews/", "garage"),
    ] {
        get(&mut doc, path)
            .parameters
            .iter_mut()
            .flatten()
            .find(|p| p.name == name)
            .expect("a documented parameter")
            .required = utoipa::openapi::Required::True;
    }
    let ordering_fields = ORDERING_FIELDS
        .iter()
        .map(|f| format!("`{f}`"))
        .collect::<Vec<_>>()
        .join(", ");
    get(&mut doc, "/api/garages/").description = Some(format!(
        "Served forms, each one bounded read of the directory: \
         (1) no filter, ordered by one of {ordering_fields} (`-` for descending; default \
         `-average_rating,name`); \
         (2) one of `city`, `postal_code`, `country` (exact value), ordered by `average_rating` \
         only (either direction); two filters at once, or a filter with another ordering, is a \
         400 (unless there is a `search`); \
         (3) `search`: the garages whose normalised name (lower case, accents folded, other \
         characters one space) starts with the normalised text, with any filters and ordering \
         applied to those matches; more than {SEARCH_MAX} matches is a 400 asking for more of \
         the name (search pages are page numbers only). \
         Pages: follow the `next` and `previous` links, which carry a cursor (`after` / \
         `before`); a bare `?page=N` is served up to page {deepest} from either end, deeper \
         ones are a 400 asking to follow the links."
    ));
    get(&mut doc, "/api/garages/{id}/reviews/").description = Some(format!(
        "Pages: follow the `next` and `previous` links (cursors `after` / `before`); a bare \
         `?page=N` is served up to page {deepest} from either end, deeper ones are a 400. \
         `count` is the garage's `total_reviews`."
    ));
    get(&mut doc, "/api/reviews/").description = Some(format!(
        "Reviews are listed one garage at a time: `garage` is required (missing or not a garage: \
         400 `garage`), and a `rating` filter is refused (400). Pages: follow the `next` and \
         `previous` links (cursors `after` / `before`); a bare `?page=N` is served up to page \
         {deepest} from either end, deeper ones are a 400."
    ));
    get(&mut doc, "/api/garages/nearby/").description = Some(format!(
        "A bare array of the {NEARBY_MAX} nearest garages at most within `radius` km, each with \
         its `distance_km`. Errors are `{{\"error\": \"...\"}}`, not field errors."
    ));
    get(&mut doc, "/api/garages/top_rated/").description = Some(format!(
        "A bare array of at most `limit` garages (at most {LIMIT_MAX}) among those with at least \
         {TOP_RATED_MIN_REVIEWS} reviews, best rated first."
    ));
    get(&mut doc, "/api/garages/by_specialty/").description = Some(format!(
        "A bare array of at most `limit` garages (at most {LIMIT_MAX}) whose `specialties` hold \
         exactly `specialty` (case-sensitive); without `specialty`, all garages. Best rated \
         first."
    ));
    get(&mut doc, "/api/garages/{id}/").description = Some(format!(
        "`all_reviews` holds the newest {DETAIL_REVIEWS_MAX} reviews at most; the others \
         through `GET /api/garages/{{id}}/reviews/`."
    ));
    doc
}

struct ParamDescriptions {
    garages: Vec<(&'static str, String)>,
    reviews: Vec<(&'static str, String)>,
    review_paging: Vec<(&'static str, String)>,
    nearby: Vec<(&'static str, String)>,
    top_rated: Vec<(&'static str, String)>,
    by_specialty: Vec<(&'static str, String)>,
}

/// The descriptions of the parameters given by `schema_with`, which
/// `IntoParams` leaves without one.
fn param_descriptions() -> ParamDescriptions {
    let exact = |name: &str| {
        format!(
            "Only garages whose {name} is exactly this (empty is ignored); one filter at a time, \
             ordered by `average_rating` only."
        )
    };
    let cursor_after =
        "Opaque cursor carried by a `next` link (do not build it); an invalid one is a 400.";
    let cursor_before =
        "Opaque cursor carried by a `previous` link (do not build it); an invalid one is a 400.";
    let review_ordering = "`created_at` (oldest first) or `-created_at` (newest first, the \
                           default); `rating` is a 400, other names are ignored.";
    let limit = |default: usize| {
        format!(
            "How many garages, 0 to {LIMIT_MAX} (empty: the default {default}); anything else is \
             a 400."
        )
    };
    ParamDescriptions {
        garages: vec![
            ("city", exact("city")),
            ("postal_code", exact("postal code")),
            ("country", exact("country")),
            (
                "search",
                format!(
                    "A name prefix, compared normalised (case, accents and punctuation \
                     ignored); at most {SEARCH_MAX} matches, which the filters and ordering \
                     then apply to. Empty once normalised: ignored."
                ),
            ),
            (
                "ordering",
                format!(
                    "One of {} with `-` for descending; only the first known field counts, \
                     unknown ones are ignored (with `search`, every field counts). Default \
                     `-average_rating,name`.",
                    ORDERING_FIELDS
                        .iter()
                        .map(|f| format!("`{f}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
            ("after", cursor_after.into()),
            ("before", cursor_before.into()),
        ],
        reviews: vec![
            (
                "garage",
                "The garage whose reviews are listed (required; not a garage: 400).".into(),
            ),
            ("rating", "Not served: any value but empty is a 400.".into()),
            ("ordering", review_ordering.into()),
            ("after", cursor_after.into()),
            ("before", cursor_before.into()),
        ],
        review_paging: vec![
            ("ordering", review_ordering.into()),
            ("after", cursor_after.into()),
            ("before", cursor_before.into()),
        ],
        nearby: vec![
            ("lat", "Latitude of the point, -90 to 90 (required).".into()),
            (
                "lng",
                "Longitude of the point, -180 to 180 (required).".into(),
            ),
            (
                "radius",
                format!("Radius in km, 0 to {RADIUS_MAX_KM} (default {RADIUS_DEFAULT_KM})."),
            ),
        ],
        top_rated: vec![("limit", limit(TOP_RATED_DEFAULT))],
        by_specialty: vec![
            (
                "specialty",
                "A specialty, exactly (case-sensitive; spaces around trimmed); absent or empty: \
                 every garage."
                    .into(),
            ),
            ("limit", limit(BY_SPECIALTY_DEFAULT)),
        ],
    }
}

fn get<'a>(
    doc: &'a mut utoipa::openapi::OpenApi,
    path: &str,
) -> &'a mut utoipa::openapi::path::Operation {
    let item = doc.paths.paths.get_mut(path).expect("a documented path");
    item.get.as_mut().expect("a GET")
}

/// The reference's paths (the router's `at(router, &[seed, alias], ...)`).
pub const ALIASES: &[shared::openapi::Alias] = &[
    (
        "/api/garages/nearby/",
        "/api/garages/search_nearby/",
        &["get"],
    ),
    (
        "/api/garages/{id}/review/",
        "/api/garages/{id}/add_review/",
        &["post"],
    ),
];

#[cfg(test)]
mod tests {
    use serde_json::Value;

    fn doc() -> Value {
        serde_json::to_value(super::openapi()).unwrap()
    }

    #[test]
    fn the_document_has_every_operation_of_the_router() {
        let doc = doc();
        let paths = doc["paths"].as_object().unwrap();
        assert_eq!(paths.len(), 9);
        let operations: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
        assert_eq!(operations, 17);
        let write = &doc["components"]["schemas"]["GarageWrite"];
        assert_eq!(
            write["properties"]["name"]["pattern"],
            shared::openapi::trimmed_text_pattern(shared::domain::garages::NAME_MAX, false)
        );
        let required: Vec<&str> = write["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(required, ["name", "email", "address"]);
    }

    #[test]
    fn reads_are_public_and_by_specialty_is_not() {
        let doc = doc();
        for (path, method) in [
            ("/api/garages/", "get"),
            ("/api/garages/{id}/", "get"),
            ("/api/garages/nearby/", "get"),
            ("/api/garages/top_rated/", "get"),
            ("/api/garages/{id}/reviews/", "get"),
            ("/api/reviews/", "get"),
            ("/api/reviews/{id}/", "get"),
        ] {
            let security = &doc["paths"][path][method]["security"];
            assert_eq!(security[0], serde_json::json!({}), "{method} {path}");
            assert_eq!(
                security[1],
                serde_json::json!({"bearer": []}),
                "{method} {path}"
            );
        }
        let lat = &doc["paths"]["/api/garages/nearby/"]["get"]["parameters"][0];
        assert_eq!(
            (&lat["name"], &lat["required"]),
            (&"lat".into(), &true.into())
        );
        let op = &doc["paths"]["/api/garages/by_specialty/"]["get"];
        assert!(op.get("security").is_none(), "the default: a token");
    }

    #[test]
    fn every_query_parameter_is_described() {
        let doc = doc();
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
