//! The garages function's part of the OpenAPI document (being written).
