//! Owners' documents.

pub mod multipart;
