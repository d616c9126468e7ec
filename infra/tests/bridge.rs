//! The local SQS bridge against the emulator, with a small HTTP server in
//! the test playing the watch server's invoke endpoint: it runs the real
//! batch logic of `shared::runtime` on an OCR job type, failing the job
//! whose document is "fail".

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use infra::aws::tool_sdk_config;
use infra::bridge::{pump_once, warm, BridgeReport, PumpOptions, Worker};
use shared::jobs::{JobQueue, OcrJob};
use shared::runtime::{process_batch, SqsEvent};
use shared::state::SdkTimeouts;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const FUNCTION: &str = "echo-worker";

#[derive(Clone, Copy)]
enum Mode {
    /// Answers the batch response of `process_batch`.
    Batch,
    /// Answers a 500, as an invocation that crashed.
    Broken,
}

/// One invocation seen by the fake: (message id, receive count) per record.
type Seen = Arc<Mutex<Vec<Vec<(String, String)>>>>;

struct FakeWorker {
    url: String,
    seen: Seen,
}

async fn fake_worker(mode: Mode) -> FakeWorker {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen: Seen = Arc::default();
    let record = seen.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            answer(socket, mode, &record).await;
        }
    });
    FakeWorker { url, seen }
}

async fn answer(mut socket: TcpStream, mode: Mode, seen: &Seen) {
    let mut raw = Vec::new();
    let mut buf = [0u8; 4096];
    let (head_end, length) = loop {
        let n = socket.read(&mut buf).await.unwrap();
        assert!(n > 0, "request cut short");
        raw.extend_from_slice(&buf[..n]);
        if let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
            assert!(
                head.starts_with(&format!(
                    "post /2015-03-31/functions/{FUNCTION}/invocations "
                )),
                "{head}"
            );
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .map(|v| v.trim().parse::<usize>().unwrap())
                .unwrap();
            break (end + 4, length);
        }
    };
    while raw.len() < head_end + length {
        let n = socket.read(&mut buf).await.unwrap();
        assert!(n > 0, "body cut short");
        raw.extend_from_slice(&buf[..n]);
    }
    let event: SqsEvent = serde_json::from_slice(&raw[head_end..head_end + length]).unwrap();
    seen.lock().unwrap().push(
        event
            .records
            .iter()
            .map(|r| {
                assert_eq!(r.event_source.as_deref(), Some("aws:sqs"));
                assert!(r
                    .event_source_arn
                    .as_deref()
                    .unwrap()
                    .starts_with("arn:aws:sqs:"));
                assert!(r.receipt_handle.is_some());
                let count = r.attributes.get("ApproximateReceiveCount").cloned();
                (r.message_id.clone().unwrap(), count.unwrap_or_default())
            })
            .collect(),
    );
    let (status, body) = match mode {
        Mode::Batch => {
            let response = process_batch(event, |job: OcrJob, _| async move {
                if job.document_id == "fail" {
                    Err("this document always fails")
                } else {
                    Ok(())
                }
            })
            .await;
            ("200 OK", serde_json::to_string(&response).unwrap())
        }
        Mode::Broken => (
            "500 Internal Server Error",
            r#"{"errorType":"Panic","errorMessage":"worker crashed"}"#.to_string(),
        ),
    };
    let reply = format!(
        "HTTP/1.0 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    socket.write_all(reply.as_bytes()).await.unwrap();
    socket.shutdown().await.unwrap();
}

async fn sqs() -> aws_sdk_sqs::Client {
    let endpoint = std::env::var("AWS_ENDPOINT_URL")
        .expect("AWS_ENDPOINT_URL is not set: run the tests with `make test`");
    aws_sdk_sqs::Client::new(&tool_sdk_config(Some(&endpoint), SdkTimeouts::EMULATOR).await)
}

