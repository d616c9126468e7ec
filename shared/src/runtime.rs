//! The `main` of every non-HTTP function, one call each (HTTP functions
//! use `http::serve`):
//!
//! - [`schedule`]: an EventBridge schedule function (`reminders`);
//! - [`sqs`]: an SQS-triggered worker that decodes each message into a job
//!   type of `jobs` and reports partial batch failures.
//!
//! Both set up tracing, build the function's state once per cold start (its
//! own sections only; missing settings stop the start with their names),
//! then hand a clone of the state to the handler for each event.

use std::collections::HashMap;
use std::future::Future;

use lambda_http::lambda_runtime::{self, service_fn, LambdaEvent};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::jobs::{self, Job};
use crate::state::FunctionState;

pub use lambda_runtime::Error as RuntimeError;

async fn cold_start<S: FunctionState>() -> Result<S, RuntimeError> {
    crate::http::app::init_tracing();
    crate::state::from_env::<S>().await.map_err(|e| {
        tracing::error!("{e}");
        RuntimeError::from(e)
    })
}

/// Runs a scheduled function: `handler` gets the state and the
/// EventBridge event (its content is the rule's; the context carries the
/// invocation's deadline). Its `Ok` value is the invocation's result.
pub async fn schedule<S, F, Fut, R, E>(handler: F) -> Result<(), RuntimeError>
where
    S: FunctionState,
    F: Fn(S, LambdaEvent<Value>) -> Fut,
    Fut: Future<Output = Result<R, E>>,
    R: Serialize,
    E: Into<RuntimeError>,
{
    let state = cold_start::<S>().await?;
    let state = &state;
    let handler = &handler;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        // Boxed: keeps the runtime's future types shallow (a long handler
        // future nested in them overflows the compiler's layout depth).
        Box::pin(handler(state.clone(), event))
            .await
            .map_err(Into::into)
    }))
    .await
}

/// Runs an SQS worker for jobs of type `T`: each record's body is decoded
/// into a `T` and given to `handler`; the answer lists the messages that
/// failed (`batchItemFailures`), so only those come back to the queue. The
/// event source mapping needs `FunctionResponseTypes: [ReportBatchItemFailures]`.
pub async fn sqs<T, S, F, Fut, E>(handler: F) -> Result<(), RuntimeError>
where
    T: Job,
    S: FunctionState,
    F: Fn(S, T, Delivery) -> Fut,
    Fut: Future<Output = Result<(), E>>,
    E: std::fmt::Display,
{
    let state = cold_start::<S>().await?;
    let state = &state;
    let handler = &handler;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| async move {
        let response = process_batch::<T, _, _, _>(event.payload, |job, delivery| {
            handler(state.clone(), job, delivery)
        })
        .await;
        Ok::<_, RuntimeError>(response)
    }))
    .await
}

/// Which delivery of a message a handler is running: the last permitted
/// one (the queue's `maxReceiveCount`) may record a failure for good
/// before the message goes to the dead-letter queue.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Delivery {
    pub message_id: String,
    /// `ApproximateReceiveCount`: 1 on the first delivery.
    pub receive_count: u32,
}

/// Runs `handler` on every message of the batch, one after the other, and
/// returns the ids of those that failed: a body that is not a `T`, or a
/// handler error. Each failure is logged with its message id and the
/// reason, never with the body. Handlers must be idempotent: SQS delivers
/// at least once, and a failed message comes back whole.
pub async fn process_batch<T, F, Fut, E>(event: SqsEvent, handler: F) -> SqsBatchResponse
where
    T: Job,
    F: Fn(T, Delivery) -> Fut,
    Fut: Future<Output = Result<(), E>>,
    E: std::fmt::Display,
{
    let mut response = SqsBatchResponse::default();
    for record in event.records {
        let message_id = record.message_id.unwrap_or_default();
        let delivery = Delivery {
            message_id: message_id.clone(),
            receive_count: record
                .attributes
                .get("ApproximateReceiveCount")
                .and_then(|n| n.parse().ok())
                .unwrap_or(1),
        };
        let outcome = match jobs::decode::<T>(record.body.as_deref().unwrap_or_default()) {
            Ok(job) => Box::pin(handler(job, delivery))
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(format!("undecodable body: {e}")),
        };
        match outcome {
            Ok(()) => tracing::debug!(message_id = %message_id, kind = T::KIND, "job done"),
            Err(error) => {
                // A record without an id cannot be named: an empty
                // identifier makes Lambda retry the whole batch, which is
                // the safe side for a message we cannot identify.
                tracing::warn!(message_id = %message_id, kind = T::KIND, %error, "job failed");
                response.batch_item_failures.push(BatchItemFailure {
                    item_identifier: message_id,
                });
            }
        }
    }
    response
}

/// The SQS event Lambda delivers (and the local bridge builds). Our own
/// types for its wire format: `aws_lambda_events`' `sqs` feature would bring
/// `serde_with` into the lock file for these few fields.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SqsEvent {
    #[serde(rename = "Records", default)]
    pub records: Vec<SqsRecord>,
}

