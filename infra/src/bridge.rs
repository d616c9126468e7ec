//! The local SQS bridge. `cargo lambda watch` has no SQS trigger, so under
//! `make dev` this stands in for Lambda's event source mapping: it
//! long-polls a job queue in the emulator, posts each batch as a real SQS
//! event to the watch server's invoke endpoint
//! (`/2015-03-31/functions/<name>/invocations`), and deletes exactly the
//! messages the worker did not report in `batchItemFailures`. A worker
//! that fails as a whole (an invocation error, a non-2xx answer, an answer
//! that is not a batch response or names a message not in the batch)
//! deletes nothing, as Lambda does. Failed messages come back after the
//! queue's visibility timeout; the queue's redrive policy moves them to its
//! dead-letter queue after `maxReceiveCount` receives.

use std::collections::{HashMap, HashSet};
use std::str::FromStr;
use std::time::Duration;

use aws_sdk_sqs::types::{DeleteMessageBatchRequestEntry, Message, MessageSystemAttributeName};
use serde_json::{json, Value};
use shared::runtime::{SqsBatchResponse, SqsEvent, SqsRecord};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// One worker function and the queue that feeds it: `<function>=<queue url>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Worker {
    pub function: String,
    pub queue_url: String,
}

impl FromStr for Worker {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.split_once('=') {
            Some((function, queue_url)) if !function.is_empty() && !queue_url.is_empty() => {
                Ok(Worker {
                    function: function.to_string(),
                    queue_url: queue_url.to_string(),
                })
            }
            _ => Err(format!("{s:?} is not <function>=<queue url>")),
        }
    }
}

/// How the bridge polls and invokes.
#[derive(Clone, Debug)]
pub struct PumpOptions {
    /// The watch server, e.g. `http://127.0.0.1:9001` (plain HTTP only).
    pub invoke_url: String,
    /// Long-poll duration of one ReceiveMessage (0 to 20 s).
    pub wait_seconds: i32,
    /// Messages per batch (1 to 10).
    pub batch_size: i32,
    /// How long one invoke may take before the batch counts as failed.
    pub invoke_timeout: Duration,
}

impl PumpOptions {
    pub fn new(invoke_url: impl Into<String>) -> Self {
        PumpOptions {
            invoke_url: invoke_url.into(),
            wait_seconds: 10,
            batch_size: 10,
            invoke_timeout: Duration::from_secs(120),
        }
    }
}

/// What one pump did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BridgeReport {
    pub received: usize,
    pub deleted: usize,
    /// Message ids the worker reported in `batchItemFailures`.
    pub failed: Vec<String>,
    /// Set when the worker failed as a whole: nothing was deleted.
    pub worker_error: Option<String>,
}

