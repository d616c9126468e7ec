//! Field extraction from a document's text (pure).
