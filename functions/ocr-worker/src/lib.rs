//! The OCR worker (SQS): reads the text of a document (the PDF's own text
//! layer, else Textract deployed or Tesseract offline), extracts its type
//! and fields, and records the result with the owner's notification and,
//! for an expiry date, a reminder. See `job` for why redelivery is safe.

pub mod extract;
pub mod job;
mod outcome;
mod state;
pub mod text;

pub use job::handle;
pub use state::{EngineChoice, OcrConfig, OcrState};
