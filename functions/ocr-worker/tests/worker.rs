//! The worker end to end against the emulator: documents stored as the
//! documents function stores them, jobs handled as Lambda delivers them,
//! Textract replaced by its local fake, Tesseract used where installed.

#[path = "common/text.rs"]
mod text;

use serde_json::json;
use shared::domain::documents::{status, Document, StoredFile};
use shared::domain::notifications::Notification;
use shared::jobs::OcrJob;
use shared::runtime::Delivery;
use shared::store::keys;
use testkit::documents::{documents_resources, put_object, DocumentsResources};
use testkit::fixtures;
use testkit::textract::FakeTextract;

type TestApp = testkit::TestApp<ocr_worker::OcrState>;

struct Worker {
    app: TestApp,
    res: DocumentsResources,
}

/// The worker with Tesseract (the default against the emulator).
async fn tesseract_worker() -> Worker {
    let res = documents_resources().await;
    let app = TestApp::spawn_with(
        |_| axum::Router::new(),
        |c| {
            c.bucket_name = Some(res.bucket.clone());
            c.extra.push(("OCR_ENGINE", "tesseract".into()));
        },
    )
    .await;
    Worker { app, res }
}

/// The worker with Textract at the fake.
async fn textract_worker() -> (Worker, FakeTextract) {
    let fake = FakeTextract::start().await;
    let res = documents_resources().await;
    let endpoint = fake.endpoint();
    let app = TestApp::spawn_with(
        |_| axum::Router::new(),
        |c| {
            c.bucket_name = Some(res.bucket.clone());
            c.extra.push(("TEXTRACT_ENDPOINT_URL", endpoint.clone()));
        },
    )
    .await;
    (Worker { app, res }, fake)
}

fn tesseract_installed() -> bool {
    let out = std::process::Command::new("tesseract")
        .arg("--list-langs")
        .output();
    match out {
        Ok(out) => {
            let langs = String::from_utf8_lossy(&out.stdout).to_string()
                + &String::from_utf8_lossy(&out.stderr);
            langs.lines().any(|l| l.trim() == "fra") && langs.lines().any(|l| l.trim() == "eng")
        }
        Err(_) => false,
    }
}

fn delivery(count: u32) -> Delivery {
    Delivery {
        message_id: "m-1".into(),
        receive_count: count,
    }
}

impl Worker {
    /// A document stored with its object, as an upload leaves it.
    async fn document(
        &self,
        owner_id: &str,
        bytes: Vec<u8>,
        mime: &str,
        kind: &str,
        vehicle: Option<&shared::domain::vehicles::Vehicle>,
    ) -> Document {
        let id = uuid::Uuid::now_v7().to_string();
        let key = keys::document_object(owner_id, &id, "f1", "bin");
        let size = bytes.len() as i64;
        put_object(&self.res.bucket, &key, bytes).await;
        let document = Document::new(
            id,
            owner_id,
            vehicle.map(|v| v.id.clone()),
            "Mon document".into(),
            None,
            kind.into(),
            StoredFile {
                key,
                name: "scan".into(),
                size,
                mime_type: mime.into(),
            },
        );
        self.app
            .state
            .store
            .documents()
            .create(&document, vehicle, None, None)
            .await
            .unwrap();
        document
    }

    /// Marks the document queued for a new analysis, as `analyze/` does.
    async fn queue(&self, document: &Document) -> OcrJob {
        let documents = self.app.state.store.documents();
        let before = documents
            .get(&document.owner_id, &document.id)
            .await
            .unwrap()
            .unwrap();
        let analysis_id = uuid::Uuid::new_v4().to_string();
        let mut after = before.clone();
        after.analysis_status = status::QUEUED.into();
        after.analysis_id = Some(analysis_id.clone());
        documents
            .save(&before, &mut after, Vec::new())
            .await
            .unwrap();
        OcrJob {
            document_id: document.id.clone(),
            owner_id: document.owner_id.clone(),
            analysis_id,
        }
    }

    async fn run(&self, job: &OcrJob, count: u32) -> Result<(), shared::Error> {
        ocr_worker::handle(self.app.state.clone(), job.clone(), delivery(count)).await
    }

