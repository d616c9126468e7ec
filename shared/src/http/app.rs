//! The outer layers every HTTP function gets: a request deadline (503 JSON
//! before the Lambda timeout), path segments no route can match refused as
//! a JSON 404 before any handler runs, trailing slash optional, JSON 404 and
//! 405, and a handler panic rendered as a JSON 500.

use std::any::Any;
use std::time::Duration;

use axum::extract::Request;
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;

use crate::error::Error;
use crate::state::FunctionState;

/// The request path as the client sent it (before the trailing slash was
/// dropped for routing); page links are built from it.
#[derive(Clone, Debug)]
pub struct OriginalPath(pub String);

/// Registers `route` under every path of `paths` (seed paths and aliases).
pub fn at<S: Clone + Send + Sync + 'static>(
    router: Router<S>,
    paths: &[&str],
    route: MethodRouter<S>,
) -> Router<S> {
    paths
        .iter()
        .fold(router, |r, path| r.route(path, route.clone()))
}

/// The `main` of every HTTP function: tracing, then the function's state
/// once per cold start (its own sections only; missing settings stop the
/// start with their names), then the router for every request.
pub async fn serve<S: FunctionState>(router: fn(S) -> Router) -> Result<(), lambda_http::Error> {
    init_tracing();
    let state = crate::state::from_env::<S>().await.map_err(|e| {
        tracing::error!("{e}");
        e
    })?;
    lambda_http::run(router(state)).await
}

/// How long one request may take: well under the Lambda timeout (template
/// `Globals.Function.Timeout`: 15 s), so a slow dependency ends in our 503
/// JSON, never in API Gateway's own 503 for a timed-out integration. The SDK
/// timeouts (`state::sdk_config`) keep each call under 3 s, so a request's
/// usual one to three sequential calls fit inside it.
pub const REQUEST_DEADLINE: Duration = Duration::from_secs(10);

/// Longest path segment a route can match: ids are UUIDs (36 characters),
/// the longest literal segment is `validate-reset-token` (20).
pub const MAX_SEGMENT_LEN: usize = 64;

/// Wraps a function's routes (declared without trailing slashes).
pub fn finish(routes: Router) -> Router {
    finish_with_deadline(routes, REQUEST_DEADLINE)
}

/// `finish` with another deadline than `REQUEST_DEADLINE`, for a function
/// whose template timeout is longer (the assistant waits for a model).
pub fn finish_with_deadline(routes: Router, limit: Duration) -> Router {
    let inner = routes
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(CatchPanicLayer::custom(panic_response));
    Router::new()
        .fallback_service(inner)
        .layer(axum::middleware::map_request(normalize_path))
        .layer(axum::middleware::from_fn(refuse_impossible_paths))
        .layer(axum::middleware::from_fn(move |req, next| {
            deadline(limit, req, next)
        }))
}

/// Answers 503 JSON when the request outlives its deadline. Writes
/// are single transactions, so a request cut here left nothing half-written.
async fn deadline(limit: Duration, req: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => Error::Unavailable("request deadline exceeded".into()).into_response(),
    }
}

/// Ids and literal segments only use `[A-Za-z0-9_-]`: a segment that is
/// longer than any of them, or holds any other byte (`%`-escapes included:
/// no id needs one), cannot name anything, so it is a 404 without a
/// DynamoDB call (and a 2 KB id never reaches a key).
async fn refuse_impossible_paths(req: Request, next: Next) -> Response {
    if req.uri().path().split('/').all(possible_segment) {
        next.run(req).await
    } else {
        Error::NotFound(None).into_response()
    }
}

