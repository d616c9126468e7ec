//! Written with the OpenAPI part.
