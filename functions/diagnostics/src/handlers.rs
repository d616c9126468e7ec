//! The diagnostic collection and its items (spec 6.2.1–6.2.5): list,
//! create, detail with the thread, edit, delete.

use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::Value;
use shared::auth::collections::{DIAGNOSTICS, VEHICLES};
use shared::auth::UserData;
use shared::domain::diagnostics::{Diagnostic, NewDiagnostic, STATUSES};
use shared::domain::documents::search_key;
use shared::domain::dtc::find_codes;
use shared::domain::users::User;
use shared::domain::vehicles::Vehicle;
use shared::http::listing::{choice_filter, ordering, search_terms, sort, SortKey};
use shared::http::pagination::RequestUrl;
use shared::http::validate::Fields;
use shared::http::{created, no_content, ok, JsonBody, Page};
use shared::store::diagnostics::Analyses;
use shared::{Error, Result};

use crate::analysis;
use crate::input::{self, merged_codes};
use crate::DiagnosticsState;

/// The caller with their vehicles and diagnostics (one round of reads).
pub type Casebook = UserData<{ VEHICLES | DIAGNOSTICS }>;

pub const NOT_FOUND: Error = Error::NotFound(Some("Diagnostic"));
const ORDERING_FIELDS: &[&str] = &["created_at", "updated_at"];
pub const FOREIGN_VEHICLE: &str = "You can only create diagnostics for your own vehicles.";

fn sort_key(d: &Diagnostic, field: &str) -> SortKey {
    match field {
        "updated_at" => SortKey::Time(d.updated_at),
        _ => SortKey::Time(d.created_at),
    }
}

/// A diagnostic as the API shows it, with its vehicle's representation.
pub fn present(d: &Diagnostic, user: &User, vehicles: &[Vehicle]) -> Value {
    let vehicle = vehicles
        .iter()
        .find(|v| v.id == d.vehicle_id)
        .map(|v| v.to_json(user));
    d.to_json(vehicle)
}

/// The caller's diagnostic `id` (404 for anyone else's).
pub async fn owned(state: &DiagnosticsState, owner_id: &str, id: &str) -> Result<Diagnostic> {
    state
        .store
        .diagnostics()
        .get(owner_id, id)
        .await?
        .ok_or(NOT_FOUND)
}

/// `GET /api/diagnostics/`: filters `vehicle` and `status`, search (title,
/// description, codes, the vehicle's make and model), ordering, pages.
pub async fn list(casebook: Casebook, url: RequestUrl) -> Result<Response> {
    let mut diagnostics = filtered(&casebook, &url)?;
    sort(
        &mut diagnostics,
        &ordering(&url, ORDERING_FIELDS, &["-created_at"]),
        sort_key,
    );
    let page = Page::paginate(diagnostics, &url)?;
    let rows = page
        .results
        .iter()
        .map(|d| present(d, &casebook.user, &casebook.fleet.vehicles))
        .collect();
    Ok(ok(Page {
        count: page.count,
        next: page.next,
        previous: page.previous,
        results: rows,
    }))
}

fn filtered(casebook: &Casebook, url: &RequestUrl) -> Result<Vec<Diagnostic>> {
    let status = choice_filter(url, "status", STATUSES)?;
    let vehicle = url.param("vehicle").filter(|v| !v.is_empty());
    let terms: Vec<String> = url
        .param("search")
        .map(search_terms)
        .unwrap_or_default()
        .iter()
        .map(|t| search_key(t))
        .filter(|t| !t.is_empty())
        .collect();
    let fleet = &casebook.fleet;
    Ok(fleet
        .diagnostics()?
        .into_iter()
        .filter(|d| status.is_none_or(|s| d.status == s))
        .filter(|d| vehicle.is_none_or(|v| d.vehicle_id == v))
        .filter(|d| {
            if terms.is_empty() {
                return true;
            }
            let car = fleet
                .vehicle(&d.vehicle_id)
                .map(|v| format!("{} {}", v.make, v.model))
                .unwrap_or_default();
            let haystack = search_key(&format!(
                "{} {} {} {car}",
                d.title,
                d.description,
                d.fault_codes.join(" ")
            ));
            terms.iter().all(|t| haystack.contains(t.as_str()))
        })
        .collect())
}

