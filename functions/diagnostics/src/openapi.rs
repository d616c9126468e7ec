//! Placeholder: written with the OpenAPI part.
