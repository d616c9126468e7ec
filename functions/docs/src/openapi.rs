//! This function's part of the API document (feature `openapi`; see
//! `functions/settings/src/openapi.rs` for the pattern).

// The stubs only carry their `utoipa::path` attribute: nothing calls them.
#![allow(dead_code)]

use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::OpenApi;

const TAG: &str = "docs";

/// `json`, `yaml`, or empty (`?format=`: the default, JSON), as
/// `schema` reads it.
fn format() -> utoipa::openapi::Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(crate::FORMATS.into_iter().chain([""])))
        .build()
}

/// What `/api/schema/` answers, in either format: an OpenAPI document (its
/// YAML form parses to the same object as the JSON one).
fn document() -> utoipa::openapi::Object {
    let any = || ObjectBuilder::new().schema_type(Type::Object);
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some("This OpenAPI 3.1 document"))
        .property(
            "openapi",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(r"^3\.1\.\d+$")),
        )
        .property("info", any())
        .property("paths", any())
        .property("components", any())
        .required("openapi")
        .required("info")
        .required("paths")
        .build()
}

fn asset_name() -> utoipa::openapi::Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(crate::asset_names()))
        .build()
}

/// The document, in JSON (`application/json`) or YAML
/// (`application/yaml`): the same object.
struct Document;

impl utoipa::PartialSchema for Document {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        document().into()
    }
}

impl utoipa::ToSchema for Document {}

#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct SchemaParams {
    /// `json` (the default; empty means the default) or `yaml`. Another
    /// value is a 400 on `format`.
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
                (inline(Document) = "application/json"),
                (inline(Document) = "application/yaml"))),
        (status = 400, description = "An unknown format: a 400 on `format` (`\"xml\" is not a valid choice.`)",
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
