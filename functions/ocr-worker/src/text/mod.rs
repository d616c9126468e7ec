//! Getting a document's text: the PDF text layer when there is one, else
//! OCR (Textract in AWS, Tesseract where it is installed).

pub mod pdf;
pub mod tesseract;
pub mod textract;

pub use tesseract::{tesseract_engine, TesseractPaths};

/// Where the text came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    PdfText,
    Textract,
    Tesseract,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::PdfText => "pdf_text",
            Source::Textract => "textract",
            Source::Tesseract => "tesseract",
        }
    }
}

/// The text of a document.
#[derive(Clone, Debug, PartialEq)]
pub struct DocumentText {
    pub text: String,
    pub source: Source,
    /// The pages the text was read from (the text layer reads at most 20,
    /// Tesseract at most 3, Textract 1).
    pub pages: u32,
    /// Mean OCR confidence, 0..1; `None` for the text layer.
    pub ocr_confidence: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// The document cannot be read, retrying will not help; the String is a
    /// short user-facing English message.
    #[error("{0}")]
    Permanent(String),
    /// Worth retrying (throttling, 5xx, timeouts, network); the String is
    /// for logs.
    #[error("transient: {0}")]
    Transient(String),
}

impl TextError {
    pub(crate) fn permanent(message: &str) -> Self {
        TextError::Permanent(message.to_string())
    }
}

pub(crate) const NOT_SUPPORTED: &str = "Analysis is only available for images and PDFs.";
pub(crate) const SCANNED_MULTI_PAGE: &str =
    "Scanned PDFs of more than one page cannot be read yet.";

/// The OCR engine of this deployment.
#[derive(Clone, Debug)]
pub enum Engine {
    Textract(aws_sdk_textract::Client),
    Tesseract(TesseractPaths),
    /// No OCR here; the String says why, for the user.
    Unavailable(String),
}

impl Engine {
    fn name(&self) -> &'static str {
        match self {
            Engine::Textract(_) => "textract",
            Engine::Tesseract(_) => "tesseract",
            Engine::Unavailable(_) => "unavailable",
        }
    }
}

/// Reads documents with the text layer first, then the engine.
#[derive(Clone, Debug)]
pub struct Reader {
    engine: Engine,
}

impl Reader {
    pub fn new(engine: Engine) -> Self {
        Self { engine }
    }

    /// "textract", "tesseract" or "unavailable".
    pub fn engine_name(&self) -> &'static str {
        self.engine.name()
    }

    /// `mime` is the sniffed type: application/pdf, image/png, image/jpeg.
    pub async fn read(&self, bytes: &[u8], mime: &str) -> Result<DocumentText, TextError> {
        match mime {
            "application/pdf" => self.read_pdf(bytes).await,
            "image/png" | "image/jpeg" => self.read_image(bytes).await,
            _ => Err(TextError::permanent(NOT_SUPPORTED)),
        }
    }

    async fn read_pdf(&self, bytes: &[u8]) -> Result<DocumentText, TextError> {
        let layer = pdf::text_layer(bytes).await?;
        if layer.is_usable() {
            return Ok(DocumentText {
                text: layer.text,
                source: Source::PdfText,
                pages: layer.pages_read,
                ocr_confidence: None,
            });
        }
        tracing::debug!(
            pages = layer.page_count,
            "no usable text layer, the PDF is scanned"
        );
        match &self.engine {
            Engine::Textract(client) => {
                // DetectDocumentText reads one page; more needs the
                // asynchronous API and S3, not wired yet.
                if layer.page_count > 1 {
                    return Err(TextError::permanent(SCANNED_MULTI_PAGE));
                }
                textract::detect(client, bytes).await
            }
            Engine::Tesseract(paths) => tesseract::read_pdf(paths, bytes).await,
            Engine::Unavailable(why) => Err(TextError::Permanent(why.clone())),
        }
    }

    async fn read_image(&self, bytes: &[u8]) -> Result<DocumentText, TextError> {
        match &self.engine {
            Engine::Textract(client) => textract::detect(client, bytes).await,
            Engine::Tesseract(paths) => tesseract::read_image(paths, bytes).await,
            Engine::Unavailable(why) => Err(TextError::Permanent(why.clone())),
        }
    }
}
