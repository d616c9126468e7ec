//! This function's part of the API document (feature `openapi`; see
//! `functions/settings/src/openapi.rs` for the pattern).

// The stubs only carry their `utoipa::path` attribute: nothing calls them.
#![allow(dead_code)]

use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::OpenApi;

const TAG: &str = "docs";

fn format() -> utoipa::openapi::Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(crate::FORMATS))
        .build()
}

fn asset_name() -> utoipa::openapi::Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(crate::asset_names()))
        .build()
}

#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct SchemaParams {
    /// `json` (the default) or `yaml`.
    #[param(schema_with = format, required = false)]
    format: String,
}

#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
struct AssetParams {
    /// One of the page's files, or a licence text of Swagger UI.
    #[param(schema_with = asset_name)]
    asset: String,
}

#[utoipa::path(get, path = "/api/schema/", tag = TAG, security(()),
    summary = "This document (OpenAPI 3.1)",
    params(SchemaParams),
    responses(
        (status = 200, description = "The document",
            content(
                (serde_json::Value = "application/json"),
                (String = "application/yaml"))),
        (status = 400, description = "An unknown format",
            body = inline(std::collections::BTreeMap<String, Vec<String>>))))]
fn schema() {}

#[utoipa::path(get, path = "/api/docs/", tag = TAG, security(()),
    summary = "The docs page (Swagger UI) over this document",
    responses((status = 200, description = "An HTML page", content_type = "text/html", body = String)))]
fn page() {}

#[utoipa::path(get, path = "/api/docs/{asset}/", tag = TAG, security(()),
    summary = "A file of the docs page",
    params(AssetParams),
    responses((status = 200, description = "The file",
        content(
            (String = "text/javascript"),
            (String = "text/css"),
            (String = "text/plain")))))]
fn asset() {}

#[derive(OpenApi)]
#[openapi(
    paths(schema, page, asset),
    tags((name = "docs", description = "This document and its page: public"))
)]
struct Doc;

pub fn openapi() -> utoipa::openapi::OpenApi {
    Doc::openapi()
}
