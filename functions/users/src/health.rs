//! Health (spec 14): the overall check always answers 200 with one line per
//! dependency; the database check answers 503 when the table is unreachable.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};
use shared::auth::PublicRequest;
use shared::AppState;

fn describe<E: std::error::Error>(err: E) -> String {
    format!("error: {}", aws_error_text(&err))
}

fn aws_error_text(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

async fn table_check(state: &AppState) -> Result<Option<i64>, String> {
    state
        .store
        .client()
        .describe_table()
        .table_name(state.store.table())
        .send()
        .await
        .map(|out| out.table.and_then(|t| t.item_count))
        .map_err(describe)
}

async fn bucket_check(state: &AppState) -> String {
    let Some(bucket) = &state.config.bucket_name else {
        return "not configured".into();
    };
    match state.s3.head_bucket().bucket(bucket).send().await {
        Ok(_) => "ok".into(),
        Err(e) => describe(e),
    }
}

async fn queue_check(state: &AppState, url: &Option<String>) -> String {
    let Some(url) = url else {
        return "not configured".into();
    };
    match state.sqs.get_queue_attributes().queue_url(url).send().await {
        Ok(_) => "ok".into(),
        Err(e) => describe(e),
    }
}

pub async fn overall(State(state): State<AppState>, _public: PublicRequest) -> Response {
    let (table, bucket, ocr, ai) = tokio::join!(
        table_check(&state),
        bucket_check(&state),
        queue_check(&state, &state.config.ocr_queue_url),
        queue_check(&state, &state.config.ai_queue_url),
    );
    let healthy = table.is_ok();
    let mut checks = Map::new();
    checks.insert(
        "table".into(),
        Value::from(table.map(|_| "ok".to_string()).unwrap_or_else(|e| e)),
    );
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

pub async fn database(State(state): State<AppState>, _public: PublicRequest) -> Response {
    match table_check(&state).await {
        Ok(items) => Json(json!({
            "status": "healthy",
            "database": "connected",
            "engine": "dynamodb",
            "table": state.store.table(),
            "stats": {"items": items},
        }))
        .into_response(),
        Err(error) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "unhealthy", "database": "disconnected", "error": error})),
        )
            .into_response(),
    }
}