    async fn reload(&self, document: &Document) -> Document {
        self.app
            .state
            .store
            .documents()
            .get(&document.owner_id, &document.id)
            .await
            .unwrap()
            .unwrap()
    }

    async fn notifications(&self, owner_id: &str) -> Vec<Notification> {
        self.app
            .state
            .store
            .notifications()
            .inbox(owner_id)
            .await
            .unwrap()
            .notifications
    }
}

#[tokio::test]
async fn a_text_pdf_is_read_from_its_text_layer_with_total_and_date() {
    let w = tesseract_worker().await;
    let (user, _) = w.app.signed_in_user("pdf").await;
    let pdf = fixtures::text_pdf(text::INVOICE);
    let doc = w
        .document(&user.id, pdf, "application/pdf", "other", None)
        .await;
    let job = w.queue(&doc).await;
    w.run(&job, 1).await.unwrap();
    let done = w.reload(&doc).await;
    assert_eq!(done.analysis_status, status::DONE);
    assert!(done.is_analyzed);
    assert!(done.analyzed_at.is_some());
    assert_eq!(done.analysis_error, None);
    let data = &done.analysis_data;
    assert_eq!(data["status"], "success");
    assert_eq!(data["source"], "pdf_text");
    assert_eq!(data["document_type"], "invoice");
    assert_eq!(data["structured_data"]["total_amount"], "189.90");
    assert_eq!(data["structured_data"]["date"], "2026-03-14");
    assert_eq!(data["structured_data"]["invoice_number"], "2026-0142");
    assert_eq!(data["suggested_maintenance"]["cost"], "189.90");
    assert!(data["confidence"].as_f64().unwrap() > 0.5);
    // The owner left the type at `other`: the detected one is used, the
    // owner's choice is kept.
    assert_eq!(done.document_type, "other");
    assert_eq!(done.effective_type(), "invoice");
    let text = w
        .app
        .state
        .store
        .documents()
        .text(&user.id, &doc.id)
        .await
        .unwrap()
        .unwrap();
    assert!(text.contains("Total TTC 189,90"), "{text}");
    assert!(
        done.search_text.contains("garage dupont"),
        "{}",
        done.search_text
    );
    let notes = w.notifications(&user.id).await;
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].notification_type, "success");
    assert!(notes[0].message.contains("189.90"), "{}", notes[0].message);
    assert_eq!(notes[0].metadata["document_id"], doc.id.as_str());
}

#[tokio::test]
async fn redelivery_stale_and_deleted_jobs_do_nothing_more() {
    let w = tesseract_worker().await;
    let (user, _) = w.app.signed_in_user("again").await;
    let doc = w
        .document(
            &user.id,
            fixtures::text_pdf(text::INVOICE),
            "application/pdf",
            "invoice",
            None,
        )
        .await;
    let job = w.queue(&doc).await;
    w.run(&job, 1).await.unwrap();
    let first = w.reload(&doc).await;
    // The same message again: acknowledged, nothing changes.
    w.run(&job, 2).await.unwrap();
    let second = w.reload(&doc).await;
    assert_eq!(first.version, second.version);
    assert_eq!(w.notifications(&user.id).await.len(), 1);
    // A newer request supersedes an older job still in the queue.
    let newer = w.queue(&doc).await;
    w.run(&job, 1).await.unwrap();
    assert_eq!(w.reload(&doc).await.analysis_status, status::QUEUED);
    w.run(&newer, 1).await.unwrap();
    assert_eq!(w.reload(&doc).await.analysis_status, status::DONE);
    assert_eq!(w.notifications(&user.id).await.len(), 2);
    // A document deleted before its job runs.
    let gone = w
        .document(
            &user.id,
            fixtures::text_pdf(text::INVOICE),
            "application/pdf",
            "invoice",
            None,
        )
        .await;
    let gone_job = w.queue(&gone).await;
    let stored = w.reload(&gone).await;
    w.app
        .state
        .store
        .documents()
        .delete(&stored, None)
        .await
        .unwrap();
    w.run(&gone_job, 1).await.unwrap();
}