/// One message of an [`SqsEvent`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SqsRecord {
    pub message_id: Option<String>,
    pub receipt_handle: Option<String>,
    pub body: Option<String>,
    pub md5_of_body: Option<String>,
    /// `ApproximateReceiveCount`, `SentTimestamp`, `SenderId`,
    /// `ApproximateFirstReceiveTimestamp`...
    pub attributes: HashMap<String, String>,
    /// Name -> `{"stringValue", "dataType", ...}`.
    pub message_attributes: HashMap<String, Value>,
    #[serde(rename = "eventSourceARN")]
    pub event_source_arn: Option<String>,
    /// `aws:sqs`.
    pub event_source: Option<String>,
    pub aws_region: Option<String>,
}

/// A worker's answer: the messages to deliver again. Empty: all done.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SqsBatchResponse {
    #[serde(default)]
    pub batch_item_failures: Vec<BatchItemFailure>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchItemFailure {
    pub item_identifier: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::OcrJob;
    use serde_json::json;

    fn record(id: &str, body: &str) -> Value {
        json!({
            "messageId": id,
            "receiptHandle": format!("rh-{id}"),
            "body": body,
            "md5OfBody": "",
            "attributes": {"ApproximateReceiveCount": "1"},
            "messageAttributes": {},
            "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:jobs",
            "eventSource": "aws:sqs",
            "awsRegion": "eu-west-1"
        })
    }

    fn ocr(document_id: &str) -> String {
        jobs::encode(&OcrJob {
            document_id: document_id.into(),
            owner_id: "u1".into(),
            analysis_id: "a1".into(),
        })
        .unwrap()
    }

    async fn handle(job: OcrJob, _: Delivery) -> Result<(), String> {
        if job.document_id == "fail" {
            Err("OCR refused the document".into())
        } else {
            Ok(())
        }
    }

    /// A worker's `main` as a worker crate writes it builds (the future is
    /// made, never run: there is no Lambda runtime API here).
    /// A worker's state: only a store.
    #[derive(Clone)]
    struct WorkerState {
        store: crate::store::Store,
    }

    impl FunctionState for WorkerState {
        type Config = crate::config::StoreConfig;
        fn read(env: &mut crate::config::Env) -> Self::Config {
            crate::config::StoreConfig::read(env)
        }
        fn build(config: Self::Config, aws: &crate::state::Aws) -> Self {
            Self {
                store: aws.store(config),
            }
        }
    }

    #[test]
    fn a_worker_main_is_one_call() {
        async fn handler(state: WorkerState, _: OcrJob, _: Delivery) -> crate::Result<()> {
            drop(state.store);
            Ok(())
        }
        let main = sqs(handler);
        drop(main);
    }

    #[tokio::test]
    async fn only_failed_and_undecodable_messages_are_reported() {
        let event: SqsEvent = serde_json::from_value(json!({"Records": [
            record("m1", &ocr("ok")),
            record("m2", &ocr("fail")),
            record("m3", "not json"),
            record("m4", r#"{"kind":"ai_analysis","v":1,"diagnostic_id":"g","owner_id":"u"}"#),
            record("m5", &ocr("also ok")),
        ]}))
        .unwrap();
        let response = process_batch(event, handle).await;
        assert_eq!(
            serde_json::to_value(&response).unwrap(),
            json!({"batchItemFailures": [
                {"itemIdentifier": "m2"},
                {"itemIdentifier": "m3"},
                {"itemIdentifier": "m4"}
            ]})
        );
    }

    #[tokio::test]
    async fn a_batch_without_failures_answers_an_empty_list() {
        let event: SqsEvent =
            serde_json::from_value(json!({"Records": [record("m1", &ocr("ok"))]})).unwrap();
        let response = process_batch(event, handle).await;
        assert_eq!(
            serde_json::to_value(&response).unwrap(),
            json!({"batchItemFailures": []})
        );
        let empty = process_batch(SqsEvent::default(), handle).await;
        assert!(empty.batch_item_failures.is_empty());
    }

    #[tokio::test]
    async fn every_message_is_handled_even_after_a_failure() {
        let seen = std::sync::Mutex::new(Vec::new());
        let event: SqsEvent = serde_json::from_value(json!({"Records": [
            record("m1", &ocr("fail")),
            record("m2", &ocr("b")),
        ]}))
        .unwrap();
        let response = process_batch(event, |job: OcrJob, delivery| {
            seen.lock().unwrap().push(job.document_id.clone());
            handle(job, delivery)
        })
        .await;
        assert_eq!(response.batch_item_failures.len(), 1);
        assert_eq!(*seen.lock().unwrap(), vec!["fail", "b"]);
    }

    #[tokio::test]
    async fn the_handler_learns_which_delivery_it_runs() {
        let mut redelivered = record("m1", &ocr("a"));
        redelivered["attributes"]["ApproximateReceiveCount"] = json!("5");
        let event: SqsEvent = serde_json::from_value(json!({"Records": [
            redelivered,
            record("m2", &ocr("b")),
        ]}))
        .unwrap();
        let seen = std::sync::Mutex::new(Vec::new());
        process_batch(event, |_: OcrJob, delivery| {
            seen.lock().unwrap().push(delivery);
            async { Ok::<(), String>(()) }
        })
        .await;
        let seen = seen.lock().unwrap();
        assert_eq!(
            (seen[0].message_id.as_str(), seen[0].receive_count),
            ("m1", 5)
        );
        assert_eq!(seen[1].receive_count, 1);
    }
}