/// Receives one batch from `worker`'s queue (long poll), delivers it, and
/// deletes what succeeded. `Err` only for the bridge's own trouble (the
/// emulator unreachable, a delete refused); a worker's failures are in
/// the report.
pub async fn pump_once(
    sqs: &aws_sdk_sqs::Client,
    worker: &Worker,
    options: &PumpOptions,
) -> Result<BridgeReport, String> {
    let received = sqs
        .receive_message()
        .queue_url(&worker.queue_url)
        .max_number_of_messages(options.batch_size)
        .wait_time_seconds(options.wait_seconds)
        .message_system_attribute_names(MessageSystemAttributeName::All)
        .message_attribute_names("All")
        .send()
        .await
        .map_err(|e| format!("receiving from {}: {e:?}", worker.queue_url))?;
    let messages = received.messages.unwrap_or_default();
    let mut report = BridgeReport {
        received: messages.len(),
        ..Default::default()
    };
    if messages.is_empty() {
        return Ok(report);
    }

    let arn = crate::queues::queue_arn(sqs, &worker.queue_url).await?;
    let region = sqs
        .config()
        .region()
        .map(|r| r.to_string())
        .unwrap_or_else(|| "us-east-1".into());
    let event = sqs_event(&messages, &arn, &region);
    let body = serde_json::to_vec(&event).map_err(|e| e.to_string())?;
    let path = invoke_path(&worker.function);
    let ids: Vec<&str> = messages.iter().filter_map(|m| m.message_id()).collect();

    let outcome = match post(&options.invoke_url, &path, &body, options.invoke_timeout).await {
        Ok(answer) => failed_ids(&answer, &ids),
        Err(e) => Err(e),
    };
    let failed = match outcome {
        Ok(failed) => failed,
        Err(error) => {
            report.worker_error = Some(error);
            return Ok(report);
        }
    };
    let entries: Vec<DeleteMessageBatchRequestEntry> = messages
        .iter()
        .enumerate()
        .filter(|(_, m)| m.message_id().is_some_and(|id| !failed.contains(id)))
        .filter_map(|(i, m)| {
            DeleteMessageBatchRequestEntry::builder()
                .id(i.to_string())
                .set_receipt_handle(m.receipt_handle().map(str::to_string))
                .build()
                .ok()
        })
        .collect();
    report.failed = ids
        .iter()
        .filter(|id| failed.contains(**id))
        .map(|id| id.to_string())
        .collect();
    if !entries.is_empty() {
        let deleted = sqs
            .delete_message_batch()
            .queue_url(&worker.queue_url)
            .set_entries(Some(entries))
            .send()
            .await
            .map_err(|e| format!("deleting from {}: {e:?}", worker.queue_url))?;
        report.deleted = deleted.successful().len();
        if !deleted.failed().is_empty() {
            return Err(format!(
                "{} of the batch's deletes were refused by {}",
                deleted.failed().len(),
                worker.queue_url
            ));
        }
    }
    Ok(report)
}

/// Where the watch server takes a function's invocations.
pub fn invoke_path(function: &str) -> String {
    format!("/2015-03-31/functions/{function}/invocations")
}

/// The event Lambda's SQS event source would deliver for `messages`.
pub fn sqs_event(messages: &[Message], queue_arn: &str, region: &str) -> SqsEvent {
    let records = messages
        .iter()
        .map(|m| SqsRecord {
            message_id: m.message_id().map(str::to_string),
            receipt_handle: m.receipt_handle().map(str::to_string),
            body: m.body().map(str::to_string),
            md5_of_body: m.md5_of_body().map(str::to_string),
            attributes: m
                .attributes()
                .map(|a| {
                    a.iter()
                        .map(|(k, v)| (k.as_str().to_string(), v.clone()))
                        .collect()
                })
                .unwrap_or_default(),
            // String-typed attributes only: binary values are left out.
            message_attributes: m
                .message_attributes()
                .map(|a| {
                    a.iter()
                        .map(|(name, value)| {
                            let attribute = json!({
                                "stringValue": value.string_value(),
                                "stringListValues": value.string_list_values(),
                                "binaryListValues": [],
                                "dataType": value.data_type(),
                            });
                            (name.clone(), attribute)
                        })
                        .collect()
                })
                .unwrap_or_default(),
            event_source_arn: Some(queue_arn.to_string()),
            event_source: Some("aws:sqs".into()),
            aws_region: Some(region.to_string()),
        })
        .collect();
    SqsEvent { records }
}

/// The worker's answer to one invoke.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InvokeAnswer {
    pub status: u16,
    /// Header names in lower case.
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

