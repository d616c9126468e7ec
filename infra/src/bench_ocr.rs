//! `make bench-ocr`: how long a document takes from `analyze/` to `done`,
//! locally, for a one-page PDF with a text layer, a one-page image read by
//! Tesseract, and the same image through the Textract fake (our own
//! overhead without any OCR).
//!
//! Each run goes the way `make dev` goes, minus the HTTP hops of the local
//! Lambda emulation: the upload and `analyze/` through the documents
//! function's router, the job received from the emulator's SQS queue as
//! the bridge receives it, the worker's `handle` called on it, and the
//! document read back until it is `done`. Reported per case: the median and
//! the maximum of the whole (202 to `done`) and of the worker alone.
//!
//! Usage: bench-ocr [runs]   (AWS_ENDPOINT_URL must be set; default 10)

use std::process::ExitCode;
use std::time::{Duration, Instant};

use documents::DocumentsState;
use ocr_worker::OcrState;
use shared::config::Env;
use shared::jobs::{decode, OcrJob};
use shared::runtime::Delivery;
use testkit::documents::{documents_resources, multipart, sqs, Part};
use testkit::fixtures::SAMPLE_INVOICE as INVOICE;
use testkit::textract::FakeTextract;

type App = testkit::TestApp<DocumentsState>;

struct Case {
    name: &'static str,
    file_name: &'static str,
    bytes: Vec<u8>,
    worker: OcrState,
}

/// The worker's state on the app's table and bucket, with `engine` vars.
async fn worker(app: &App, bucket: &str, engine: &[(&str, String)]) -> Result<OcrState, String> {
    let table = app.state.store.table().to_string();
    let bucket = bucket.to_string();
    let engine: Vec<(String, String)> = engine
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    let env = Env::from_lookup(move |key| match key {
        "TABLE_NAME" => Some(table.clone()),
        "BUCKET_NAME" => Some(bucket.clone()),
        other => engine
            .iter()
            .find(|(k, _)| k == other)
            .map(|(_, v)| v.clone())
            .or_else(|| std::env::var(other).ok()),
    });
    shared::state::start::<OcrState>(env)
        .await
        .map_err(|e| e.to_string())
}

/// One upload, `analyze/`, delivery and reading; (total, worker) times.
async fn run_once(
    app: &App,
    token: &str,
    queue_url: &str,
    case: &Case,
) -> Result<(Duration, Duration), String> {
    let (content_type, body) = multipart(
        &[("title", case.name)],
        Some(Part {
            file_name: case.file_name,
            content_type: None,
            bytes: &case.bytes,
        }),
    );
    let uploaded = app
        .post("/api/documents/")
        .bearer(token)
        .raw(&content_type, &body)
        .send()
        .await;
    let id = uploaded.body["id"]
        .as_str()
        .ok_or_else(|| format!("upload refused: {}", uploaded.text))?
        .to_string();
    let asked = app
        .post(&format!("/api/documents/{id}/analyze/"))
        .bearer(token)
        .send()
        .await;
    if asked.status != 202 {
        return Err(format!(
            "analyze/ answered {}: {}",
            asked.status, asked.text
        ));
    }
    let start = Instant::now();
    let sqs = sqs();
    let message = loop {
        let out = sqs
            .receive_message()
            .queue_url(queue_url)
            .max_number_of_messages(1)
            .wait_time_seconds(1)
            .send()
            .await
            .map_err(|e| format!("receiving: {e:?}"))?;
        if let Some(m) = out.messages().first() {
            break m.clone();
        }
    };
    let job: OcrJob = decode(message.body().unwrap_or_default()).map_err(|e| e.to_string())?;
    let worked = Instant::now();
    ocr_worker::handle(
        case.worker.clone(),
        job,
        Delivery {
            message_id: message.message_id().unwrap_or_default().into(),
            receive_count: 1,
        },
    )
    .await
    .map_err(|e| e.to_string())?;
    let worker_time = worked.elapsed();
    if let Some(handle) = message.receipt_handle() {
        let _ = sqs
            .delete_message()
            .queue_url(queue_url)
            .receipt_handle(handle)
            .send()
            .await;
    }
    let detail = app
        .get(&format!("/api/documents/{id}/"))
        .bearer(token)
        .send()
        .await;
    let total = start.elapsed();
    if detail.body["analysis_status"] != "done" {
        return Err(format!(
            "{}: not done: {}",
            case.name, detail.body["analysis_error"]
        ));
    }
    if detail.body["analysis_data"]["structured_data"]["total_amount"] != "189.90" {
        eprintln!("{}: total not read this time", case.name);
    }
    Ok((total, worker_time))
}

fn median_and_max(mut times: Vec<Duration>) -> (Duration, Duration) {
    times.sort();
    (times[times.len() / 2], times[times.len() - 1])
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

async fn bench(runs: usize) -> Result<(), String> {
    let res = documents_resources().await;
    let app = App::spawn_with(documents::router, |c| {
        c.bucket_name = Some(res.bucket.clone());
        c.ocr_queue_url = Some(res.ocr_queue_url.clone());
    })
    .await;
    let (_, token) = app.signed_in_user("bench").await;
    let pdf = testkit::fixtures::text_pdf(INVOICE);
    let png = testkit::fixtures::rendered_png(&pdf);
    let fake = FakeTextract::start().await;
    let mut cases = vec![Case {
        name: "1-page PDF, text layer",
        file_name: "facture.pdf",
        bytes: pdf.clone(),
        worker: worker(&app, &res.bucket, &[("OCR_ENGINE", "tesseract".into())]).await?,
    }];
    match &png {
        Some(png) => {
            cases.push(Case {
                name: "1-page PNG, Tesseract",
                file_name: "facture.png",
                bytes: png.clone(),
                worker: worker(&app, &res.bucket, &[("OCR_ENGINE", "tesseract".into())]).await?,
            });
            fake.answer(png, INVOICE);
            cases.push(Case {
                name: "1-page PNG, Textract fake",
                file_name: "facture.png",
                bytes: png.clone(),
                worker: worker(
                    &app,
                    &res.bucket,
                    &[
                        ("OCR_ENGINE", "textract".into()),
                        ("TEXTRACT_ENDPOINT_URL", fake.endpoint()),
                    ],
                )
                .await?,
            });
        }
        None => {
            println!("(no pdftoppm: the image cases are skipped; apt-get install poppler-utils)")
        }
    }
    println!("{runs} runs per case, emulator at {}", testkit::endpoint());
    println!(
        "{:<28} {:>16} {:>12} {:>16} {:>12}",
        "case", "analyze→done p50", "max", "worker p50", "max"
    );
    for case in &cases {
        // One unmeasured run: the engine's probe and first connections.
        run_once(&app, &token, &res.ocr_queue_url, case).await?;
        let mut totals = Vec::new();
        let mut workers = Vec::new();
        for _ in 0..runs {
            let (total, worker) = run_once(&app, &token, &res.ocr_queue_url, case).await?;
            totals.push(total);
            workers.push(worker);
        }
        let (t50, tmax) = median_and_max(totals);
        let (w50, wmax) = median_and_max(workers);
        println!(
            "{:<28} {:>16} {:>12} {:>16} {:>12}",
            case.name,
            ms(t50),
            ms(tmax),
            ms(w50),
            ms(wmax)
        );
    }
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    let runs = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(10usize)
        .max(1);
    match bench(runs).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
