//! Queueing an analysis (spec 6.2.9, and the triggers: a new
//! diagnostic, a new reply of its owner, a request). The diagnostic is
//! stored `queued` with a new `analysis_id` first, then the job naming it
//! is sent: the worker can never see a job before its diagnostic, and a
//! job made stale by a newer request does nothing. When the queue is
//! down, the diagnostic says so (`failed`, with a message to ask again).
//!
//! Every analysis queued counts one in the owner's month of AI analyses
//! (the plan's `ai_analyses_per_month`), in the transaction that marks the
//! diagnostic `queued`. Past the limit, a request is refused (403, nothing
//! changes), while a new diagnostic or a reply of its owner is stored all
//! the same, not analysed: `failed`, with a message naming the limit and
//! the plan that lifts it (`used_up`).

use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::json;
use shared::auth::CurrentUser;
use shared::domain::diagnostics::{
    analysis, thread_full, Diagnostic, ANALYSIS_STALE_AFTER, MAX_REPLIES_PER_DIAGNOSTIC,
};
use shared::domain::plans::{self, PlanGrant};
use shared::domain::users::User;
use shared::http::ok;
use shared::jobs::AiAnalysisJob;
use shared::store::diagnostics::Analyses;
use shared::{Error, Result};

use crate::handlers::owned;
use crate::DiagnosticsState;

pub const REQUESTED: &str = "AI analysis requested. You will receive a response shortly.";
pub const NOT_QUEUED: &str =
    "The analysis could not be queued; request it again in a moment (request_ai_analysis/).";

/// What follows the plan's sentence in `analysis_error` when the month's
/// AI analyses are used up.
pub const NOT_ANALYSED: &str = "This diagnostic is kept but not analysed: ask for its analysis (request_ai_analysis/) next month or on a higher plan.";

/// Attempts at marking a diagnostic queued when another request changed
/// it meanwhile.
const WRITE_ATTEMPTS: usize = 3;

/// The refusal of an analysis beyond the month's AI analyses of `plan`.
pub fn limit_reached(plan: Option<&PlanGrant>) -> Error {
    plans::limit_reached(
        plans::AI_ANALYSES_PER_MONTH,
        |l| l.ai_analyses_per_month,
        plan,
    )
}

/// Marks `after` as not analysed because the month's AI analyses of
/// `plan` are used up: `failed`, no analysis (a job still running for an
/// older message becomes stale), and why, with the plan that lifts it.
pub fn used_up(after: &mut Diagnostic, plan: Option<&PlanGrant>) {
    let why = plans::limit_detail(
        plans::AI_ANALYSES_PER_MONTH,
        |l| l.ai_analyses_per_month,
        plan,
    );
    after.analysis_status = analysis::FAILED.into();
    after.analysis_id = None;
    after.analysis_error = Some(format!("{why} {NOT_ANALYSED}"));
    after.analysis_requested_at = None;
}

/// The limit the month's AI analyses of `user` are counted within.
pub fn quota(user: &User) -> Option<plans::Limit> {
    Some(user.limits().ai_analyses_per_month)
}

/// Marks `after` queued for a new analysis and returns the job for it.
pub fn queue(after: &mut Diagnostic) -> AiAnalysisJob {
    let analysis_id = uuid::Uuid::new_v4().to_string();
    after.analysis_status = analysis::QUEUED.into();
    after.analysis_id = Some(analysis_id.clone());
    after.analysis_error = None;
    after.analysis_requested_at = Some(shared::time::now());
    AiAnalysisJob {
        diagnostic_id: after.id.clone(),
        owner_id: after.owner_id.clone(),
        analysis_id,
    }
}

/// Sends the job of `stored` (saved `queued` for it). When the queue
/// refuses, the diagnostic is marked `failed` with `NOT_QUEUED` (best
/// effort) and the error comes back with the diagnostic as it now stands.
pub async fn send(
    state: &DiagnosticsState,
    stored: Diagnostic,
    job: &AiAnalysisJob,
) -> (Diagnostic, Option<Error>) {
    let Err(e) = state.ai_queue.send(job).await else {
        return (stored, None);
    };
    tracing::warn!(error = %e, diagnostic = %stored.id, "an analysis job could not be queued");
    let mut after = stored.clone();
    after.analysis_status = analysis::FAILED.into();
    after.analysis_error = Some(NOT_QUEUED.into());
    match state
        .store
        .diagnostics()
        .save(&stored, &mut after, Vec::new())
        .await
    {
        Ok(()) => (after, Some(e)),
        Err(save) => {
            tracing::warn!(error = %save, "marking the analysis failed did not work");
            (stored, Some(e))
        }
    }
}

/// Whether an analysis is waiting or running, asked for recently enough
/// to be trusted to end (an older one is replaced).
fn pending(d: &Diagnostic) -> bool {
    let waiting = matches!(
        d.analysis_status.as_str(),
        analysis::QUEUED | analysis::PROCESSING
    );
    let recent = d
        .analysis_requested_at
        .is_some_and(|at| shared::time::now() - at < ANALYSIS_STALE_AFTER);
    waiting && recent
}

/// `POST /api/diagnostics/{id}/request_ai_analysis/`: a new analysis,
/// unless one is already waiting or running (a double click queues one).
pub async fn request(
    State(state): State<DiagnosticsState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response> {
    let mut before = owned(&state, &user.id, &id).await?;
    for _ in 0..WRITE_ATTEMPTS {
        if pending(&before) {
            return Ok(answer(&before));
        }
        if before.replies_count >= MAX_REPLIES_PER_DIAGNOSTIC {
            return Err(Error::message(400, thread_full()));
        }
        let mut after = before.clone();
        let job = queue(&mut after);
        match state
            .store
            .diagnostics()
            .save_queued(&before, &mut after, Vec::new(), quota(&user))
            .await
        {
            Ok(Analyses::Counted) => {
                let (now, failed) = send(&state, after, &job).await;
                if let Some(e) = failed {
                    return Err(e);
                }
                return Ok(answer(&now));
            }
            Ok(Analyses::UsedUp) => return Err(limit_reached(user.plan.as_ref())),
            Err(Error::Conflict(_)) => before = owned(&state, &user.id, &id).await?,
            Err(e) => return Err(e),
        }
    }
    Err(Error::Conflict(
        "The diagnostic keeps changing; reload and retry.".into(),
    ))
}

fn answer(d: &Diagnostic) -> Response {
    ok(json!({
        "message": REQUESTED,
        "diagnostic_id": d.id,
        "analysis_id": d.analysis_id,
        "analysis_status": d.analysis_status,
    }))
}
