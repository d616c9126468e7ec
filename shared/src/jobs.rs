//! The SQS job messages, shared by the function that queues a job (the
//! producer) and the worker that runs it (the consumer), and the typed
//! producer [`JobQueue`].
//!
//! On the wire a job is one JSON object: the job's own fields plus `kind`
//! (which job) and `v` (the version of its shape), for example
//! `{"kind":"ocr","v":2,"document_id":"...","owner_id":"...","analysis_id":"..."}`. A consumer
//! refuses a body of another kind or version rather than guess: a new shape
//! gets a new `v`, and workers learn it before producers send it.

use std::marker::PhantomData;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Result};

/// A job message type: its kind and the version of its shape.
pub trait Job: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The `kind` field on the wire.
    const KIND: &'static str;
    /// The `v` field on the wire.
    const VERSION: u32;
    /// The environment variable holding its queue's URL.
    const QUEUE_URL_VAR: &'static str;
}

/// OCR of an uploaded document (queue `OCR_QUEUE_URL`, worker `ocr-worker`).
/// v2 added `analysis_id`: the analysis the job is for, so a job made
/// stale by a newer request or a new file does nothing (v1 was never sent).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OcrJob {
    pub document_id: String,
    pub owner_id: String,
    pub analysis_id: String,
}

impl Job for OcrJob {
    const KIND: &'static str = "ocr";
    const VERSION: u32 = 2;
    const QUEUE_URL_VAR: &'static str = "OCR_QUEUE_URL";
}

/// AI analysis of a diagnostic (queue `AI_QUEUE_URL`, worker `ai-worker`).
/// v2 added `analysis_id`, as `OcrJob` v2 did: a newer request (a new
/// reply, say) makes an older job stale (v1 was never sent).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AiAnalysisJob {
    pub diagnostic_id: String,
    pub owner_id: String,
    pub analysis_id: String,
}

impl Job for AiAnalysisJob {
    const KIND: &'static str = "ai_analysis";
    const VERSION: u32 = 2;
    const QUEUE_URL_VAR: &'static str = "AI_QUEUE_URL";
}

/// Why a message body is not a job of the expected type. Its text never
/// quotes the body (bodies can hold personal data; only ids are logged).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("the body is not a JSON object")]
    NotAnObject,
    #[error("kind {found:?} where {expected:?} was expected")]
    WrongKind {
        expected: &'static str,
        found: String,
    },
    #[error("version {found:?} of {kind:?} where {expected} was expected")]
    WrongVersion {
        kind: &'static str,
        expected: u32,
        found: Option<u64>,
    },
    #[error("the fields do not match {kind:?} v{version}: {reason}")]
    Fields {
        kind: &'static str,
        version: u32,
        reason: String,
    },
}

/// The message body of `job`: its fields plus `kind` and `v`.
pub fn encode<T: Job>(job: &T) -> Result<String> {
    let mut object = match serde_json::to_value(job) {
        Ok(Value::Object(object)) => object,
        Ok(_) => return Err(Error::internal(format!("job {} is not an object", T::KIND))),
        Err(e) => return Err(Error::internal(format!("encoding job {}: {e}", T::KIND))),
    };
    object.insert("kind".into(), Value::from(T::KIND));
    object.insert("v".into(), Value::from(T::VERSION));
    Ok(Value::Object(object).to_string())
}

/// The job a message body holds, when it is a `T` of the current version.
pub fn decode<T: Job>(body: &str) -> std::result::Result<T, DecodeError> {
    let mut object = match serde_json::from_str::<Value>(body) {
        Ok(Value::Object(object)) => object,
        _ => return Err(DecodeError::NotAnObject),
    };
    match object.remove("kind") {
        Some(Value::String(kind)) if kind == T::KIND => {}
        other => {
            return Err(DecodeError::WrongKind {
                expected: T::KIND,
                found: other
                    .map(|v| v.to_string().chars().take(32).collect())
                    .unwrap_or_default(),
            })
        }
    }
    let version = object.remove("v").and_then(|v| v.as_u64());
    if version != Some(u64::from(T::VERSION)) {
        return Err(DecodeError::WrongVersion {
            kind: T::KIND,
            expected: T::VERSION,
            found: version,
        });
    }
    serde_json::from_value(Value::Object(object)).map_err(|e| DecodeError::Fields {
        kind: T::KIND,
        version: T::VERSION,
        // serde's message names the field and the expected type, never
        // the value: safe to log.
        reason: e.to_string(),
    })
}