#[tokio::test]
async fn an_unreadable_document_fails_for_good_and_is_acknowledged() {
    let w = tesseract_worker().await;
    let (user, _) = w.app.signed_in_user("broken").await;
    let mut corrupt = b"%PDF-1.7\n".to_vec();
    corrupt.extend(text::noise(7, 4000));
    let doc = w
        .document(&user.id, corrupt, "application/pdf", "invoice", None)
        .await;
    let job = w.queue(&doc).await;
    w.run(&job, 1).await.unwrap();
    let failed = w.reload(&doc).await;
    assert_eq!(failed.analysis_status, status::FAILED);
    assert!(!failed.is_analyzed);
    assert!(failed.analysis_error.is_some());
    assert_eq!(failed.analysis_data["status"], "error");
    assert_eq!(failed.analysis_data["confidence"], 0.0);
    let notes = w.notifications(&user.id).await;
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].notification_type, "warning");
    // A Word file queued anyway (batch_analyze does not check types).
    let word = w
        .document(
            &user.id,
            testkit::samples::doc(),
            "application/msword",
            "other",
            None,
        )
        .await;
    let job = w.queue(&word).await;
    w.run(&job, 1).await.unwrap();
    let failed = w.reload(&word).await;
    assert_eq!(failed.analysis_status, status::FAILED);
    assert_eq!(
        failed.analysis_error.as_deref(),
        Some("Analysis is only available for images and PDFs.")
    );
}

#[tokio::test]
async fn an_image_goes_through_textract_with_lines_in_reading_order() {
    let (w, fake) = textract_worker().await;
    let (user, _) = w.app.signed_in_user("textract").await;
    let png = testkit::samples::png();
    fake.answer(&png, text::INVOICE);
    let doc = w
        .document(&user.id, png, "image/png", "invoice", None)
        .await;
    let job = w.queue(&doc).await;
    w.run(&job, 1).await.unwrap();
    let done = w.reload(&doc).await;
    assert_eq!(
        done.analysis_status,
        status::DONE,
        "{:?}",
        done.analysis_error
    );
    assert_eq!(done.analysis_data["source"], "textract");
    assert_eq!(
        done.analysis_data["structured_data"]["total_amount"],
        "189.90"
    );
    assert!(done.analysis_data["ocr_confidence"].as_f64().unwrap() > 0.5);
    let text = w
        .app
        .state
        .store
        .documents()
        .text(&user.id, &doc.id)
        .await
        .unwrap()
        .unwrap();
    assert!(text.starts_with("GARAGE DUPONT"), "{text}");
    assert_eq!(fake.requests(), 1);
}

#[tokio::test]
async fn textract_throttling_is_retried_then_recorded_on_the_last_delivery() {
    let (w, fake) = textract_worker().await;
    let (user, _) = w.app.signed_in_user("busy").await;
    let png = testkit::samples::png();
    fake.answer(&png, text::INVOICE);
    let doc = w
        .document(&user.id, png, "image/png", "invoice", None)
        .await;
    let job = w.queue(&doc).await;
    // Throttled through the SDK's own retries: the message comes back.
    fake.fail_next(10, "ThrottlingException");
    let err = w.run(&job, 1).await.unwrap_err();
    assert!(matches!(err, shared::Error::Unavailable(_)), "{err:?}");
    assert_eq!(w.reload(&doc).await.analysis_status, status::PROCESSING);
    assert!(w.notifications(&user.id).await.is_empty());
    // The next delivery finds Textract well (once the scripted failures
    // the SDK did not use up are spent).
    let mut attempts = 0;
    while w.run(&job, 2).await.is_err() {
        attempts += 1;
        assert!(attempts < 10, "the fake kept failing");
    }
    assert_eq!(w.reload(&doc).await.analysis_status, status::DONE);
    // On the queue's last delivery a transient failure is recorded, and
    // the message still reported (it goes to the dead-letter queue).
    let other = w
        .document(
            &user.id,
            testkit::samples::png(),
            "image/png",
            "invoice",
            None,
        )
        .await;
    let job = w.queue(&other).await;
    fake.fail_next(10, "InternalServerError");
    assert!(w.run(&job, ocr_worker::job::MAX_RECEIVES).await.is_err());
    let failed = w.reload(&other).await;
    assert_eq!(failed.analysis_status, status::FAILED);
    assert!(failed.analysis_error.unwrap().contains("try again"));
}

