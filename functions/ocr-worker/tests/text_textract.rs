//! Textract through the real SDK client against the local fake.

#[path = "common/text.rs"]
mod common;

use std::time::Duration;

use aws_sdk_textract::config::retry::RetryConfig;
use aws_sdk_textract::config::timeout::TimeoutConfig;
use aws_sdk_textract::config::{BehaviorVersion, Credentials, Region, SharedCredentialsProvider};
use aws_types::SdkConfig;
use common::{noise, INVOICE};
use ocr_worker::text::textract::{self, MAX_BYTES};
use ocr_worker::text::{Engine, Reader, Source, TextError};
use testkit::fixtures;
use testkit::textract::{line_confidence, FakeTextract};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Static credentials, and one attempt: a retried throttle would only make
/// the tests slower.
fn sdk(operation_timeout: Duration) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("eu-west-1"))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "testing", "testing", None, None, "tests",
        )))
        .retry_config(RetryConfig::standard().with_max_attempts(1))
        .timeout_config(
            TimeoutConfig::builder()
                .operation_timeout(operation_timeout)
                .build(),
        )
        .build()
}

fn reader(fake: &FakeTextract) -> Reader {
    let client = textract::client(&sdk(Duration::from_secs(10)), Some(&fake.endpoint()));
    Reader::new(Engine::Textract(client))
}

/// Some bytes standing for a photo of the invoice.
fn photo() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend(noise(3, 2048));
    bytes
}

#[tokio::test]
async fn lines_come_back_in_reading_order_with_their_confidence() {
    let fake = FakeTextract::start().await;
    let photo = photo();
    fake.answer(&photo, INVOICE);
    let reader = reader(&fake);
    assert_eq!(reader.engine_name(), "textract");
    let text = reader.read(&photo, "image/png").await.unwrap();
    assert_eq!(text.source, Source::Textract);
    assert_eq!(text.pages, 1);
    assert_eq!(text.text, INVOICE.join("\n"));
    let expected =
        (0..INVOICE.len()).map(line_confidence).sum::<f64>() / INVOICE.len() as f64 / 100.0;
    let confidence = text.ocr_confidence.unwrap();
    assert!(
        (confidence - expected).abs() < 1e-4,
        "{confidence} vs {expected}"
    );
    assert_eq!(fake.requests(), 1);
}

