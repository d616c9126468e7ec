//! Health (spec 14): the overall check always answers 200 with one line per
//! dependency; the database check answers 503 when the table is unreachable.
//! Public, so each dependency is only `ok` or `error`: table names, item
//! counts and error chains go to the logs, never to the caller.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};
use shared::auth::PublicRequest;
use shared::jobs::{Job, JobQueue};

use crate::HealthState;

const OK: &str = "ok";
const ERROR: &str = "error";
const NOT_CONFIGURED: &str = "not configured";

/// The check's word for the caller; the error itself goes to the logs.
fn verdict<T, E: std::fmt::Debug>(dependency: &str, result: Result<T, E>) -> &'static str {
    match result {
        Ok(_) => OK,
        Err(e) => {
            tracing::warn!(dependency, error = ?e, "health check failed");
            ERROR
        }
    }
}

async fn table_check(state: &HealthState) -> &'static str {
    let result = state
        .store
        .client()
        .describe_table()
        .table_name(state.store.table())
        .send()
        .await;
    verdict("table", result)
}

async fn bucket_check(state: &HealthState) -> &'static str {
    let Some(bucket) = &state.documents else {
        return NOT_CONFIGURED;
    };
    verdict("bucket", bucket.check().await)
}

async fn queue_check<T: Job>(name: &str, queue: &Option<JobQueue<T>>) -> &'static str {
    let Some(queue) = queue else {
        return NOT_CONFIGURED;
    };
    verdict(name, queue.check().await)
}

pub async fn overall(State(state): State<HealthState>, _public: PublicRequest) -> Response {
    let (table, bucket, ocr, ai) = tokio::join!(
        table_check(&state),
        bucket_check(&state),
        queue_check("ocr_queue", &state.ocr_queue),
        queue_check("ai_queue", &state.ai_queue),
    );
    let healthy = table == OK;
    let mut checks = Map::new();
    checks.insert("table".into(), Value::from(table));
    checks.insert("bucket".into(), Value::from(bucket));
    checks.insert("ocr_queue".into(), Value::from(ocr));
    checks.insert("ai_queue".into(), Value::from(ai));
    Json(json!({
        "status": if healthy { "healthy" } else { "unhealthy" },
        "service": "autotrack-backend",
        "version": env!("CARGO_PKG_VERSION"),
        "checks": checks,
    }))
    .into_response()
}

pub async fn database(State(state): State<HealthState>, _public: PublicRequest) -> Response {
    if table_check(&state).await == OK {
        Json(json!({"status": "healthy", "database": "connected", "engine": "dynamodb"}))
            .into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "unhealthy", "database": "disconnected", "error": ERROR})),
        )
            .into_response()
    }
}
