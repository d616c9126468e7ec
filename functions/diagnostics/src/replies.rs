//! The thread (spec 6.2.8, 6.2.11, 6.2.12 as intended): the owner's
//! replies, on the diagnostic's `reply/` (alias `add_reply/`) and through
//! `/api/replies/`, always scoped to the caller's diagnostics. A reply of
//! the owner queues a new analysis, which answers in the thread.

use axum::extract::{Path, State};
use axum::response::Response;
use shared::auth::CurrentUser;
use shared::domain::diagnostics::{
    thread_full, Diagnostic, Reply, MAX_REPLIES_PER_DIAGNOSTIC, SENDER_AI, SENDER_TYPES,
    SENDER_USER,
};
use shared::domain::users::User;
use shared::http::listing::{bool_filter, choice_filter, ordering};
use shared::http::pagination::{page_offset, requested_page, RequestUrl, PAGE_SIZE};
use shared::http::validate::Fields;
use shared::http::{created, no_content, ok, JsonBody, Page};
use shared::store::diagnostics::{Analyses, ReplyFilter};
use shared::{Error, Result};

use crate::analysis;
use crate::handlers::NOT_FOUND as DIAGNOSTIC_NOT_FOUND;
use crate::input;
use crate::DiagnosticsState;

const NOT_FOUND: Error = Error::NotFound(Some("Reply"));
const FOREIGN_DIAGNOSTIC: &str = "You can only reply to your own diagnostics.";
const AI_REPLY_READ_ONLY: &str = "The assistant's answers cannot be edited.";

/// Attempts at adding a reply when another one won the race for the
/// diagnostic (each re-reads it: nothing was wrong with the request).
const WRITE_ATTEMPTS: usize = 4;

