//! Asking for an analysis (spec 7.2.8, 7.2.11): each document gets a new
//! `analysis_id` (the `task_id` answered) and is marked `queued` with it,
//! then a job naming it goes to the OCR queue. The mark comes first: a job
//! sent first could reach the worker before the mark, look stale, be
//! dropped, and leave the document `queued` for ever. If the queue is
//! down, the documents get their previous analysis state back and the
//! answer is a 503.

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
/// one still queued or running); the document as stored.
async fn mark_queued(
    state: &DocumentsState,
    document: &Document,
    analysis_id: &str,
) -> Result<Document> {
    let mut after = document.clone();
    after.analysis_status = status::QUEUED.into();
    after.analysis_id = Some(analysis_id.to_string());
    after.analysis_error = None;
    state
        .store
        .documents()
        .save(document, &mut after, Vec::new())
        .await?;
    Ok(after)
}

/// Gives `marked` back the analysis state of `before` when its job could
/// not be queued (best effort: an edit meanwhile keeps the mark).
async fn unmark(state: &DocumentsState, before: &Document, marked: &Document) {
    let mut after = marked.clone();
    after.analysis_status = before.analysis_status.clone();
    after.analysis_id = before.analysis_id.clone();
    after.analysis_error = before.analysis_error.clone();
    if let Err(e) = state
        .store
        .documents()
        .save(marked, &mut after, Vec::new())
        .await
    {
        tracing::warn!(error = %e, document = %marked.id, "a queued mark was left after the queue refused");
    }
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
    let marked = mark_queued(&state, &document, &analysis_id).await?;
    if let Err(e) = state
        .ocr_queue
        .send(&job_for(&document, &analysis_id))
        .await
    {
        unmark(&state, &document, &marked).await;
        return Err(e);
    }
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
    // Every mark's own outcome: one that fails takes the others back.
    let marks: Vec<Pending<'_, Result<Document>>> = documents
        .iter()
        .map(|d| {
            let state = &state;
            let task_id = &task_id;
            Box::pin(async move { Ok(mark_queued(state, d, task_id).await) })
                as Pending<'_, Result<Document>>
        })
        .collect();
    let mut refusal = None;
    let mut marked = Vec::new();
    for (before, outcome) in documents.iter().zip(together(marks).await?) {
        match outcome {
            Ok(after) => marked.push((before, after)),
            Err(e) => {
                refusal.get_or_insert(e);
            }
        }
    }
    if refusal.is_none() {
        let jobs: Vec<OcrJob> = documents.iter().map(|d| job_for(d, &task_id)).collect();
        refusal = state.ocr_queue.send_all(&jobs).await.err();
    }
    if let Some(e) = refusal {
        for (before, after) in &marked {
            unmark(&state, before, after).await;
        }
        return Err(e);
    }
    Ok(accepted(json!({
        "message": format!("Batch analysis started for {} documents.", ids.len()),
        "document_count": ids.len(),
        "task_id": task_id,
    })))
}
