//! The OCR worker: reads a document's text and extracts its fields.

pub mod extract;
pub mod text;