/// The ids to keep in the queue, or why the whole batch failed. Like
/// Lambda: an invocation error, a non-2xx status, a body that is not a
/// batch response, or an empty or unknown `itemIdentifier` fails the whole
/// batch; an empty (or `null`) body means every message succeeded.
pub fn failed_ids(answer: &InvokeAnswer, batch: &[&str]) -> Result<HashSet<String>, String> {
    if !(200..300).contains(&answer.status) {
        return Err(format!("the invoke answered {}", answer.status));
    }
    if let Some(kind) = answer.headers.get("x-amz-function-error") {
        return Err(format!("the function failed ({kind})"));
    }
    let text = String::from_utf8_lossy(&answer.body);
    let text = text.trim();
    if text.is_empty() || text == "null" {
        return Ok(HashSet::new());
    }
    let value: Value =
        serde_json::from_str(text).map_err(|_| "the answer is not JSON".to_string())?;
    if let Some(kind) = value.get("errorType") {
        return Err(format!("the function failed ({kind})"));
    }
    let response: SqsBatchResponse = serde_json::from_value(value)
        .map_err(|e| format!("the answer is not a batch response: {e}"))?;
    let mut failed = HashSet::new();
    for failure in response.batch_item_failures {
        if !batch.contains(&failure.item_identifier.as_str()) {
            return Err(format!(
                "the answer names {:?}, not a message of the batch",
                failure.item_identifier
            ));
        }
        failed.insert(failure.item_identifier);
    }
    Ok(failed)
}

/// POSTs `body` (JSON) to `base` + `path` over plain HTTP/1.0 (the
/// server answers without chunking and closes: no client library needed
/// for a loopback call).
pub async fn post(
    base: &str,
    path: &str,
    body: &[u8],
    timeout: Duration,
) -> Result<InvokeAnswer, String> {
    let authority = base
        .strip_prefix("http://")
        .ok_or_else(|| format!("{base}: only http:// invoke addresses are supported"))?
        .trim_end_matches('/');
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect(authority)
            .await
            .map_err(|e| format!("connecting to {authority}: {e}"))?;
        let head = format!(
            "POST {path} HTTP/1.0\r\nHost: {authority}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        stream
            .write_all(head.as_bytes())
            .await
            .map_err(|e| format!("sending to {authority}: {e}"))?;
        stream
            .write_all(body)
            .await
            .map_err(|e| format!("sending to {authority}: {e}"))?;
        let mut raw = Vec::new();
        stream
            .read_to_end(&mut raw)
            .await
            .map_err(|e| format!("reading from {authority}: {e}"))?;
        parse_response(&raw)
    };
    tokio::time::timeout(timeout, exchange)
        .await
        .map_err(|_| format!("no answer from {authority}{path} within {timeout:?}"))?
}

/// Status, headers and body of a raw HTTP/1.x response (a chunked body
/// is decoded).
pub fn parse_response(raw: &[u8]) -> Result<InvokeAnswer, String> {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("the answer has no header end")?;
    let head = String::from_utf8_lossy(&raw[..split]);
    let mut body = raw[split + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|code| code.parse().ok())
        .ok_or("the answer has no status line")?;
    let headers: HashMap<String, String> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    if headers
        .get("transfer-encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("chunked"))
    {
        body = dechunk(&body)?;
    } else if let Some(length) = headers.get("content-length").and_then(|v| v.parse().ok()) {
        body.truncate(length);
    }
    Ok(InvokeAnswer {
        status,
        headers,
        body,
    })
}

fn dechunk(mut rest: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let end = rest
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or("a chunk has no size line")?;
        let size_line = String::from_utf8_lossy(&rest[..end]);
        let size_hex = size_line.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_hex, 16).map_err(|_| "bad chunk size")?;
        rest = &rest[end + 2..];
        if size == 0 {
            return Ok(out);
        }
        if rest.len() < size {
            return Err("a chunk is cut short".into());
        }
        out.extend_from_slice(&rest[..size]);
        rest = rest.get(size + 2..).unwrap_or_default();
    }
}

/// Invokes `worker` with an empty batch and waits for its answer, however
/// long: under `cargo lambda watch` the first invoke compiles the
/// function, which must not happen while a real message's visibility
/// timeout runs.
pub async fn warm(worker: &Worker, invoke_url: &str, timeout: Duration) -> Result<(), String> {
    let body = serde_json::to_vec(&SqsEvent::default()).map_err(|e| e.to_string())?;
    let answer = post(invoke_url, &invoke_path(&worker.function), &body, timeout).await?;
    failed_ids(&answer, &[]).map(|_| ())
}

