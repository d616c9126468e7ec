//! One OCR job, safe to run twice: the document moves `queued` →
//! `processing` → `done` | `failed`, each step a write conditioned on the
//! version read, and only while the document's `analysis_id` is the job's
//! (a newer request, a new file or a deletion makes the job stale, and a
//! stale job does nothing). The final write is one transaction: the
//! document, its text, the owner's notification and the reminder from an
//! expiry date, so a redelivered job cannot do its effects twice.

use chrono::{NaiveDate, Utc};
use shared::domain::documents::{search_digest, status, Document, DocumentText};
use shared::jobs::OcrJob;
use shared::runtime::Delivery;
use shared::store::Write;
use shared::Error;

use crate::outcome::{self, Reading};
use crate::text::TextError;
use crate::OcrState;

/// The OCR queue's `maxReceiveCount` (template.yaml): on that delivery a
/// transient failure is recorded for good before the message goes to the
/// dead-letter queue.
pub const MAX_RECEIVES: u32 = 5;

/// Attempts at a write that lost to a concurrent edit of the document
/// (its title, say): each re-reads and goes on if the job is still current.
const WRITE_ATTEMPTS: usize = 3;

/// What ended a reading.
#[derive(Debug)]
enum Failure {
    /// Reading again will not help: the document is marked `failed`.
    Permanent(String),
    /// Worth another delivery (S3, Textract or DynamoDB unavailable).
    Transient(String),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Transient(e.to_string())
    }
}

impl From<TextError> for Failure {
    fn from(e: TextError) -> Self {
        match e {
            TextError::Permanent(message) => Failure::Permanent(message),
            TextError::Transient(reason) => Failure::Transient(reason),
        }
    }
}

/// The SQS handler: `Ok` acknowledges the message (done, failed for good,
/// or nothing to do); `Err` reports it in the batch's failures.
pub async fn handle(state: OcrState, job: OcrJob, delivery: Delivery) -> Result<(), Error> {
    let Some(document) = start(&state, &job).await? else {
        return Ok(());
    };
    let today = Utc::now().date_naive();
    match read(&state, &document, today).await {
        Ok(reading) => finish(&state, &job, reading, today).await,
        Err(Failure::Permanent(message)) => fail(&state, &job, &message).await,
        Err(Failure::Transient(reason)) => {
            if delivery.receive_count >= MAX_RECEIVES {
                fail(
                    &state,
                    &job,
                    "The analysis could not be completed; please try again later.",
                )
                .await?;
            }
            Err(Error::Unavailable(reason))
        }
    }
}

/// The document as the job should see it, `processing`; `None` when the
/// job has nothing to do (deleted, stale, or already finished).
async fn start(state: &OcrState, job: &OcrJob) -> Result<Option<Document>, Error> {
    let documents = state.store.documents();
    for _ in 0..WRITE_ATTEMPTS {
        let Some(document) = current(state, job).await? else {
            return Ok(None);
        };
        match document.analysis_status.as_str() {
            status::DONE | status::FAILED => return Ok(None),
            // A previous delivery died part way: go on from there.
            status::PROCESSING => return Ok(Some(document)),
            _ => {}
        }
        let mut after = document.clone();
        after.analysis_status = status::PROCESSING.into();
        after.analysis_attempts += 1;
        match documents.save(&document, &mut after, Vec::new()).await {
            Ok(_) => return Ok(Some(after)),
            Err(Error::Conflict(_) | Error::NotFound(_)) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(Error::Conflict("the document keeps changing".into()))
}

/// The document when the job is still its current analysis.
async fn current(state: &OcrState, job: &OcrJob) -> Result<Option<Document>, Error> {
    let document = state
        .store
        .documents()
        .get(&job.owner_id, &job.document_id)
        .await?;
    Ok(document.filter(|d| d.analysis_id.as_deref() == Some(job.analysis_id.as_str())))
}

async fn read(state: &OcrState, document: &Document, today: NaiveDate) -> Result<Reading, Failure> {
    if !document.is_analysable() {
        return Err(Failure::Permanent(
            "Analysis is only available for images and PDFs.".into(),
        ));
    }
    let bytes = match state.bucket.get(&document.file_key).await {
        Ok(bytes) => bytes,
        Err(Error::NotFound(_)) => {
            return Err(Failure::Permanent("The file could not be found.".into()))
        }
        Err(e) => return Err(e.into()),
    };
    let text = state
        .reader()
        .await
        .read(&bytes, &document.mime_type)
        .await?;
    if text.text.trim().is_empty() {
        return Err(Failure::Permanent(
            "No text could be read in this document.".into(),
        ));
    }
    Ok(outcome::reading(text, today))
}

/// Records the reading: one transaction, retried on a concurrent edit of
/// the document while the job is still current.
async fn finish(
    state: &OcrState,
    job: &OcrJob,
    reading: Reading,
    today: NaiveDate,
) -> Result<(), Error> {
    let documents = state.store.documents();
    for _ in 0..WRITE_ATTEMPTS {
        let Some(before) = current(state, job).await? else {
            return Ok(());
        };
        if before.analysis_status != status::PROCESSING {
            return Ok(());
        }
        let mut after = before.clone();
        let effects = outcome::effects(state, &before, &reading, today).await?;
        after.analysis_status = status::DONE.into();
        after.analysis_error = None;
        after.is_analyzed = true;
        after.analyzed_at = Some(shared::time::now());
        after.analysis_data = reading.analysis_data(effects.reminder_id.as_deref());
        after.search_text = search_digest(&reading.text);
        after.reminder_id = effects.reminder_id.clone().or(before.reminder_id.clone());
        let mut writes: Vec<Write> = vec![documents.tx_put_text(&DocumentText {
            owner_id: before.owner_id.clone(),
            document_id: before.id.clone(),
            analysis_id: job.analysis_id.clone(),
            text: reading.kept_text().to_string(),
        })?];
        let notification = outcome::done_notice(&after, &reading);
        writes.extend(state.store.notifications().tx_create(&notification)?);
        writes.extend(effects.writes);
        match documents.save(&before, &mut after, writes).await {
            Ok(_) => {
                let _ = state.store.notifications().trim(&before.owner_id).await;
                return Ok(());
            }
            Err(Error::Conflict(_) | Error::NotFound(_)) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(Error::Conflict("the document keeps changing".into()))
}

/// Records a failure the owner should see, with a notification.
async fn fail(state: &OcrState, job: &OcrJob, message: &str) -> Result<(), Error> {
    let documents = state.store.documents();
    for _ in 0..WRITE_ATTEMPTS {
        let Some(before) = current(state, job).await? else {
            return Ok(());
        };
        if matches!(
            before.analysis_status.as_str(),
            status::DONE | status::FAILED
        ) {
            return Ok(());
        }
        let mut after = before.clone();
        after.analysis_status = status::FAILED.into();
        after.analysis_error = Some(message.to_string());
        after.is_analyzed = false;
        after.analysis_data = outcome::failure_data(message);
        let notification = outcome::failed_notice(&after, message);
        let writes = state.store.notifications().tx_create(&notification)?;
        match documents.save(&before, &mut after, writes).await {
            Ok(_) => {
                let _ = state.store.notifications().trim(&before.owner_id).await;
                return Ok(());
            }
            Err(Error::Conflict(_) | Error::NotFound(_)) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(Error::Conflict("the document keeps changing".into()))
}
