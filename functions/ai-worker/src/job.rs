//! One analysis job, safe to run twice: the diagnostic's analysis moves
//! `queued` → `processing` → `done` | `failed`, each step a write
//! conditioned on the version read, and only while the diagnostic's
//! `analysis_id` is the job's (a newer reply or request, or a deletion,
//! makes the job stale, and a stale job does nothing). The final write is
//! one transaction: the diagnostic, the AI's reply in the thread (both
//! copies) and the owner's notification, so a redelivered job cannot
//! answer twice.

use serde_json::json;
use shared::domain::diagnosis::{Diagnosis, Severity};
use shared::domain::diagnostics::{analysis, Diagnostic, Reply, IN_PROGRESS, PENDING, SENDER_AI};
use shared::domain::notifications::Notification;
use shared::jobs::AiAnalysisJob;
use shared::runtime::Delivery;
use shared::Error;

use crate::context::Context;
use crate::{analyst, AiState};

/// The AI queue's `maxReceiveCount` (template.yaml): on that delivery a
/// transient failure is recorded for good before the message goes to the
/// dead-letter queue.
pub const MAX_RECEIVES: u32 = 5;

/// Attempts at a write that lost to a concurrent edit of the diagnostic
/// (its title, say): each re-reads and goes on if the job is still current.
const WRITE_ATTEMPTS: usize = 3;

pub const GAVE_UP: &str = "The analysis could not be completed; please request it again later.";

/// The SQS handler: `Ok` acknowledges the message (done, failed for good,
/// or nothing to do); `Err` reports it in the batch's failures.
pub async fn handle(state: AiState, job: AiAnalysisJob, delivery: Delivery) -> Result<(), Error> {
    let outcome = async {
        let Some(diagnostic) = start(&state, &job).await? else {
            return Ok(());
        };
        let ctx = Context::read(&state, diagnostic).await?;
        let diagnosis = analyst::diagnose(&state, &ctx).await;
        finish(&state, &job, &diagnosis, ctx.diagnostic).await
    }
    .await;
    match outcome {
        Ok(()) => Ok(()),
        Err(e) => {
            if delivery.receive_count >= MAX_RECEIVES {
                fail(&state, &job, GAVE_UP).await?;
            }
            Err(Error::Unavailable(e.to_string()))
        }
    }
}

/// The diagnostic when the job is still its current analysis.
async fn current(state: &AiState, job: &AiAnalysisJob) -> Result<Option<Diagnostic>, Error> {
    let diagnostic = state
        .store
        .diagnostics()
        .get(&job.owner_id, &job.diagnostic_id)
        .await?;
    Ok(diagnostic.filter(|d| d.analysis_id.as_deref() == Some(job.analysis_id.as_str())))
}

