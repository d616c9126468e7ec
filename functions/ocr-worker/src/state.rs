//! What the worker composes: the store, the bucket it reads files from,
//! and the engine that reads images (Textract deployed; Tesseract offline).

use std::sync::Arc;

use shared::config::{DocumentsConfig, Env, StoreConfig};
use shared::documents::DocumentsBucket;
use shared::state::{Aws, FunctionState};
use shared::store::Store;
use tokio::sync::OnceCell;

use crate::text::{self, Engine, Reader, TesseractPaths};

/// Which engine reads images and scanned PDFs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EngineChoice {
    /// Amazon Textract, at its own endpoint or `endpoint_url` (the fake).
    Textract { endpoint_url: Option<String> },
    /// Tesseract on this machine (`make dev`, tests without the fake).
    Tesseract(TesseractPaths),
}

/// The worker's own section: `OCR_ENGINE` (`textract` or `tesseract`),
/// `TEXTRACT_ENDPOINT_URL`, `TESSERACT_CMD`, `PDFTOPPM_CMD`. Unset, the
/// engine is Textract when deployed (no `AWS_ENDPOINT_URL`) or when a
/// Textract endpoint is given, and Tesseract against the emulator.
#[derive(Clone, Debug)]
pub struct OcrConfig {
    pub engine: EngineChoice,
}

impl OcrConfig {
    pub fn read(env: &mut Env) -> Self {
        let chosen = env.optional("OCR_ENGINE");
        let textract_endpoint = env.optional("TEXTRACT_ENDPOINT_URL");
        let emulated = env.optional("AWS_ENDPOINT_URL").is_some();
        let paths = TesseractPaths {
            tesseract: env
                .optional("TESSERACT_CMD")
                .unwrap_or_else(|| "tesseract".into()),
            pdftoppm: env
                .optional("PDFTOPPM_CMD")
                .unwrap_or_else(|| "pdftoppm".into()),
        };
        let textract = match chosen.as_deref() {
            Some("textract") => true,
            Some("tesseract") => false,
            Some(other) => {
                env.problem(format!(
                    "OCR_ENGINE is {other:?} (textract or tesseract expected)"
                ));
                false
            }
            None => !emulated || textract_endpoint.is_some(),
        };
        let engine = if textract {
            EngineChoice::Textract {
                endpoint_url: textract_endpoint,
            }
        } else {
            EngineChoice::Tesseract(paths)
        };
        OcrConfig { engine }
    }
}

#[derive(Clone)]
pub struct OcrState {
    pub store: Store,
    pub bucket: DocumentsBucket,
    engine: EngineChoice,
    textract: Option<aws_sdk_textract::Client>,
    /// Built on first use: the Tesseract probe runs a process.
    reader: Arc<OnceCell<Reader>>,
}

impl std::fmt::Debug for OcrState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OcrState")
            .field("engine", &self.engine)
            .finish_non_exhaustive()
    }
}

pub struct OcrConfigs {
    store: StoreConfig,
    bucket: DocumentsConfig,
    ocr: OcrConfig,
}

impl FunctionState for OcrState {
    type Config = OcrConfigs;

    fn read(env: &mut Env) -> OcrConfigs {
        OcrConfigs {
            store: StoreConfig::read(env),
            bucket: DocumentsConfig::require(env),
            ocr: OcrConfig::read(env),
        }
    }

    fn build(config: OcrConfigs, aws: &Aws) -> Self {
        let textract = match &config.ocr.engine {
            EngineChoice::Textract { endpoint_url } => {
                Some(text::textract::client(aws.sdk(), endpoint_url.as_deref()))
            }
            EngineChoice::Tesseract(_) => None,
        };
        Self {
            store: aws.store(config.store),
            // Required by `read`: a start without it stops before `build`.
            bucket: aws
                .documents(config.bucket)
                .expect("BUCKET_NAME is required"),
            engine: config.ocr.engine,
            textract,
            reader: Arc::new(OnceCell::new()),
        }
    }

    async fn warm_up(&self) {
        self.store.warm_up().await;
        self.reader().await;
    }
}

impl OcrState {
    /// The reader of the configured engine (probed once).
    pub async fn reader(&self) -> &Reader {
        self.reader
            .get_or_init(|| async {
                match (&self.engine, &self.textract) {
                    (EngineChoice::Textract { .. }, Some(client)) => {
                        Reader::new(Engine::Textract(client.clone()))
                    }
                    (EngineChoice::Tesseract(paths), _) => {
                        Reader::new(text::tesseract_engine(paths.clone()).await)
                    }
                    (EngineChoice::Textract { .. }, None) => Reader::new(Engine::Unavailable(
                        "The text recognition service is not configured.".into(),
                    )),
                }
            })
            .await
    }
}

shared::from_ref!(OcrState { store: Store });