/// The bridge of `make dev`: warms every worker, then pumps each one's
/// queue until the process is stopped.
pub async fn run(sqs: aws_sdk_sqs::Client, workers: Vec<Worker>, options: PumpOptions) {
    for worker in &workers {
        println!(
            "bridge: warming {} (first invoke compiles it)",
            worker.function
        );
        match warm(worker, &options.invoke_url, Duration::from_secs(900)).await {
            Ok(()) => println!("bridge: {} is ready", worker.function),
            Err(e) => eprintln!("bridge: warming {} failed: {e}", worker.function),
        }
    }
    let mut tasks = Vec::new();
    for worker in workers {
        let sqs = sqs.clone();
        let options = options.clone();
        println!(
            "bridge: delivering {} to {}",
            worker.queue_url, worker.function
        );
        tasks.push(tokio::spawn(async move {
            loop {
                match pump_once(&sqs, &worker, &options).await {
                    Ok(report) if report.received == 0 => {}
                    Ok(report) => println!(
                        "bridge: {}: {} received, {} deleted, failed {:?}{}",
                        worker.function,
                        report.received,
                        report.deleted,
                        report.failed,
                        report
                            .worker_error
                            .map(|e| format!(", whole batch failed: {e}"))
                            .unwrap_or_default()
                    ),
                    Err(e) => {
                        eprintln!("bridge: {}: {e}", worker.function);
                        tokio::time::sleep(Duration::from_secs(2)).await;
                    }
                }
            }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> InvokeAnswer {
        InvokeAnswer {
            status,
            headers: HashMap::new(),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn workers_are_function_equals_queue_url() {
        let w: Worker = "ocr-worker=http://127.0.0.1:5050/123/q".parse().unwrap();
        assert_eq!(w.function, "ocr-worker");
        assert_eq!(w.queue_url, "http://127.0.0.1:5050/123/q");
        assert!("ocr-worker".parse::<Worker>().is_err());
        assert!("=http://x".parse::<Worker>().is_err());
    }

    #[test]
    fn only_reported_messages_stay_and_a_bad_answer_keeps_them_all() {
        let batch = ["m1", "m2"];
        let failed = failed_ids(
            &answer(200, r#"{"batchItemFailures":[{"itemIdentifier":"m2"}]}"#),
            &batch,
        )
        .unwrap();
        assert_eq!(failed, HashSet::from(["m2".to_string()]));
        for ok in ["", "null", r#"{"batchItemFailures":[]}"#] {
            assert!(failed_ids(&answer(200, ok), &batch).unwrap().is_empty());
        }
        for whole in [
            answer(500, "boom"),
            answer(200, "not json"),
            answer(200, r#"{"errorType":"Panic","errorMessage":"x"}"#),
            answer(200, r#"{"batchItemFailures":[{"itemIdentifier":"other"}]}"#),
            answer(200, r#"{"batchItemFailures":[{"itemIdentifier":""}]}"#),
        ] {
            assert!(failed_ids(&whole, &batch).is_err(), "{whole:?}");
        }
        let mut flagged = answer(200, "{}");
        flagged
            .headers
            .insert("x-amz-function-error".into(), "Unhandled".into());
        assert!(failed_ids(&flagged, &batch).is_err());
    }

    #[test]
    fn responses_are_read_plain_or_chunked() {
        let plain =
            parse_response(b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\nX-A: b\r\n\r\n{}").unwrap();
        assert_eq!((plain.status, plain.body.as_slice()), (200, &b"{}"[..]));
        assert_eq!(plain.headers["x-a"], "b");
        let chunked = parse_response(
            b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\n{\"a\r\n4\r\n\":1}\r\n0\r\n\r\n",
        )
        .unwrap();
        assert_eq!(chunked.body, b"{\"a\":1}");
        assert!(parse_response(b"garbage").is_err());
    }
}
