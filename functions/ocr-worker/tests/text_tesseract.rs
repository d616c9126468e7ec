//! Tesseract and pdftoppm on this machine (skipped where absent).

#[path = "common/text.rs"]
mod common;

use std::time::Instant;

use common::INVOICE;
use ocr_worker::text::{tesseract_engine, Engine, Reader, Source, TesseractPaths, TextError};
use testkit::fixtures;

/// The engine, or `None` (and a note) where Tesseract is not installed.
async fn tesseract() -> Option<Reader> {
    match tesseract_engine(TesseractPaths::default()).await {
        engine @ Engine::Tesseract(_) => Some(Reader::new(engine)),
        other => {
            eprintln!("skipped: {other:?}");
            None
        }
    }
}

/// What OCR reads reliably on the invoice.
fn assert_reads_the_invoice(text: &str) {
    for expected in ["2026-0142", "189,90", "14/03/2026", "Total TTC"] {
        assert!(text.contains(expected), "{expected:?} in {text}");
    }
}

#[tokio::test]
async fn a_png_of_an_invoice_is_read() {
    let Some(reader) = tesseract().await else {
        return;
    };
    let Some(png) = fixtures::rendered_png(&fixtures::text_pdf(INVOICE)) else {
        eprintln!("skipped: pdftoppm missing");
        return;
    };
    assert_eq!(reader.engine_name(), "tesseract");
    let started = Instant::now();
    let text = reader.read(&png, "image/png").await.unwrap();
    eprintln!("one PNG page: {:?}", started.elapsed());
    assert_eq!(text.source, Source::Tesseract);
    assert_eq!(text.pages, 1);
    assert_reads_the_invoice(&text.text);
    let confidence = text.ocr_confidence.unwrap();
    assert!(confidence > 0.8 && confidence <= 1.0, "{confidence}");
}

#[tokio::test]
async fn a_scanned_pdf_is_rendered_then_read() {
    let Some(reader) = tesseract().await else {
        return;
    };
    let Some(scan) = fixtures::scanned_text_pdf(INVOICE) else {
        eprintln!("skipped: pdftoppm missing");
        return;
    };
    let started = Instant::now();
    let text = reader.read(&scan, "application/pdf").await.unwrap();
    eprintln!("one scanned PDF page: {:?}", started.elapsed());
    assert_eq!(text.source, Source::Tesseract);
    assert_eq!(text.pages, 1);
    assert_reads_the_invoice(&text.text);
    assert!(text.ocr_confidence.is_some());
}

#[tokio::test]
async fn only_the_first_three_scanned_pages_are_read() {
    let Some(reader) = tesseract().await else {
        return;
    };
    let pages: Vec<Vec<u8>> = (1..=4)
        .filter_map(|page| {
            let line = format!("Page {page} sur 4 du contrôle technique");
            fixtures::rendered_jpeg(&fixtures::text_pdf(&[&line]))
        })
        .collect();
    if pages.len() != 4 {
        eprintln!("skipped: pdftoppm missing");
        return;
    }
    let pages: Vec<&[u8]> = pages.iter().map(Vec::as_slice).collect();
    let text = reader
        .read(&fixtures::scanned_multi_page_pdf(&pages), "application/pdf")
        .await
        .unwrap();
    assert_eq!(text.pages, 3);
    let lines: Vec<&str> = text.text.lines().filter(|line| !line.is_empty()).collect();
    assert_eq!(lines.len(), 3, "{}", text.text);
    for (index, line) in lines.iter().enumerate() {
        assert!(
            line.starts_with(&format!("Page {} sur 4", index + 1)),
            "{line}"
        );
    }
}

#[tokio::test]
async fn bytes_that_are_no_image_are_unreadable() {
    let Some(reader) = tesseract().await else {
        return;
    };
    let error = reader
        .read(b"\x89PNG\r\n\x1a\nnot really", "image/png")
        .await
        .unwrap_err();
    assert_eq!(
        error,
        TextError::Permanent("The image could not be read.".to_string())
    );
}

#[tokio::test]
async fn a_text_pdf_skips_ocr() {
    let Some(reader) = tesseract().await else {
        return;
    };
    let text = reader
        .read(&fixtures::text_pdf(INVOICE), "application/pdf")
        .await
        .unwrap();
    assert_eq!(text.source, Source::PdfText);
}

#[tokio::test]
async fn without_tesseract_the_engine_is_unavailable() {
    let paths = TesseractPaths {
        tesseract: "/nonexistent/bin/tesseract".to_string(),
        ..TesseractPaths::default()
    };
    let engine = tesseract_engine(paths).await;
    let Engine::Unavailable(why) = &engine else {
        panic!("{engine:?}")
    };
    assert!(
        why.contains("tesseract-ocr tesseract-ocr-fra tesseract-ocr-eng"),
        "{why}"
    );
    let reader = Reader::new(engine.clone());
    assert_eq!(reader.engine_name(), "unavailable");
    let error = reader
        .read(b"\xff\xd8\xff", "image/jpeg")
        .await
        .unwrap_err();
    assert_eq!(error, TextError::Permanent(why.clone()));
    // The text layer still reads.
    let text = reader
        .read(&fixtures::text_pdf(INVOICE), "application/pdf")
        .await
        .unwrap();
    assert_eq!(text.source, Source::PdfText);
}

#[tokio::test]
async fn a_tesseract_without_french_is_unavailable() {
    // `true` runs, succeeds and lists no language.
    let paths = TesseractPaths {
        tesseract: "true".to_string(),
        ..TesseractPaths::default()
    };
    assert!(matches!(
        tesseract_engine(paths).await,
        Engine::Unavailable(_)
    ));
}

#[tokio::test]
async fn without_pdftoppm_a_scanned_pdf_says_what_is_missing() {
    let reader = Reader::new(Engine::Tesseract(TesseractPaths {
        pdftoppm: "/nonexistent/bin/pdftoppm".to_string(),
        ..TesseractPaths::default()
    }));
    // A page without text stands for the scan.
    let error = reader
        .read(&fixtures::text_pdf(&[]), "application/pdf")
        .await
        .unwrap_err();
    let TextError::Permanent(message) = error else {
        panic!("{error:?}")
    };
    assert!(message.contains("poppler-utils"), "{message}");
}
