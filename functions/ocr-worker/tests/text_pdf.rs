//! The PDF text layer.

#[path = "common/text.rs"]
mod common;

use common::{noise, INVOICE};
use ocr_worker::text::pdf::{self, MAX_PAGES};
use ocr_worker::text::{Engine, Reader, Source, TextError};
use testkit::fixtures;

fn reader() -> Reader {
    // No OCR: whatever is read here comes from the text layer.
    Reader::new(Engine::Unavailable("no OCR in these tests".to_string()))
}

fn unreadable() -> TextError {
    TextError::Permanent("The PDF could not be read.".to_string())
}

#[tokio::test]
async fn a_french_invoice_reads_from_its_text_layer_with_its_accents() {
    let text = reader()
        .read(&fixtures::text_pdf(INVOICE), "application/pdf")
        .await
        .unwrap();
    assert_eq!(text.source, Source::PdfText);
    assert_eq!(text.source.as_str(), "pdf_text");
    assert_eq!(text.pages, 1);
    assert_eq!(text.ocr_confidence, None);
    let lines: Vec<&str> = text.text.lines().collect();
    assert_eq!(lines, INVOICE, "{}", text.text);
    for accented in [
        "Véhicule",
        "à huile",
        "Réglé",
        "reçu",
        "N° 2026-0142",
        "189,90 €",
    ] {
        assert!(text.text.contains(accented), "{accented} in {}", text.text);
    }
}

#[tokio::test]
async fn every_page_is_read_in_order() {
    let pages: [&[&str]; 3] = [
        &["Page un : FACTURE N° 2026-0142 du garage Dupont"],
        &["Page deux : détail des pièces, plaquettes et disques"],
        &["Page trois : Total TTC 189,90 € réglé le 14/03/2026"],
    ];
    let text = reader()
        .read(&fixtures::multi_page_text_pdf(&pages), "application/pdf")
        .await
        .unwrap();
    assert_eq!(text.source, Source::PdfText);
    assert_eq!(text.pages, 3);
    let lines: Vec<&str> = text.text.lines().collect();
    assert_eq!(lines, [pages[0][0], pages[1][0], pages[2][0]]);
}

#[tokio::test]
async fn only_the_first_twenty_pages_are_read() {
    let lines: Vec<String> = (1..=25)
        .map(|page| format!("Ceci est la page numéro {page} du carnet d'entretien du véhicule"))
        .collect();
    let pages: Vec<[&str; 1]> = lines.iter().map(|line| [line.as_str()]).collect();
    let pages: Vec<&[&str]> = pages.iter().map(|page| &page[..]).collect();
    let layer = pdf::text_layer(&fixtures::multi_page_text_pdf(&pages))
        .await
        .unwrap();
    assert_eq!(layer.page_count, 25);
    assert_eq!(layer.pages_read, MAX_PAGES);
    assert!(layer.text.contains("page numéro 20 "));
    assert!(!layer.text.contains("page numéro 21 "));
}

#[tokio::test]
async fn a_page_with_a_few_words_is_a_scan() {
    // A scanner's stray text layer ("Scan 001") is not the document.
    let layer = pdf::text_layer(&fixtures::text_pdf(&["Scan 001", "p. 1"]))
        .await
        .unwrap();
    assert!(!layer.is_usable());
    let layer = pdf::text_layer(&fixtures::text_pdf(INVOICE)).await.unwrap();
    assert!(layer.is_usable());
}

#[tokio::test]
async fn an_image_only_pdf_is_scanned() {
    let scan = fixtures::scanned_text_pdf(INVOICE).unwrap_or_else(|| {
        eprintln!("pdftoppm missing: an empty page stands for the scan");
        fixtures::text_pdf(&[])
    });
    let layer = pdf::text_layer(&scan).await.unwrap();
    assert_eq!(layer.page_count, 1);
    assert!(!layer.is_usable(), "{layer:?}");
    // Without an engine, the reason the engine is missing.
    let error = reader().read(&scan, "application/pdf").await.unwrap_err();
    assert_eq!(
        error,
        TextError::Permanent("no OCR in these tests".to_string())
    );
}

#[tokio::test]
async fn a_password_protected_pdf_says_so() {
    let error = reader()
        .read(
            &fixtures::password_protected_pdf(INVOICE),
            "application/pdf",
        )
        .await
        .unwrap_err();
    assert_eq!(
        error,
        TextError::Permanent("The PDF is password-protected.".to_string())
    );
}

