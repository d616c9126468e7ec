//! This function's part of the API document (feature `openapi`, never in
//! the release binary; docs/openapi-design.md). Being written.