pub fn possible_segment(segment: &str) -> bool {
    segment.len() <= MAX_SEGMENT_LEN
        && segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

async fn normalize_path(mut req: Request) -> Request {
    let path = req.uri().path().to_string();
    req.extensions_mut().insert(OriginalPath(path.clone()));
    if path.len() > 1 && path.ends_with('/') {
        let trimmed = path.trim_end_matches('/');
        let trimmed = if trimmed.is_empty() { "/" } else { trimmed };
        let new_uri = match req.uri().query() {
            Some(q) => format!("{trimmed}?{q}"),
            None => trimmed.to_string(),
        };
        if let Ok(uri) = new_uri.parse() {
            *req.uri_mut() = uri;
        }
    }
    req
}

async fn not_found() -> Response {
    Error::NotFound(None).into_response()
}

async fn method_not_allowed(method: Method) -> Response {
    Error::MethodNotAllowed(method.to_string()).into_response()
}

fn panic_response(_payload: Box<dyn Any + Send + 'static>) -> Response {
    Error::internal("handler panicked").into_response()
}

/// Structured logs for CloudWatch; `RUST_LOG` overrides the level.
pub fn init_tracing() {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;

    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_ansi(false)
        .without_time()
        .with_current_span(false)
        .finish()
        .with(log_filter(std::env::var("RUST_LOG").ok().as_deref()));
    let _ = subscriber.try_init();
}

/// `RUST_LOG` as a level (`debug`) or per-target levels (`shared=debug,warn`),
/// "info" when unset or unreadable. `Targets` rather than `EnvFilter`: the same
/// syntax without span and field filters, and no regex engine in the binaries.
fn log_filter(rust_log: Option<&str>) -> tracing_subscriber::filter::Targets {
    rust_log
        .map(str::trim)
        .filter(|value| !value.is_empty())
        .and_then(|value| value.parse().ok())
        .unwrap_or_else(|| {
            tracing_subscriber::filter::Targets::new()
                .with_default(tracing_subscriber::filter::LevelFilter::INFO)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_log_sets_the_level_and_falls_back_to_info() {
        use tracing::Level;
        use tracing_subscriber::filter::LevelFilter;

        let default = log_filter(None);
        assert_eq!(default.default_level(), Some(LevelFilter::INFO));
        for odd in ["", "  ", "nonsense=level=x", "shared=loud"] {
            assert_eq!(
                log_filter(Some(odd)).default_level(),
                Some(LevelFilter::INFO),
                "{odd:?}"
            );
        }
        assert_eq!(
            log_filter(Some("debug")).default_level(),
            Some(LevelFilter::DEBUG)
        );
        let per_target = log_filter(Some("shared=debug,warn"));
        assert!(per_target.would_enable("shared::store", &Level::DEBUG));
        assert!(!per_target.would_enable("users", &Level::INFO));
        assert!(per_target.would_enable("users", &Level::WARN));
    }

    #[test]
    fn segments_of_every_route_are_possible_and_odd_ones_are_not() {
        for ok in [
            "",
            "api",
            "validate-reset-token",
            "mark_all_as_read",
            "0194b2c4-7a3e-7cc1-9f0a-6b1d2e3f4a5b",
        ] {
            assert!(possible_segment(ok), "{ok}");
        }
        for odd in [
            "a".repeat(MAX_SEGMENT_LEN + 1).as_str(),
            "a.b",
            "..",
            "%2F",
            "%61bc",
            "a%00",
            "caf\u{e9}",
            "a b",
            "a~b",
        ] {
            assert!(!possible_segment(odd), "{odd}");
        }
    }

    async fn call(router: Router, path: &str) -> (u16, serde_json::Value) {
        use http_body_util::BodyExt;
        use tower::ServiceExt;
        let request = axum::http::Request::builder()
            .uri(path)
            .body(axum::body::Body::empty())
            .unwrap();
        let response = router.oneshot(request).await.unwrap();
        let status = response.status().as_u16();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_past_its_deadline_is_a_503_json() {
        let slow = Router::new().route(
            "/api/slow",
            axum::routing::get(|| async {
                tokio::time::sleep(REQUEST_DEADLINE * 3).await;
                "too late"
            }),
        );
        let (status, body) = call(finish(slow), "/api/slow/").await;
        assert_eq!(status, 503);
        assert_eq!(
            body,
            serde_json::json!({"detail": "Service temporarily unavailable, please retry shortly."})
        );
    }

    #[tokio::test]
    async fn impossible_segments_are_a_json_404_before_routing() {
        let routes =
            Router::new().route("/api/things/{id}", axum::routing::get(|| async { "found" }));
        let long = format!("/api/things/{}/", "a".repeat(2048));
        for path in [long.as_str(), "/api/things/a.b/", "/api/things/%2E%2E/"] {
            let (status, body) = call(finish(routes.clone()), path).await;
            assert_eq!(status, 404, "{path}");
            assert_eq!(body, serde_json::json!({"detail": "Not found."}), "{path}");
        }
    }
}