/// The diagnostic as the job should see it, `processing`; `None` when the
/// job has nothing to do (deleted, stale, or already finished).
async fn start(state: &AiState, job: &AiAnalysisJob) -> Result<Option<Diagnostic>, Error> {
    for _ in 0..WRITE_ATTEMPTS {
        let Some(before) = current(state, job).await? else {
            return Ok(None);
        };
        match before.analysis_status.as_str() {
            analysis::DONE | analysis::FAILED => return Ok(None),
            // A previous delivery died part way: go on from there.
            analysis::PROCESSING => return Ok(Some(before)),
            _ => {}
        }
        let mut after = before.clone();
        after.analysis_status = analysis::PROCESSING.into();
        match state
            .store
            .diagnostics()
            .save(&before, &mut after, Vec::new())
            .await
        {
            Ok(()) => return Ok(Some(after)),
            Err(Error::Conflict(_) | Error::NotFound(_)) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(Error::Conflict("the diagnostic keeps changing".into()))
}

/// Hundredths of a percent (`confidence_score`): 0.875 is 8750 ("87.50").
fn score(confidence: f64) -> i64 {
    (confidence.clamp(0.0, 1.0) * 10_000.0).round() as i64
}

/// Records the answer: one transaction, retried on a concurrent edit of
/// the diagnostic while the job is still current.
/// `started` is the diagnostic as `start` left it: the first attempt writes
/// over it without reading it again.
async fn finish(
    state: &AiState,
    job: &AiAnalysisJob,
    diagnosis: &Diagnosis,
    started: Diagnostic,
) -> Result<(), Error> {
    let diagnostics = state.store.diagnostics();
    let text = diagnosis.text();
    let structured = serde_json::to_value(diagnosis).map_err(Error::internal)?;
    let mut read = Some(started);
    for _ in 0..WRITE_ATTEMPTS {
        let before = match read.take() {
            Some(d) => d,
            None => match current(state, job).await? {
                Some(d) => d,
                None => return Ok(()),
            },
        };
        if before.analysis_status != analysis::PROCESSING {
            return Ok(());
        }
        let reply = Reply::new(
            &before,
            None,
            SENDER_AI,
            text.clone(),
            json!({
                "analysis_id": job.analysis_id,
                "source": diagnosis.source,
                "severity": diagnosis.severity,
                "safe_to_drive": diagnosis.safe_to_drive,
                "confidence": diagnosis.confidence,
            }),
        );
        let mut after = before.clone();
        after.analysis_status = analysis::DONE.into();
        after.analysis_error = None;
        after.ai_analysis = Some(text.clone());
        after.analysis = structured.clone();
        after.confidence_score = Some(score(diagnosis.confidence));
        // An answer is there: the owner's move (a completed one stays so).
        if after.status == PENDING {
            after.status = IN_PROGRESS.into();
        }
        after.replies_count += 1;
        after.latest_reply = Some(reply.clone());
        let mut writes = diagnostics.tx_put_reply(&reply)?;
        writes.extend(
            state
                .store
                .notifications()
                .tx_create(&done_notice(&after, diagnosis))?,
        );
        match diagnostics.save(&before, &mut after, writes).await {
            Ok(()) => {
                let _ = state.store.notifications().trim(&before.owner_id).await;
                return Ok(());
            }
            Err(Error::Conflict(_) | Error::NotFound(_)) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(Error::Conflict("the diagnostic keeps changing".into()))
}

/// Records a failure the owner should see, with a notification.
async fn fail(state: &AiState, job: &AiAnalysisJob, message: &str) -> Result<(), Error> {
    let diagnostics = state.store.diagnostics();
    for _ in 0..WRITE_ATTEMPTS {
        let Some(before) = current(state, job).await? else {
            return Ok(());
        };
        if matches!(
            before.analysis_status.as_str(),
            analysis::DONE | analysis::FAILED
        ) {
            return Ok(());
        }
        let mut after = before.clone();
        after.analysis_status = analysis::FAILED.into();
        after.analysis_error = Some(message.to_string());
        let writes = state
            .store
            .notifications()
            .tx_create(&failed_notice(&after))?;
        match diagnostics.save(&before, &mut after, writes).await {
            Ok(()) => {
                let _ = state.store.notifications().trim(&before.owner_id).await;
                return Ok(());
            }
            Err(Error::Conflict(_) | Error::NotFound(_)) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(Error::Conflict("the diagnostic keeps changing".into()))
}

fn severity_label(severity: Severity) -> &'static str {
    match severity {
        Severity::Low => "faible",
        Severity::Medium => "moyenne",
        Severity::High => "élevée",
        Severity::Critical => "critique",
    }
}

fn done_notice(d: &Diagnostic, diagnosis: &Diagnosis) -> Notification {
    let mut message = format!(
        "« {} » : gravité {}",
        d.title,
        severity_label(diagnosis.severity)
    );
    if let Some(first) = diagnosis.probable_causes.first() {
        message.push_str(&format!(", cause la plus probable : {}", first.cause));
    }
    message.push('.');
    if !diagnosis.safe_to_drive {
        message.push_str(" Ne roulez pas avant contrôle.");
    }
    let kind = if diagnosis.safe_to_drive {
        "info"
    } else {
        "warning"
    };
    Notification::new(
        &d.owner_id,
        kind,
        "Analyse de votre diagnostic disponible".into(),
        message,
        Some(format!("/diagnostics/{}", d.id)),
        json!({"diagnostic_id": d.id, "source": diagnosis.source}),
    )
}

fn failed_notice(d: &Diagnostic) -> Notification {
    Notification::new(
        &d.owner_id,
        "error",
        "Analyse de votre diagnostic impossible".into(),
        format!(
            "L'analyse de « {} » n'a pas pu aboutir ; vous pouvez la relancer.",
            d.title
        ),
        Some(format!("/diagnostics/{}", d.id)),
        json!({"diagnostic_id": d.id}),
    )
}