/// A queue of its own with a 1 s visibility timeout and its dead-letter queue.
async fn queues(sqs: &aws_sdk_sqs::Client, max_receive_count: u32) -> (String, String) {
    let name = format!(
        "bridge-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    );
    infra::queues::create_with_dlq(sqs, &name, max_receive_count, 1)
        .await
        .unwrap()
}

fn options(invoke_url: &str) -> PumpOptions {
    PumpOptions {
        invoke_url: invoke_url.to_string(),
        wait_seconds: 1,
        batch_size: 10,
        invoke_timeout: Duration::from_secs(5),
    }
}

fn job(document_id: &str) -> OcrJob {
    OcrJob {
        document_id: document_id.into(),
        owner_id: "owner-1".into(),
        analysis_id: "analysis-1".into(),
    }
}

/// Pumps until a batch arrives (its visibility timeout ran out) or `within`.
async fn pump_until_received(
    sqs: &aws_sdk_sqs::Client,
    worker: &Worker,
    options: &PumpOptions,
    within: Duration,
) -> BridgeReport {
    let end = Instant::now() + within;
    loop {
        let report = pump_once(sqs, worker, options).await.unwrap();
        if report.received > 0 || Instant::now() > end {
            return report;
        }
    }
}

#[tokio::test]
async fn failed_messages_come_back_then_go_to_the_dead_letter_queue() {
    let sqs = sqs().await;
    let (queue_url, dlq_url) = queues(&sqs, 2).await;
    let jobs = JobQueue::<OcrJob>::new(sqs.clone(), &queue_url);
    jobs.send(&job("first")).await.unwrap();
    let failing = jobs.send(&job("fail")).await.unwrap();
    jobs.send(&job("second")).await.unwrap();
    let fake = fake_worker(Mode::Batch).await;
    let worker = Worker {
        function: FUNCTION.into(),
        queue_url: queue_url.clone(),
    };
    let options = options(&fake.url);

    // One pump: the two good messages are done and deleted, the failing
    // one stays in the queue.
    let first = pump_once(&sqs, &worker, &options).await.unwrap();
    assert_eq!(
        first,
        BridgeReport {
            received: 3,
            deleted: 2,
            failed: vec![failing.clone()],
            worker_error: None,
        }
    );

    // After its visibility timeout it comes back, alone, received twice.
    let second = pump_until_received(&sqs, &worker, &options, Duration::from_secs(5)).await;
    assert_eq!(
        (second.received, second.deleted, second.failed.clone()),
        (1, 0, vec![failing.clone()])
    );
    {
        let seen = fake.seen.lock().unwrap();
        assert_eq!(seen.len(), 2);
        assert_eq!(seen[1], vec![(failing.clone(), "2".to_string())]);
    }

    // Received maxReceiveCount (2) times: the redrive policy moves it to
    // the dead-letter queue instead of delivering it a third time.
    let end = Instant::now() + Duration::from_secs(6);
    let in_dlq = loop {
        let report = pump_once(&sqs, &worker, &options).await.unwrap();
        assert_eq!(report.received, 0, "delivered past maxReceiveCount");
        let dead = sqs
            .receive_message()
            .queue_url(&dlq_url)
            .wait_time_seconds(1)
            .send()
            .await
            .unwrap()
            .messages
            .unwrap_or_default();
        if !dead.is_empty() || Instant::now() > end {
            break dead;
        }
    };
    assert_eq!(
        in_dlq.len(),
        1,
        "the failing message is in the dead-letter queue"
    );
    let body = in_dlq[0].body().unwrap();
    assert_eq!(shared::jobs::decode::<OcrJob>(body).unwrap(), job("fail"));
    assert_eq!(fake.seen.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn a_worker_that_fails_as_a_whole_deletes_nothing() {
    let sqs = sqs().await;
    let (queue_url, _) = queues(&sqs, 5).await;
    let jobs = JobQueue::<OcrJob>::new(sqs.clone(), &queue_url);
    jobs.send(&job("a")).await.unwrap();
    jobs.send(&job("b")).await.unwrap();
    let worker = Worker {
        function: FUNCTION.into(),
        queue_url,
    };

    let broken = fake_worker(Mode::Broken).await;
    let report = pump_once(&sqs, &worker, &options(&broken.url))
        .await
        .unwrap();
    assert_eq!((report.received, report.deleted), (2, 0));
    assert!(report.worker_error.is_some(), "{report:?}");

    // Nobody listening (the watch server is down): nothing deleted either.
    let down = pump_until_received(
        &sqs,
        &worker,
        &options("http://127.0.0.1:9"),
        Duration::from_secs(5),
    )
    .await;
    assert_eq!((down.received, down.deleted), (2, 0));
    assert!(down.worker_error.is_some(), "{down:?}");

    // Both come back and a healthy worker finishes them.
    let healthy = fake_worker(Mode::Batch).await;
    let report = pump_until_received(
        &sqs,
        &worker,
        &options(&healthy.url),
        Duration::from_secs(5),
    )
    .await;
    assert_eq!((report.received, report.deleted), (2, 2), "{report:?}");
    assert!(report.failed.is_empty() && report.worker_error.is_none());
}

#[tokio::test]
async fn warming_invokes_the_worker_with_an_empty_batch() {
    let fake = fake_worker(Mode::Batch).await;
    let worker = Worker {
        function: FUNCTION.into(),
        queue_url: "unused".into(),
    };
    warm(&worker, &fake.url, Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(*fake.seen.lock().unwrap(), vec![Vec::new()]);
    let broken = fake_worker(Mode::Broken).await;
    assert!(warm(&worker, &broken.url, Duration::from_secs(5))
        .await
        .is_err());
}

#[tokio::test]
async fn the_producer_answers_unavailable_when_sqs_is_down() {
    let sdk = tool_sdk_config(Some("http://127.0.0.1:9"), SdkTimeouts::REQUEST).await;
    let jobs = JobQueue::<OcrJob>::new(
        aws_sdk_sqs::Client::new(&sdk),
        "http://127.0.0.1:9/123456789012/nowhere",
    );
    let err = jobs.send(&job("x")).await.unwrap_err();
    assert!(matches!(err, shared::Error::Unavailable(_)), "{err:?}");
}
