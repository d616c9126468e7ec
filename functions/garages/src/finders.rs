//! The directory's other views: garages near a point (spec 5.2.6), the top
//! rated (5.2.9) and those of one specialty (5.2.10). Bare arrays, each
//! bounded: no response grows with the directory.

use axum::extract::State;
use axum::response::Response;
use serde_json::{json, Value};
use shared::auth::{CurrentUser, PublicRequest};
use shared::domain::garages::Garage;
use shared::domain::geo::{self, Position};
use shared::http::ok;
use shared::http::pagination::RequestUrl;
use shared::http::validate::{parse_integer, INVALID_INTEGER};
use shared::store::garages::{facet_kind, filtered};
use shared::store::SortRange;
use shared::{Error, Result};

use crate::GaragesState;

/// The widest nearby search, in km (issue 11), and the default (spec).
pub const RADIUS_MAX_KM: f64 = 50.0;
pub const RADIUS_DEFAULT_KM: f64 = 10.0;

/// The nearest garages a nearby search returns at most.
pub const NEARBY_MAX: usize = 100;

/// `top_rated/` and `by_specialty/`: default and largest `limit`.
pub const TOP_RATED_DEFAULT: usize = 10;
pub const BY_SPECIALTY_DEFAULT: usize = 20;
pub const LIMIT_MAX: usize = 100;

const INVALID_COORDINATES: &str = "Invalid coordinates. Please provide lat and lng parameters.";

fn coordinate(url: &RequestUrl, name: &str) -> Option<f64> {
    let raw = url.param(name)?.trim();
    if !raw
        .chars()
        .all(|c| c.is_ascii_digit() || "+-.eE".contains(c))
    {
        return None;
    }
    raw.parse::<f64>().ok().filter(|x| x.is_finite())
}

pub async fn nearby(
    State(state): State<GaragesState>,
    _: PublicRequest,
    url: RequestUrl,
) -> Result<Response> {
    let invalid = || Error::Body {
        status: 400,
        body: json!({"error": INVALID_COORDINATES}),
    };
    let center = coordinate(&url, "lat")
        .zip(coordinate(&url, "lng"))
        .and_then(|(lat, lng)| Position::new(lat, lng))
        .ok_or_else(invalid)?;
    let radius = match url.param("radius") {
        None => RADIUS_DEFAULT_KM,
        Some(_) => coordinate(&url, "radius").ok_or_else(invalid)?,
    };
    if !(0.0..=RADIUS_MAX_KM).contains(&radius) {
        return Err(Error::Body {
            status: 400,
            body: json!({"error": format!("radius must be between 0 and {RADIUS_MAX_KM} km.")}),
        });
    }
    let directory = state.store.garages();
    let near = directory.near(center, radius, NEARBY_MAX).await?;
    let ids: Vec<String> = near.iter().map(|n| n.garage_id.clone()).collect();
    let garages = directory.many(&ids).await?;
    let rows: Vec<Value> = near
        .iter()
        .filter_map(|n| {
            let garage = garages.iter().find(|g| g.id == n.garage_id)?;
            let mut row = garage.to_json();
            row["distance_km"] = json!(geo::rounded_km(n.distance_km));
            Some(row)
        })
        .collect();
    Ok(ok(rows))
}

/// `?limit=`: a whole number from 0 to `LIMIT_MAX` (the reference
/// answered 500 to anything else).
fn limit(url: &RequestUrl, default: usize) -> Result<usize> {
    let Some(raw) = url.param("limit").filter(|v| !v.is_empty()) else {
        return Ok(default);
    };
    let n = parse_integer(&Value::String(raw.to_string()))
        .ok_or_else(|| Error::field("limit", INVALID_INTEGER))?;
    if n < 0 {
        return Err(Error::field(
            "limit",
            "Ensure this value is greater than or equal to 0.",
        ));
    }
    if n > LIMIT_MAX as i64 {
        return Err(Error::field(
            "limit",
            format!("Ensure this value is less than or equal to {LIMIT_MAX}."),
        ));
    }
    Ok(n as usize)
}

/// The first `limit` garages of a directory partition, best rated first.
async fn best_of(state: &GaragesState, partition: &str, limit: usize) -> Result<Vec<Value>> {
    if limit == 0 {
        return Ok(Vec::new());
    }
    let directory = state.store.garages();
    let pointers = directory
        .pointers(partition, &SortRange::All, true, limit)
        .await?;
    let ids: Vec<String> = pointers.into_iter().map(|p| p.garage_id).collect();
    Ok(directory
        .many(&ids)
        .await?
        .iter()
        .map(Garage::to_json)
        .collect())
}

pub async fn top_rated(
    State(state): State<GaragesState>,
    _: PublicRequest,
    url: RequestUrl,
) -> Result<Response> {
    let limit = limit(&url, TOP_RATED_DEFAULT)?;
    Ok(ok(best_of(&state, facet_kind::TOP, limit).await?))
}

/// Garages whose specialties hold exactly `specialty` (case-sensitive), or
/// all garages without it; best rated first, at most `limit`.
pub async fn by_specialty(
    State(state): State<GaragesState>,
    _: CurrentUser,
    url: RequestUrl,
) -> Result<Response> {
    let limit = limit(&url, BY_SPECIALTY_DEFAULT)?;
    let partition = match url
        .param("specialty")
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(specialty) => filtered(facet_kind::SPECIALTY, specialty),
        None => facet_kind::RATING.to_string(),
    };
    Ok(ok(best_of(&state, &partition, limit).await?))
}