#[tokio::test]
async fn a_corrupt_pdf_is_unreadable() {
    let valid = fixtures::text_pdf(INVOICE);
    let mut header_only = b"%PDF-1.7\n".to_vec();
    header_only.extend(noise(7, 4096));
    // Cut before the page tree: lenient parsing recovers what it can, and
    // here there is no page left.
    let truncated = valid[..valid.len() / 4].to_vec();
    for corrupt in [header_only, truncated, b"%PDF-1.4\n%%EOF\n".to_vec()] {
        let error = reader()
            .read(&corrupt, "application/pdf")
            .await
            .unwrap_err();
        assert_eq!(error, unreadable());
    }
}

#[tokio::test]
async fn random_bytes_never_panic() {
    let valid = fixtures::text_pdf(INVOICE);
    for seed in 1..40u64 {
        let mut bytes = noise(seed, 64 + seed as usize * 97);
        if seed % 2 == 0 {
            bytes.splice(..0, b"%PDF-1.5\n".iter().copied());
        }
        let error = reader().read(&bytes, "application/pdf").await.unwrap_err();
        assert_eq!(error, unreadable(), "seed {seed}");
        // A valid PDF with bytes flipped: read or refused, never a panic.
        let mut damaged = valid.clone();
        for (offset, byte) in noise(seed, 8).into_iter().enumerate() {
            let at = (usize::from(byte) * 3 + offset * 101) % damaged.len();
            damaged[at] ^= 0x5A;
        }
        match reader().read(&damaged, "application/pdf").await {
            Ok(_) | Err(TextError::Permanent(_)) => {}
            Err(other) => panic!("seed {seed}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn other_types_are_refused() {
    for mime in ["text/plain", "image/gif", "application/zip", ""] {
        let error = reader().read(b"anything", mime).await.unwrap_err();
        assert_eq!(
            error,
            TextError::Permanent("Analysis is only available for images and PDFs.".to_string())
        );
    }
}

/// One page around `page_entries` (extra entries of the page dictionary)
/// and an optional content stream object 4.
fn one_page_pdf(page_entries: &[u8], content: Option<&[u8]>) -> Vec<u8> {
    let mut pdf = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n\
        2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n\
        3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        .to_vec();
    pdf.extend(page_entries);
    pdf.extend(b" >>\nendobj\n");
    if let Some(content) = content {
        pdf.extend(b"4 0 obj\n");
        pdf.extend(content);
        pdf.extend(b"\nendobj\n");
    }
    pdf.extend(b"trailer\n<< /Root 1 0 R >>\n%%EOF\n");
    pdf
}

#[tokio::test]
async fn deep_nesting_does_not_overflow_the_stack() {
    let depth = 1_000_000;
    let nested = [vec![b'['; depth], vec![b']'; depth]].concat();
    let in_dictionary = one_page_pdf(&[b"/X ".as_slice(), &nested].concat(), None);
    let stream = [b"BT ".as_slice(), &nested, b" TJ ET"].concat();
    let in_content = one_page_pdf(
        b"/Contents 4 0 R",
        Some(
            &[
                format!("<< /Length {} >>\nstream\n", stream.len()).as_bytes(),
                &stream,
                b"\nendstream",
            ]
            .concat(),
        ),
    );
    for pdf in [in_dictionary, in_content] {
        match pdf::text_layer(&pdf).await {
            Ok(layer) => assert!(!layer.is_usable()),
            Err(error) => assert_eq!(error, unreadable()),
        }
    }
}

/// Text, then `padding` spaces, in one Flate content stream.
fn padded_text_pdf(padding: usize) -> Vec<u8> {
    let mut text = b"BT /F1 12 Tf 60 780 Td (Total TTC 189,90 EUR) Tj ET".to_vec();
    text.resize(text.len() + padding, b' ');
    let mut stream = lopdf::Stream::new(lopdf::Dictionary::new(), text);
    stream.compress().unwrap();
    let compressed = stream.content;
    let content = [
        format!(
            "<< /Length {} /Filter /FlateDecode >>\nstream\n",
            compressed.len()
        )
        .as_bytes(),
        &compressed,
        b"\nendstream",
    ]
    .concat();
    let font = b"/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 \
        /BaseFont /Helvetica /Encoding /WinAnsiEncoding >> >> >> /Contents 4 0 R";
    one_page_pdf(font, Some(&content))
}

#[tokio::test]
async fn a_decompression_bomb_is_cut_short() {
    let small = pdf::text_layer(&padded_text_pdf(1024)).await.unwrap();
    assert!(small.text.contains("Total TTC 189,90"), "{small:?}");
    // 64 MiB from about 64 KiB: over the per-page bound, so the page gives
    // no text rather than the memory.
    let bomb = padded_text_pdf(64 << 20);
    assert!(bomb.len() < 1 << 20);
    let layer = pdf::text_layer(&bomb).await.unwrap();
    assert_eq!(layer.text, "");
    assert!(!layer.is_usable());
}
