//! Getting a document's text: PDF text layer, Textract, Tesseract.
