//! This function's part of the OpenAPI document (being written).
