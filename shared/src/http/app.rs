//! The outer layers every HTTP function gets: trailing slash optional, JSON
//! 404 and 405, and a handler panic rendered as a JSON 500.

use std::any::Any;

use axum::extract::Request;
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;

use crate::error::Error;

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

/// The `main` of every HTTP function: tracing, configuration and clients
/// once per cold start (a missing setting stops the start with its name),
/// then the router for every request.
pub async fn serve(router: fn(crate::AppState) -> Router) -> Result<(), lambda_http::Error> {
    init_tracing();
    let state = crate::AppState::from_env().await.map_err(|e| {
        tracing::error!("{e}");
        e
    })?;
    lambda_http::run(router(state)).await
}

/// Wraps a function's routes (declared without trailing slashes).
pub fn finish(routes: Router) -> Router {
    let inner = routes
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(CatchPanicLayer::custom(panic_response));
    Router::new()
        .fallback_service(inner)
        .layer(axum::middleware::map_request(normalize_path))
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
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_ansi(false)
        .without_time()
        .with_current_span(false)
        .try_init();
}