/// `POST /api/diagnostics/{id}/reply/` (alias `add_reply/`): the
/// diagnostic comes from the path. `201` with the reply.
pub async fn add(
    State(state): State<DiagnosticsState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Response> {
    let mut f = Fields::new(&body);
    let fields = input::reply(&mut f, true);
    f.finish()?;
    let diagnostic = crate::handlers::owned(&state, &user.id, &id).await?;
    post(&state, &user, diagnostic, fields).await
}

/// `POST /api/replies/` with `diagnostic` in the body.
pub async fn create(
    State(state): State<DiagnosticsState>,
    CurrentUser(user): CurrentUser,
    JsonBody(body): JsonBody,
) -> Result<Response> {
    let mut f = Fields::new(&body);
    let diagnostic_id = input::reference(&mut f, "diagnostic", body.get("diagnostic"));
    let fields = input::reply(&mut f, true);
    f.finish()?;
    let diagnostic = match diagnostic_id.filter(|id| shared::http::app::possible_segment(id)) {
        Some(id) => state.store.diagnostics().get(&user.id, &id).await?,
        None => None,
    }
    .ok_or_else(|| Error::field("diagnostic", FOREIGN_DIAGNOSTIC))?;
    post(&state, &user, diagnostic, fields).await
}

/// Adds the owner's reply to the thread with the diagnostic's count,
/// latest copy and a new analysis, in one transaction; then queues it.
/// Past the month's AI analyses, the reply is added all the same, the
/// diagnostic saying it is not analysed (`analysis::used_up`).
async fn post(
    state: &DiagnosticsState,
    user: &User,
    mut before: Diagnostic,
    fields: input::ReplyInput,
) -> Result<Response> {
    let message = fields.message.unwrap_or_default();
    let metadata = fields
        .metadata
        .unwrap_or_else(|| serde_json::Value::Object(Default::default()));
    let diagnostics = state.store.diagnostics();
    // Known once a write found the month's analyses used up: the reply is
    // stored all the same, without one.
    let mut used_up = false;
    for _ in 0..WRITE_ATTEMPTS {
        if before.replies_count >= MAX_REPLIES_PER_DIAGNOSTIC {
            return Err(Error::message(400, thread_full()));
        }
        let reply = Reply::new(
            &before,
            Some(&user.id),
            SENDER_USER,
            message.clone(),
            metadata.clone(),
        );
        let mut after = before.clone();
        after.replies_count += 1;
        after.latest_reply = Some(reply.clone());
        let (job, quota) = if used_up {
            analysis::used_up(&mut after, user.plan.as_ref());
            (None, None)
        } else {
            (Some(analysis::queue(&mut after)), analysis::quota(user))
        };
        match diagnostics
            .save_queued(
                &before,
                &mut after,
                diagnostics.tx_put_reply(&reply)?,
                quota,
            )
            .await
        {
            Ok(Analyses::Counted) => {
                if let Some(job) = job {
                    analysis::send(state, after, &job).await;
                }
                return Ok(created(reply.to_json()));
            }
            // Nothing was written: the same reply goes again, unanalysed.
            Ok(Analyses::UsedUp) => used_up = true,
            Err(Error::Conflict(_)) => {
                before = diagnostics
                    .get(&user.id, &before.id)
                    .await?
                    .ok_or(DIAGNOSTIC_NOT_FOUND)?;
            }
            Err(e) => return Err(e),
        }
    }
    Err(Error::Conflict(
        "The diagnostic keeps changing; reload and retry.".into(),
    ))
}

/// `GET /api/replies/`: the replies of the caller's diagnostics, newest
/// first (`?ordering=created_at` for oldest first), filtered by
/// `diagnostic`, `sender_type` or `is_ai_response`; paged in DynamoDB.
pub async fn list(
    State(state): State<DiagnosticsState>,
    CurrentUser(user): CurrentUser,
    url: RequestUrl,
) -> Result<Response> {
    let mut filter = ReplyFilter {
        diagnostic: url.param("diagnostic").filter(|d| !d.is_empty()).map(|d| {
            // No id is that long: a thread that cannot exist.
            if shared::http::app::possible_segment(d) {
                d.to_string()
            } else {
                "-".into()
            }
        }),
        sender_type: choice_filter(&url, "sender_type", SENDER_TYPES)?.map(str::to_string),
    };
    if let Some(ai) = bool_filter(&url, "is_ai_response") {
        match (&filter.sender_type, ai) {
            (None, true) => filter.sender_type = Some(SENDER_AI.into()),
            // Not the AI's: the owner's (mechanics never write here).
            (None, false) => filter.sender_type = Some(SENDER_USER.into()),
            (Some(kind), ai) if (kind == SENDER_AI) != ai => {
                // Nothing matches; a page past the first is still a 404.
                let page = requested_page(&url, 0)?;
                return Ok(ok(Page::<serde_json::Value>::assemble(
                    Vec::new(),
                    0,
                    page,
                    &url,
                )));
            }
            _ => {}
        }
    }
    let newest_first = ordering(&url, &["created_at"], &["-created_at"])
        .first()
        .is_none_or(|(_, descending)| *descending);
    let diagnostics = state.store.diagnostics();
    let count = diagnostics.replies_count(&user.id, &filter).await?;
    let page = requested_page(&url, count)?;
    let replies = diagnostics
        .replies_page(
            &user.id,
            &filter,
            newest_first,
            page_offset(page),
            PAGE_SIZE,
        )
        .await?;
    let rows: Vec<serde_json::Value> = replies.iter().map(Reply::to_json).collect();
    Ok(ok(Page::assemble(rows, count, page, &url)))
}

async fn owned_reply(state: &DiagnosticsState, owner_id: &str, id: &str) -> Result<Reply> {
    state
        .store
        .diagnostics()
        .reply(owner_id, id)
        .await?
        .ok_or(NOT_FOUND)
}

/// `GET /api/replies/{id}/`.
pub async fn detail(
    State(state): State<DiagnosticsState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response> {
    Ok(ok(owned_reply(&state, &user.id, &id).await?.to_json()))
}

pub async fn replace(
    state: State<DiagnosticsState>,
    user: CurrentUser,
    path: Path<String>,
    body: JsonBody,
) -> Result<Response> {
    edit(state, user, path, body, false).await
}

pub async fn patch(
    state: State<DiagnosticsState>,
    user: CurrentUser,
    path: Path<String>,
    body: JsonBody,
) -> Result<Response> {
    edit(state, user, path, body, true).await
}

/// PUT/PATCH of the owner's own message and metadata (the diagnostic and
/// sender stay); the diagnostic's latest copy follows when it is this one.
async fn edit(
    State(state): State<DiagnosticsState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
    partial: bool,
) -> Result<Response> {
    let before = owned_reply(&state, &user.id, &id).await?;
    let mut f = Fields::partial(&body, partial);
    let fields = input::reply(&mut f, false);
    f.finish()?;
    if before.sender_type != SENDER_USER {
        return Err(Error::message(403, AI_REPLY_READ_ONLY));
    }
    let mut after = before.clone();
    if let Some(message) = fields.message {
        after.message = message;
    }
    if let Some(metadata) = fields.metadata {
        after.metadata = metadata;
    }
    after.updated_at = shared::time::now();
    let diagnostics = state.store.diagnostics();
    let diagnostic = crate::handlers::owned(&state, &user.id, &before.diagnostic_id).await?;
    let is_latest = diagnostic
        .latest_reply
        .as_ref()
        .is_some_and(|r| r.id == before.id);
    if is_latest {
        let mut changed = diagnostic.clone();
        changed.latest_reply = Some(after.clone());
        diagnostics
            .edit_reply(&before, &after, Some((&diagnostic, &mut changed)))
            .await?;
    } else {
        diagnostics.edit_reply(&before, &after, None).await?;
    }
    Ok(ok(after.to_json()))
}

/// `DELETE /api/replies/{id}/`: the diagnostic's count and latest copy
/// follow in the same transaction.
pub async fn delete(
    State(state): State<DiagnosticsState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response> {
    let reply = owned_reply(&state, &user.id, &id).await?;
    let diagnostics = state.store.diagnostics();
    let Some((diagnostic, thread)) = diagnostics
        .with_thread(&user.id, &reply.diagnostic_id)
        .await?
    else {
        // Left by a diagnostic's delete that failed part way.
        diagnostics.delete_orphan_reply(&reply).await?;
        return Ok(no_content());
    };
    let mut after = diagnostic.clone();
    after.replies_count = (diagnostic.replies_count - 1).max(0);
    after.latest_reply = thread.iter().rev().find(|r| r.id != reply.id).cloned();
    diagnostics
        .delete_reply(&reply, (&diagnostic, &mut after))
        .await?;
    Ok(no_content())
}
