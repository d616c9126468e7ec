//! This function's part of the API document (feature `openapi`, never in
//! the release binary; docs/openapi-design.md, pattern of
//! `functions/settings/src/openapi.rs`): the two checks, public, with the
//! bodies `handlers.rs` builds.

// The stubs only carry their `utoipa::path` attribute: nothing calls them.
#![allow(dead_code)]

use serde_json::json;
use shared::openapi::{fixed, DetailRef};
use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
use utoipa::openapi::{Ref, RefOr, Schema};
use utoipa::{OpenApi, PartialSchema, ToSchema};

const HEALTH: &str = "health";

fn check_word() -> utoipa::openapi::Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(["ok", "error", "not configured"]))
        .build()
}

fn fixed_autotrack_backend() -> utoipa::openapi::Object {
    fixed(json!("autotrack-backend"))
}

fn fixed_healthy() -> utoipa::openapi::Object {
    fixed(json!("healthy"))
}

fn fixed_connected() -> utoipa::openapi::Object {
    fixed(json!("connected"))
}

fn fixed_dynamodb() -> utoipa::openapi::Object {
    fixed(json!("dynamodb"))
}

fn fixed_unhealthy() -> utoipa::openapi::Object {
    fixed(json!("unhealthy"))
}

fn fixed_disconnected() -> utoipa::openapi::Object {
    fixed(json!("disconnected"))
}

fn fixed_error() -> utoipa::openapi::Object {
    fixed(json!("error"))
}

/// One word per dependency (details go to the logs, never to the caller).
#[derive(ToSchema)]
#[schema(as = HealthChecks)]
struct HealthChecks {
    #[schema(schema_with = check_word)]
    table: String,
    #[schema(schema_with = check_word)]
    bucket: String,
    #[schema(schema_with = check_word)]
    ocr_queue: String,
    #[schema(schema_with = check_word)]
    ai_queue: String,
}

fn health_status() -> utoipa::openapi::Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(["healthy", "unhealthy"]))
        .description(Some("`unhealthy` only when the table is unreachable."))
        .build()
}

/// Spec 14.1.
#[derive(ToSchema)]
#[schema(as = Health)]
struct HealthOut {
    #[schema(schema_with = health_status)]
    status: String,
    #[schema(schema_with = fixed_autotrack_backend)]
    service: String,
    version: String,
    checks: HealthChecks,
}

/// Spec 14.2, table reachable.
#[derive(ToSchema)]
#[schema(as = HealthDb)]
struct HealthDbOut {
    #[schema(schema_with = fixed_healthy)]
    status: String,
    #[schema(schema_with = fixed_connected)]
    database: String,
    #[schema(schema_with = fixed_dynamodb)]
    engine: String,
}

/// Spec 14.2, table unreachable.
#[derive(ToSchema)]
#[schema(as = HealthDbDown)]
struct HealthDbDownOut {
    #[schema(schema_with = fixed_unhealthy)]
    status: String,
    #[schema(schema_with = fixed_disconnected)]
    database: String,
    #[schema(schema_with = fixed_error)]
    error: String,
}

/// 503 of the database check: its own body, or the shared one when the
/// request outlives its deadline.
struct HealthDbUnavailable;
impl ToSchema for HealthDbUnavailable {}
impl PartialSchema for HealthDbUnavailable {
    fn schema() -> RefOr<Schema> {
        OneOfBuilder::new()
            .item(Ref::from_schema_name(HealthDbDownOut::name()))
            .item(DetailRef::schema())
            .into()
    }
}

#[utoipa::path(get, path = "/api/health/", tag = HEALTH,
    security((), ("bearer" = [])),
    summary = "Overall health: always 200, one word per dependency",
    responses((status = 200, description = "The checks", body = HealthOut)))]
fn overall() {}

#[utoipa::path(get, path = "/api/health/db/", tag = HEALTH,
    security((), ("bearer" = [])),
    summary = "Database health: 503 when the table is unreachable",
    responses(
        (status = 200, description = "The table answers", body = HealthDbOut),
        (status = 503, description = "The table is unreachable", body = inline(HealthDbUnavailable))))]
fn database() {}

#[derive(OpenApi)]
#[openapi(
    paths(overall, database),
    components(schemas(HealthOut, HealthChecks, HealthDbOut, HealthDbDownOut)),
    tags((name = "health", description = "Health checks (spec 14): public"))
)]
struct Doc;

/// This function's operations at their seed paths.
pub fn openapi() -> utoipa::openapi::OpenApi {
    Doc::openapi()
}

/// No route has a second path.
pub const ALIASES: &[shared::openapi::Alias] = &[];

#[cfg(test)]
mod tests {
    #[test]
    fn the_document_has_both_checks_public() {
        let doc = serde_json::to_value(super::openapi()).unwrap();
        let paths = doc["paths"].as_object().unwrap();
        assert_eq!(paths.len(), 2);
        for path in ["/api/health/", "/api/health/db/"] {
            let security = &doc["paths"][path]["get"]["security"];
            assert_eq!(security[0], serde_json::json!({}), "{path}: public");
        }
        assert_eq!(
            doc["components"]["schemas"]["HealthChecks"]["properties"]
                .as_object()
                .unwrap()
                .len(),
            4
        );
    }
}