#[tokio::test]
async fn textract_refusing_a_document_fails_it() {
    let (w, _fake) = textract_worker().await;
    let (user, _) = w.app.signed_in_user("refused").await;
    // Bytes the fake was not told about: UnsupportedDocumentException.
    let doc = w
        .document(
            &user.id,
            testkit::samples::jpeg(),
            "image/jpeg",
            "other",
            None,
        )
        .await;
    let job = w.queue(&doc).await;
    w.run(&job, 1).await.unwrap();
    let failed = w.reload(&doc).await;
    assert_eq!(failed.analysis_status, status::FAILED);
    assert_eq!(
        failed.analysis_error.as_deref(),
        Some("This file format cannot be read.")
    );
}

#[tokio::test]
async fn an_image_is_read_by_tesseract_offline() {
    if !tesseract_installed() {
        eprintln!(
            "SKIPPED: tesseract with fra+eng is not installed \
             (apt-get install tesseract-ocr tesseract-ocr-fra tesseract-ocr-eng poppler-utils)"
        );
        return;
    }
    let w = tesseract_worker().await;
    let (user, _) = w.app.signed_in_user("tess").await;
    let png = fixtures::rendered_png(&fixtures::text_pdf(text::INVOICE)).expect("pdftoppm");
    let doc = w
        .document(&user.id, png, "image/png", "invoice", None)
        .await;
    let job = w.queue(&doc).await;
    w.run(&job, 1).await.unwrap();
    let done = w.reload(&doc).await;
    assert_eq!(
        done.analysis_status,
        status::DONE,
        "{:?}",
        done.analysis_error
    );
    assert_eq!(done.analysis_data["source"], "tesseract");
    assert_eq!(
        done.analysis_data["structured_data"]["total_amount"],
        "189.90"
    );
}

const INSURANCE: &[&str] = &[
    "ATTESTATION D'ASSURANCE",
    "Assureur : MAAF Assurances",
    "Numéro de contrat : 123456789",
    "Véhicule assuré : Peugeot 208 AB-123-CD",
    "Période de validité du 01/01/2026 au 31/12/2027",
];

#[tokio::test]
async fn an_expiry_date_creates_one_reminder_that_a_new_reading_moves() {
    let w = tesseract_worker().await;
    let (user, _) = w.app.signed_in_user("insured").await;
    let car = w.app.store_vehicle(&user.id, "Peugeot", 10_000).await;
    let doc = w
        .document(
            &user.id,
            fixtures::text_pdf(INSURANCE),
            "application/pdf",
            "insurance",
            Some(&car),
        )
        .await;
    let job = w.queue(&doc).await;
    w.run(&job, 1).await.unwrap();
    let done = w.reload(&doc).await;
    assert_eq!(
        done.analysis_status,
        status::DONE,
        "{:?}",
        done.analysis_error
    );
    assert_eq!(done.analysis_data["expires_on"], "2027-12-31");
    let reminder_id = done.reminder_id.clone().expect("a reminder");
    assert_eq!(done.analysis_data["reminder_id"], reminder_id.as_str());
    let reminder = w
        .app
        .stored_reminder(&user.id, &reminder_id)
        .await
        .expect("stored");
    assert_eq!(reminder.vehicle_id, car.id);
    assert_eq!(
        reminder.due_date.unwrap().date_naive().to_string(),
        "2027-12-31"
    );
    assert!(reminder.alert_at.is_some());
    assert_eq!(
        w.app
            .stored_vehicle(&user.id, &car.id)
            .await
            .active_reminders,
        1
    );
    // Analysed again: the same reminder, still one active.
    let again = w.queue(&doc).await;
    w.run(&again, 1).await.unwrap();
    assert_eq!(
        w.reload(&doc).await.reminder_id.as_deref(),
        Some(reminder_id.as_str())
    );
    assert_eq!(
        w.app
            .stored_vehicle(&user.id, &car.id)
            .await
            .active_reminders,
        1
    );
    // An attestation that already expired makes none.
    let expired: Vec<&str> = vec![
        "ATTESTATION D'ASSURANCE",
        "Assureur : MAIF",
        "Période de validité du 01/01/2020 au 31/12/2020",
    ];
    let old = w
        .document(
            &user.id,
            fixtures::text_pdf(&expired),
            "application/pdf",
            "insurance",
            Some(&car),
        )
        .await;
    let job = w.queue(&old).await;
    w.run(&job, 1).await.unwrap();
    let old = w.reload(&old).await;
    assert_eq!(old.analysis_status, status::DONE);
    assert_eq!(old.reminder_id, None);
    assert_eq!(
        w.app
            .stored_vehicle(&user.id, &car.id)
            .await
            .active_reminders,
        1
    );
}

