//! Textract's DetectDocumentText on the document's bytes.

use aws_sdk_textract::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_textract::operation::detect_document_text::DetectDocumentTextError;
use aws_sdk_textract::primitives::Blob;
use aws_sdk_textract::types::{Block, BlockType, Document};

use super::{DocumentText, Source, TextError};

/// DetectDocumentText's limit for inline bytes (S3 objects may be 10 MB,
/// but the worker only sends bytes).
pub const MAX_BYTES: usize = 5 * 1024 * 1024;

pub(crate) const TOO_LARGE: &str = "The file is too large to be read.";
const UNSUPPORTED: &str = "This file format cannot be read.";
const BAD_DOCUMENT: &str = "The document could not be read.";

/// A Textract client from the function's SDK configuration; `endpoint_url`
/// points it elsewhere (the tests' fake).
pub fn client(sdk: &aws_types::SdkConfig, endpoint_url: Option<&str>) -> aws_sdk_textract::Client {
    let mut builder = aws_sdk_textract::config::Builder::from(sdk);
    if let Some(url) = endpoint_url {
        builder = builder.endpoint_url(url);
    }
    aws_sdk_textract::Client::from_conf(builder.build())
}

/// The LINEs of `bytes` (an image or a one-page PDF) in reading order.
pub async fn detect(
    client: &aws_sdk_textract::Client,
    bytes: &[u8],
) -> Result<DocumentText, TextError> {
    if bytes.len() > MAX_BYTES {
        return Err(TextError::permanent(TOO_LARGE));
    }
    let output = client
        .detect_document_text()
        .document(Document::builder().bytes(Blob::new(bytes)).build())
        .send()
        .await
        .map_err(classify)?;
    let pages = output
        .document_metadata()
        .and_then(|metadata| metadata.pages())
        .and_then(|pages| u32::try_from(pages).ok())
        .unwrap_or(1);
    let (text, ocr_confidence) = reading_order(output.blocks());
    Ok(DocumentText {
        text,
        source: Source::Textract,
        pages,
        ocr_confidence,
    })
}

/// LINE blocks by page, then top, then left, one per line; and their mean
/// confidence (0..1). Textract does not promise any order in `Blocks`.
pub fn reading_order(blocks: &[Block]) -> (String, Option<f64>) {
    struct Line<'a> {
        page: i32,
        top: f32,
        left: f32,
        text: &'a str,
    }
    let mut lines = Vec::new();
    let mut confidence_sum = 0.0;
    let mut confidences = 0u32;
    for block in blocks {
        if block.block_type() != Some(&BlockType::Line) {
            continue;
        }
        let Some(text) = block.text() else { continue };
        let bounds = block
            .geometry()
            .and_then(|geometry| geometry.bounding_box());
        lines.push(Line {
            // Synchronous answers may leave Page out: they have one page.
            page: block.page().unwrap_or(1),
            top: bounds.map_or(0.0, |b| b.top()),
            left: bounds.map_or(0.0, |b| b.left()),
            text,
        });
        if let Some(confidence) = block.confidence() {
            confidence_sum += f64::from(confidence);
            confidences += 1;
        }
    }
    lines.sort_by(|a, b| {
        a.page
            .cmp(&b.page)
            .then(a.top.total_cmp(&b.top))
            .then(a.left.total_cmp(&b.left))
    });
    let text = lines
        .iter()
        .map(|line| line.text)
        .collect::<Vec<_>>()
        .join("\n");
    let confidence = (confidences > 0)
        .then(|| (confidence_sum / f64::from(confidences) / 100.0).clamp(0.0, 1.0));
    (text, confidence)
}

fn classify(error: SdkError<DetectDocumentTextError>) -> TextError {
    let detail = DisplayErrorContext(&error).to_string();
    let SdkError::ServiceError(context) = &error else {
        // Timeouts, connection failures, unparseable answers: the call may
        // work next time. (A construction failure is our bug, not the
        // document's: it goes to the dead-letter queue after the retries.)
        return TextError::Transient(detail);
    };
    let status = context.raw().status().as_u16();
    let service_error = context.err();
    tracing::info!(code = ?service_error.code(), status, "Textract refused the document");
    match service_error {
        DetectDocumentTextError::UnsupportedDocumentException(_) => {
            TextError::permanent(UNSUPPORTED)
        }
        DetectDocumentTextError::DocumentTooLargeException(_) => TextError::permanent(TOO_LARGE),
        DetectDocumentTextError::BadDocumentException(_)
        | DetectDocumentTextError::InvalidParameterException(_) => {
            TextError::permanent(BAD_DOCUMENT)
        }
        DetectDocumentTextError::ThrottlingException(_)
        | DetectDocumentTextError::ProvisionedThroughputExceededException(_)
        | DetectDocumentTextError::InternalServerError(_) => TextError::Transient(detail),
        // LimitExceededException (not in this operation's model, so by
        // code), 5xx and 429 are worth retrying. AccessDenied and other
        // surprises are configuration problems, not the document's: retried,
        // then dead-lettered, never blamed on the user.
        _ => TextError::Transient(detail),
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_textract::types::{BoundingBox, Geometry};

    use super::*;

    fn line(text: &str, page: i32, top: f32, left: f32, confidence: f32) -> Block {
        let bounds = BoundingBox::builder()
            .top(top)
            .left(left)
            .width(0.2)
            .height(0.02)
            .build();
        Block::builder()
            .block_type(BlockType::Line)
            .text(text)
            .page(page)
            .confidence(confidence)
            .geometry(Geometry::builder().bounding_box(bounds).build())
            .build()
    }

    #[test]
    fn lines_sort_by_page_then_top_then_left() {
        let word = Block::builder()
            .block_type(BlockType::Word)
            .text("ignored")
            .build();
        let blocks = [
            line("page 2", 2, 0.1, 0.1, 90.0),
            line("right", 1, 0.5, 0.6, 90.0),
            word,
            line("left", 1, 0.5, 0.1, 80.0),
            line("top", 1, 0.1, 0.3, 70.0),
        ];
        let (text, confidence) = reading_order(&blocks);
        assert_eq!(text, "top\nleft\nright\npage 2");
        assert!((confidence.unwrap() - 0.825).abs() < 1e-9);
    }

    #[test]
    fn no_lines_no_confidence() {
        assert_eq!(reading_order(&[]), (String::new(), None));
    }
}
