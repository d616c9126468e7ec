//! Asking for an analysis (spec 7.2.8, 7.2.11): each document gets a new
//! `analysis_id` (the `task_id` answered), a job naming it goes to the OCR
//! queue, then the document is marked `queued` with it. The job is sent
//! first: if the mark then fails, the job is stale (its id is not the
//! document's) and the worker skips it; if the queue is down, nothing
//! changed and the answer is a 503.

use std::collections::HashSet;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use shared::auth::CurrentUser;
use shared::domain::documents::{status, Document, MAX_BATCH_ANALYZE};
use shared::http::JsonBody;
use shared::jobs::OcrJob;
use shared::usecases::{together, Pending};
use shared::{Error, Result};

use crate::handlers::owned;
use crate::DocumentsState;

fn accepted(body: Value) -> Response {
    (StatusCode::ACCEPTED, axum::Json(body)).into_response()
}

fn job_for(document: &Document, analysis_id: &str) -> OcrJob {
    OcrJob {
        document_id: document.id.clone(),
        owner_id: document.owner_id.clone(),
        analysis_id: analysis_id.to_string(),
    }
}

/// Marks `document` queued for `analysis_id` (a newer request supersedes
/// one still queued or running).
async fn mark_queued(state: &DocumentsState, document: &Document, analysis_id: &str) -> Result<()> {
    let mut after = document.clone();
    after.analysis_status = status::QUEUED.into();
    after.analysis_id = Some(analysis_id.to_string());
    after.analysis_error = None;
    state
        .store
        .documents()
        .save(document, &mut after, Vec::new())
        .await
        .map(drop)
}

/// `POST /api/documents/{id}/analyze/`.
pub async fn analyze(
    State(state): State<DocumentsState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response> {
    let document = owned(&state, &user.id, &id).await?;
    if !document.is_analysable() {
        return Err(Error::message(
            400,
            "Analysis is only available for images and PDFs.",
        ));
    }
    let analysis_id = uuid::Uuid::new_v4().to_string();
    state
        .ocr_queue
        .send(&job_for(&document, &analysis_id))
        .await?;
    mark_queued(&state, &document, &analysis_id).await?;
    Ok(accepted(json!({
        "message": "Document analysis started. Results will be available shortly.",
        "document_id": document.id,
        "task_id": analysis_id,
    })))
}

/// `POST /api/documents/batch_analyze/` with `{"document_ids": [...]}`:
/// every id must be one of the caller's documents, once (an unknown id and
/// another user's are the same answer).
pub async fn batch_analyze(
    State(state): State<DocumentsState>,
    CurrentUser(user): CurrentUser,
    JsonBody(body): JsonBody,
) -> Result<Response> {
    let ids: Vec<String> = match body.get("document_ids") {
        Some(Value::Array(items)) if !items.is_empty() => items
            .iter()
            .map(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| Error::message(400, "Some documents not found or not accessible."))?,
        _ => return Err(Error::message(400, "No document IDs provided.")),
    };
    if ids.len() > MAX_BATCH_ANALYZE {
        return Err(Error::message(
            400,
            format!("At most {MAX_BATCH_ANALYZE} documents per batch."),
        ));
    }
    let distinct: HashSet<&str> = ids.iter().map(String::as_str).collect();
    let library = state.store.documents().library(&user.id).await?;
    let documents: Vec<&Document> = library
        .documents
        .iter()
        .filter(|d| distinct.contains(d.id.as_str()))
        .collect();
    if documents.len() != ids.len() {
        return Err(Error::message(
            400,
            "Some documents not found or not accessible.",
        ));
    }
    let task_id = uuid::Uuid::new_v4().to_string();
    let jobs: Vec<OcrJob> = documents.iter().map(|d| job_for(d, &task_id)).collect();
    state.ocr_queue.send_all(&jobs).await?;
    let marks: Vec<Pending<'_, ()>> = documents
        .iter()
        .map(|d| Box::pin(mark_queued(&state, d, &task_id)) as Pending<'_, ()>)
        .collect();
    together(marks).await?;
    Ok(accepted(json!({
        "message": format!("Batch analysis started for {} documents.", ids.len()),
        "document_count": ids.len(),
        "task_id": task_id,
    })))
}