#[tokio::test]
async fn a_scanned_pdf_of_several_pages_fails_with_textract_and_reads_with_tesseract() {
    let Some(jpeg) = fixtures::rendered_jpeg(&fixtures::text_pdf(text::INVOICE)) else {
        eprintln!("SKIPPED: pdftoppm is not installed (apt-get install poppler-utils)");
        return;
    };
    let scanned = fixtures::scanned_multi_page_pdf(&[&jpeg, &jpeg]);
    let (w, fake) = textract_worker().await;
    let (user, _) = w.app.signed_in_user("scans").await;
    let doc = w
        .document(
            &user.id,
            scanned.clone(),
            "application/pdf",
            "invoice",
            None,
        )
        .await;
    let job = w.queue(&doc).await;
    w.run(&job, 1).await.unwrap();
    let failed = w.reload(&doc).await;
    assert_eq!(failed.analysis_status, status::FAILED);
    assert_eq!(fake.requests(), 0);
    if !tesseract_installed() {
        eprintln!("SKIPPED: tesseract with fra+eng is not installed");
        return;
    }
    let t = tesseract_worker().await;
    let (user, _) = t.app.signed_in_user("scans2").await;
    let doc = t
        .document(&user.id, scanned, "application/pdf", "invoice", None)
        .await;
    let job = t.queue(&doc).await;
    t.run(&job, 1).await.unwrap();
    let done = t.reload(&doc).await;
    assert_eq!(
        done.analysis_status,
        status::DONE,
        "{:?}",
        done.analysis_error
    );
    assert_eq!(done.analysis_data["source"], "tesseract");
    assert_eq!(done.analysis_data["pages"], json!(2));
}

#[tokio::test]
async fn a_batch_reports_only_its_poison_and_failing_messages() {
    let (w, fake) = textract_worker().await;
    let (user, _) = w.app.signed_in_user("batch").await;
    let good = w
        .document(
            &user.id,
            fixtures::text_pdf(text::INVOICE),
            "application/pdf",
            "invoice",
            None,
        )
        .await;
    let good_job = w.queue(&good).await;
    let busy = w
        .document(
            &user.id,
            testkit::samples::png(),
            "image/png",
            "invoice",
            None,
        )
        .await;
    let busy_job = w.queue(&busy).await;
    fake.fail_next(10, "ThrottlingException");
    let record = |id: &str, body: String| {
        json!({
            "messageId": id,
            "receiptHandle": format!("rh-{id}"),
            "body": body,
            "attributes": {"ApproximateReceiveCount": "1"},
            "eventSource": "aws:sqs"
        })
    };
    let event: shared::runtime::SqsEvent = serde_json::from_value(json!({"Records": [
        record("good", shared::jobs::encode(&good_job).unwrap()),
        record("poison", "{\"kind\":\"ocr\",\"v\":2}".into()),
        record("busy", shared::jobs::encode(&busy_job).unwrap()),
    ]}))
    .unwrap();
    let state = w.app.state.clone();
    let response = shared::runtime::process_batch(event, |job: OcrJob, delivery| {
        ocr_worker::handle(state.clone(), job, delivery)
    })
    .await;
    assert_eq!(
        serde_json::to_value(&response).unwrap(),
        json!({"batchItemFailures": [{"itemIdentifier": "poison"}, {"itemIdentifier": "busy"}]})
    );
    assert_eq!(w.reload(&good).await.analysis_status, status::DONE);
    assert_eq!(w.reload(&busy).await.analysis_status, status::PROCESSING);
}