/// `POST /api/diagnostics/`: `201` with the full representation, queued
/// for its analysis. A queue that is down does not lose the diagnostic:
/// it is stored, and says the analysis must be asked for again; neither
/// do the month's AI analyses used up (`analysis::used_up`).
pub async fn create(
    State(state): State<DiagnosticsState>,
    data: UserData<VEHICLES>,
    JsonBody(body): JsonBody,
) -> Result<Response> {
    let mut f = Fields::new(&body);
    let vehicle_id = input::reference(&mut f, "vehicle", body.get("vehicle"));
    let fields = input::diagnostic(&mut f, true);
    f.finish()?;
    let vehicle = vehicle_id
        .as_deref()
        .and_then(|id| data.fleet.vehicle(id))
        .ok_or_else(|| Error::field("vehicle", FOREIGN_VEHICLE))?;
    let title = fields.title.unwrap_or_default();
    let description = fields.description.unwrap_or_default();
    let fault_codes = merged_codes(
        &fields.fault_codes.unwrap_or_default(),
        &title,
        &description,
    );
    let mut diagnostic = Diagnostic::new(
        &data.user.id,
        NewDiagnostic {
            vehicle_id: vehicle.id.clone(),
            title,
            description,
            fault_codes,
            symptoms: fields.symptoms.unwrap_or_default(),
            mileage: fields.mileage.flatten(),
        },
    );
    let diagnostics = state.store.diagnostics();
    let job = analysis::queue(&mut diagnostic);
    let queued = match diagnostics
        .create(&diagnostic, vehicle, analysis::quota(&data.user))
        .await
    {
        Ok(Analyses::Counted) => Ok(true),
        Ok(Analyses::UsedUp) => {
            // The month's analyses are used up: the diagnostic is the
            // owner's all the same, stored without one (and saying why).
            analysis::used_up(&mut diagnostic, data.user.plan.as_ref());
            diagnostics
                .create(&diagnostic, vehicle, None)
                .await
                .map(|_| false)
        }
        Err(e) => Err(e),
    };
    match queued {
        Err(Error::NotFound(Some("Vehicle"))) => {
            return Err(Error::field("vehicle", FOREIGN_VEHICLE))
        }
        Err(e) => return Err(e),
        Ok(true) => diagnostic = analysis::send(&state, diagnostic, &job).await.0,
        Ok(false) => {}
    }
    Ok(created(present(
        &diagnostic,
        &data.user,
        &data.fleet.vehicles,
    )))
}

/// `GET /api/diagnostics/{id}/`: with `all_replies`, oldest first.
pub async fn detail(
    State(state): State<DiagnosticsState>,
    data: UserData<VEHICLES>,
    Path(id): Path<String>,
) -> Result<Response> {
    let (diagnostic, thread) = state
        .store
        .diagnostics()
        .with_thread(&data.user.id, &id)
        .await?
        .ok_or(NOT_FOUND)?;
    let vehicle = data
        .fleet
        .vehicle(&diagnostic.vehicle_id)
        .map(|v| v.to_json(&data.user));
    Ok(ok(diagnostic.to_detail_json(vehicle, &thread)))
}

pub async fn replace(
    state: State<DiagnosticsState>,
    data: UserData<VEHICLES>,
    path: Path<String>,
    body: JsonBody,
) -> Result<Response> {
    edit(state, data, path, body, false).await
}

pub async fn patch(
    state: State<DiagnosticsState>,
    data: UserData<VEHICLES>,
    path: Path<String>,
    body: JsonBody,
) -> Result<Response> {
    edit(state, data, path, body, true).await
}

/// PUT/PATCH: title, description, status, and the structured input. The
/// vehicle cannot change; the analysis fields are the worker's.
async fn edit(
    State(state): State<DiagnosticsState>,
    data: UserData<VEHICLES>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
    partial: bool,
) -> Result<Response> {
    let before = owned(&state, &data.user.id, &id).await?;
    let mut f = Fields::partial(&body, partial);
    let fields = input::diagnostic(&mut f, false);
    f.finish()?;
    let mut after = before.clone();
    if let Some(title) = fields.title {
        after.title = title;
    }
    if let Some(description) = fields.description {
        after.description = description;
    }
    if let Some(status) = fields.status {
        after.status = status;
    }
    if let Some(symptoms) = fields.symptoms {
        after.symptoms = symptoms;
    }
    if let Some(mileage) = fields.mileage {
        after.mileage = mileage;
    }
    // Codes sent replace the list; otherwise the codes the old text named
    // follow the text (a code removed from it goes), the others stay.
    let given = fields.fault_codes.unwrap_or_else(|| {
        let named = find_codes(&format!("{}\n{}", before.title, before.description));
        before
            .fault_codes
            .iter()
            .filter(|c| !named.contains(c))
            .cloned()
            .collect()
    });
    after.fault_codes = merged_codes(&given, &after.title, &after.description);
    state
        .store
        .diagnostics()
        .save(&before, &mut after, Vec::new())
        .await?;
    Ok(ok(present(&after, &data.user, &data.fleet.vehicles)))
}

/// `DELETE /api/diagnostics/{id}/`: with its replies.
pub async fn delete(
    State(state): State<DiagnosticsState>,
    data: UserData<VEHICLES>,
    Path(id): Path<String>,
) -> Result<Response> {
    let diagnostic = owned(&state, &data.user.id, &id).await?;
    let vehicle = data.fleet.vehicle(&diagnostic.vehicle_id);
    state
        .store
        .diagnostics()
        .delete(&diagnostic, vehicle)
        .await?;
    Ok(no_content())
}