/// Sends jobs of type `T` to one queue. Cheap to clone (the SDK client is).
#[derive(Debug)]
pub struct JobQueue<T> {
    sqs: aws_sdk_sqs::Client,
    url: String,
    job: PhantomData<fn(T)>,
}

impl<T> Clone for JobQueue<T> {
    fn clone(&self) -> Self {
        Self {
            sqs: self.sqs.clone(),
            url: self.url.clone(),
            job: PhantomData,
        }
    }
}

impl<T: Job> JobQueue<T> {
    pub fn new(sqs: aws_sdk_sqs::Client, queue_url: impl Into<String>) -> Self {
        Self {
            sqs,
            url: queue_url.into(),
            job: PhantomData,
        }
    }

    pub fn queue_url(&self) -> &str {
        &self.url
    }

    /// Whether the queue answers (the health check reads its attributes).
    pub async fn check(&self) -> std::result::Result<(), impl std::fmt::Debug> {
        self.sqs
            .get_queue_attributes()
            .queue_url(&self.url)
            .send()
            .await
            .map(drop)
    }

    /// Queues `job`; returns the SQS message id. SQS down, throttling or
    /// refusing the queue gives `Error::Unavailable` (a 503 to the caller:
    /// the request can be retried, nothing was queued).
    pub async fn send(&self, job: &T) -> Result<String> {
        let body = encode(job)?;
        let sent = self
            .sqs
            .send_message()
            .queue_url(&self.url)
            .message_body(body)
            .send()
            .await
            .map_err(|e| {
                let e = aws_sdk_sqs::error::DisplayErrorContext(e);
                tracing::error!(kind = T::KIND, error = %e, "queueing a job failed");
                Error::Unavailable(format!("SQS SendMessage ({}): {e}", T::KIND))
            })?;
        Ok(sent.message_id().unwrap_or_default().to_string())
    }

    /// Queues several jobs, all at once (one SendMessage each: the batch
    /// operation would add its own client code to every producer). Any
    /// job refused is `Error::Unavailable`: the caller retries the whole
    /// request, and the jobs already sent are harmless (workers tolerate
    /// repeats and stale jobs).
    pub async fn send_all(&self, jobs: &[T]) -> Result<()> {
        let sends = jobs
            .iter()
            .map(|job| {
                Box::pin(async move { self.send(job).await.map(drop) })
                    as crate::usecases::Pending<'_, ()>
            })
            .collect();
        crate::usecases::together(sends).await.map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_round_trips_with_its_kind_and_version() {
        let job = OcrJob {
            document_id: "d1".into(),
            owner_id: "u1".into(),
            analysis_id: "a1".into(),
        };
        let body = encode(&job).unwrap();
        let value: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(value["kind"], "ocr");
        assert_eq!(value["v"], 2);
        assert_eq!(value["document_id"], "d1");
        assert_eq!(decode::<OcrJob>(&body).unwrap(), job);
    }

    #[test]
    fn other_kinds_versions_and_shapes_are_refused_without_quoting_the_body() {
        let ai = encode(&AiAnalysisJob {
            diagnostic_id: "g1".into(),
            owner_id: "secret-owner".into(),
            analysis_id: "a1".into(),
        })
        .unwrap();
        assert!(matches!(
            decode::<OcrJob>(&ai),
            Err(DecodeError::WrongKind { .. })
        ));
        let v1 = r#"{"kind":"ocr","v":1,"document_id":"d","owner_id":"u"}"#;
        assert!(matches!(
            decode::<OcrJob>(v1),
            Err(DecodeError::WrongVersion { found: Some(1), .. })
        ));
        let missing = r#"{"kind":"ocr","v":2,"document_id":"secret-doc"}"#;
        let err = decode::<OcrJob>(missing).unwrap_err();
        assert!(matches!(err, DecodeError::Fields { .. }));
        assert!(!err.to_string().contains("secret-doc"));
        for junk in ["", "fail", "[1]", "null"] {
            assert_eq!(decode::<OcrJob>(junk), Err(DecodeError::NotAnObject));
        }
    }
}
