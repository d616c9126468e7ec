//! The bare-array views and the statistics (spec 7.2.6, 7.2.7, 7.2.9,
//! 7.2.10): each shows the newest `VIEW_LIMIT` documents it selects.

use axum::extract::State;
use axum::response::Response;
use serde_json::{json, Value};
use shared::domain::documents::{stats as document_stats, Document, VIEW_LIMIT};
use shared::http::ok;
use shared::http::pagination::RequestUrl;
use shared::Result;

use crate::handlers::{Library, Presenter};
use crate::DocumentsState;

/// The newest `VIEW_LIMIT` of `selected` (the library is oldest first).
fn newest<'a>(selected: impl DoubleEndedIterator<Item = &'a Document>) -> Vec<Document> {
    selected.rev().take(VIEW_LIMIT).cloned().collect()
}

async fn rows(state: &DocumentsState, library: &Library, documents: &[Document]) -> Result<Value> {
    let presenter = Presenter {
        state,
        user: &library.user,
        vehicles: &library.fleet.vehicles,
    };
    Ok(Value::Array(presenter.rows(documents).await?))
}

/// `GET /api/documents/unanalyzed/`.
pub async fn unanalyzed(State(state): State<DocumentsState>, library: Library) -> Result<Response> {
    let selected = newest(library.fleet.documents()?.iter().filter(|d| !d.is_analyzed));
    Ok(ok(rows(&state, &library, &selected).await?))
}

/// `GET /api/documents/by-type/?type=` (alias `by_type/`): an unknown
/// type selects nothing, no type selects all.
pub async fn by_type(
    State(state): State<DocumentsState>,
    library: Library,
    url: RequestUrl,
) -> Result<Response> {
    let wanted = url.param("type").filter(|t| !t.is_empty());
    let selected = newest(
        library
            .fleet
            .documents()?
            .iter()
            .filter(|d| wanted.is_none_or(|t| d.document_type == t)),
    );
    Ok(ok(rows(&state, &library, &selected).await?))
}

/// `GET /api/documents/by_vehicle/?vehicle_id=`: groups per vehicle, the
/// documents without one under `"vehicle": null`, last.
pub async fn by_vehicle(
    State(state): State<DocumentsState>,
    library: Library,
    url: RequestUrl,
) -> Result<Response> {
    let wanted = url.param("vehicle_id").filter(|v| !v.is_empty());
    let selected = newest(
        library
            .fleet
            .documents()?
            .iter()
            .filter(|d| wanted.is_none_or(|v| d.vehicle_id.as_deref() == Some(v))),
    );
    let all = rows(&state, &library, &selected).await?;
    let all = all.as_array().cloned().unwrap_or_default();
    let mut groups: Vec<(Option<String>, Vec<Value>)> = Vec::new();
    for (document, row) in selected.iter().zip(all) {
        match groups.iter_mut().find(|(v, _)| *v == document.vehicle_id) {
            Some((_, rows)) => rows.push(row),
            None => groups.push((document.vehicle_id.clone(), vec![row])),
        }
    }
    // Vehicles in the order of their newest document; no vehicle last.
    groups.sort_by_key(|(v, _)| v.is_none());
    let body: Vec<Value> = groups
        .into_iter()
        .map(|(vehicle_id, documents)| {
            let vehicle = vehicle_id
                .as_deref()
                .and_then(|id| library.fleet.vehicle(id))
                .map(|v| json!({"id": v.id, "make": v.make, "model": v.model, "year": v.year}));
            json!({"vehicle": vehicle, "documents": documents})
        })
        .collect();
    Ok(ok(body))
}

/// `GET /api/documents/stats/`.
pub async fn stats(library: Library) -> Result<Response> {
    Ok(ok(document_stats(&library.fleet.documents()?)))
}
