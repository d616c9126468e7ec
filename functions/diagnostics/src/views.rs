//! The bare-array views and the statistics (spec 6.2.6, 6.2.7, 6.2.10):
//! each view shows the newest `VIEW_LIMIT` diagnostics it selects.

use axum::response::Response;
use serde_json::{json, Value};
use shared::domain::diagnostics::{
    stats as diagnostic_stats, Diagnostic, COMPLETED, PENDING, VIEW_LIMIT,
};
use shared::http::ok;
use shared::http::pagination::RequestUrl;
use shared::Result;

use crate::handlers::{present, Casebook};

/// The newest `VIEW_LIMIT` diagnostics `keep` selects, as rows.
fn newest(casebook: &Casebook, keep: impl Fn(&Diagnostic) -> bool) -> Result<Vec<Value>> {
    Ok(casebook
        .fleet
        .diagnostics()?
        .iter()
        .rev()
        .filter(|d| keep(d))
        .take(VIEW_LIMIT)
        .map(|d| present(d, &casebook.user, &casebook.fleet.vehicles))
        .collect())
}

/// `GET /api/diagnostics/pending/`.
pub async fn pending(casebook: Casebook) -> Result<Response> {
    Ok(ok(newest(&casebook, |d| d.status == PENDING)?))
}

/// `GET /api/diagnostics/completed/`.
pub async fn completed(casebook: Casebook) -> Result<Response> {
    Ok(ok(newest(&casebook, |d| d.status == COMPLETED)?))
}

/// `GET /api/diagnostics/stats/`.
pub async fn stats(casebook: Casebook) -> Result<Response> {
    Ok(ok(diagnostic_stats(&casebook.fleet.diagnostics()?)))
}

/// `GET /api/diagnostics/by_vehicle/?vehicle_id=`: one group per vehicle
/// in the order of its newest diagnostic; an unknown id selects nothing.
pub async fn by_vehicle(casebook: Casebook, url: RequestUrl) -> Result<Response> {
    let wanted = url.param("vehicle_id").filter(|v| !v.is_empty());
    let selected: Vec<Diagnostic> = casebook
        .fleet
        .diagnostics()?
        .into_iter()
        .rev()
        .filter(|d| wanted.is_none_or(|v| d.vehicle_id == v))
        .take(VIEW_LIMIT)
        .collect();
    let mut groups: Vec<(&str, Vec<Value>)> = Vec::new();
    for d in &selected {
        let row = present(d, &casebook.user, &casebook.fleet.vehicles);
        match groups.iter_mut().find(|(v, _)| *v == d.vehicle_id) {
            Some((_, rows)) => rows.push(row),
            None => groups.push((&d.vehicle_id, vec![row])),
        }
    }
    let body: Vec<Value> = groups
        .into_iter()
        .map(|(vehicle_id, diagnostics)| {
            let vehicle = casebook
                .fleet
                .vehicle(vehicle_id)
                .map(|v| json!({"id": v.id, "make": v.make, "model": v.model, "year": v.year}));
            json!({"vehicle": vehicle, "diagnostics": diagnostics})
        })
        .collect();
    Ok(ok(body))
}