#[tokio::test]
async fn the_fake_shuffles_lines_so_the_order_is_the_readers_work() {
    let fake = FakeTextract::start().await;
    let photo = photo();
    fake.answer(&photo, INVOICE);
    let body = format!(r#"{{"Document":{{"Bytes":"{}"}}}}"#, base64_of(&photo));
    let (status, answer) = raw_post(&fake, "Textract.DetectDocumentText", &body).await;
    assert_eq!(status, 200);
    let answer: serde_json::Value = serde_json::from_str(&answer).unwrap();
    let lines: Vec<&str> = answer["Blocks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|block| block["BlockType"] == "LINE")
        .map(|block| block["Text"].as_str().unwrap())
        .collect();
    assert_eq!(lines.len(), INVOICE.len());
    assert_ne!(lines, INVOICE);
    assert_eq!(answer["Blocks"][0]["BlockType"], "PAGE");
}

#[tokio::test]
async fn the_fake_refuses_what_is_not_detect_document_text() {
    let fake = FakeTextract::start().await;
    let (status, answer) = raw_post(&fake, "Textract.AnalyzeDocument", "{}").await;
    assert_eq!(status, 400);
    assert!(answer.contains("UnknownOperationException"), "{answer}");
}

#[tokio::test]
async fn an_unsupported_document_is_permanent() {
    let fake = FakeTextract::start().await;
    let error = reader(&fake)
        .read(&photo(), "image/jpeg")
        .await
        .unwrap_err();
    assert_eq!(
        error,
        TextError::Permanent("This file format cannot be read.".to_string())
    );
}

#[tokio::test]
async fn a_bad_document_is_permanent() {
    let fake = FakeTextract::start().await;
    fake.fail_next(1, "BadDocumentException");
    let error = reader(&fake).read(&photo(), "image/png").await.unwrap_err();
    assert!(matches!(error, TextError::Permanent(_)), "{error:?}");
}

#[tokio::test]
async fn throttling_and_server_errors_are_transient() {
    let fake = FakeTextract::start().await;
    let photo = photo();
    fake.answer(&photo, INVOICE);
    let reader = reader(&fake);
    for error_type in [
        "ThrottlingException",
        "ProvisionedThroughputExceededException",
        "LimitExceededException",
        "InternalServerError",
    ] {
        fake.fail_next(1, error_type);
        let error = reader.read(&photo, "image/png").await.unwrap_err();
        // The service's answer, not a dispatch failure.
        let TextError::Transient(detail) = error else {
            panic!("{error_type}: {error:?}")
        };
        assert!(detail.contains(error_type), "{detail}");
    }
    // One attempt each, then the document reads.
    assert_eq!(fake.requests(), 4);
    assert!(reader.read(&photo, "image/png").await.is_ok());
}

#[tokio::test]
async fn an_answer_that_never_comes_is_transient() {
    let fake = FakeTextract::start().await;
    fake.stall_next();
    let client = textract::client(&sdk(Duration::from_millis(300)), Some(&fake.endpoint()));
    let error = Reader::new(Engine::Textract(client))
        .read(&photo(), "image/png")
        .await
        .unwrap_err();
    assert!(matches!(error, TextError::Transient(_)), "{error:?}");
}

#[tokio::test]
async fn a_file_over_five_megabytes_is_not_sent() {
    let fake = FakeTextract::start().await;
    let error = reader(&fake)
        .read(&vec![0u8; MAX_BYTES + 1], "image/jpeg")
        .await
        .unwrap_err();
    assert_eq!(
        error,
        TextError::Permanent("The file is too large to be read.".to_string())
    );
    assert_eq!(fake.requests(), 0);
}

#[tokio::test]
async fn a_one_page_scan_is_sent_and_a_two_page_scan_is_not() {
    let Some(page) = fixtures::rendered_jpeg(&fixtures::text_pdf(INVOICE)) else {
        eprintln!("skipped: pdftoppm missing");
        return;
    };
    let fake = FakeTextract::start().await;
    let reader = reader(&fake);

    let one_page = fixtures::scanned_pdf(&page);
    fake.answer(&one_page, INVOICE);
    let text = reader.read(&one_page, "application/pdf").await.unwrap();
    assert_eq!(text.source, Source::Textract);
    assert!(text.text.contains("Total TTC 189,90 €"));
    assert_eq!(fake.requests(), 1);

    let two_pages = fixtures::scanned_multi_page_pdf(&[&page, &page]);
    let error = reader
        .read(&two_pages, "application/pdf")
        .await
        .unwrap_err();
    assert_eq!(
        error,
        TextError::Permanent("Scanned PDFs of more than one page cannot be read yet.".to_string())
    );
    assert_eq!(fake.requests(), 1, "the two-page scan was not sent");
}

#[tokio::test]
async fn a_text_pdf_never_reaches_textract() {
    let fake = FakeTextract::start().await;
    let text = reader(&fake)
        .read(&fixtures::text_pdf(INVOICE), "application/pdf")
        .await
        .unwrap();
    assert_eq!(text.source, Source::PdfText);
    assert_eq!(fake.requests(), 0);
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// One request by hand, with a made-up but well-formed signature header.
async fn raw_post(fake: &FakeTextract, target: &str, body: &str) -> (u16, String) {
    let address = fake.endpoint().trim_start_matches("http://").to_string();
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let request = format!(
        "POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: {target}\r\n\
         Content-Type: application/x-amz-json-1.1\r\n\
         Authorization: AWS4-HMAC-SHA256 Credential=testing/20260314/eu-west-1/textract/aws4_request, \
         SignedHeaders=host, Signature=00\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    let status = response[9..12].parse().unwrap();
    let body = response.split_once("\r\n\r\n").unwrap().1.to_string();
    (status, body)
}
