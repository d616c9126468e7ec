//! The `diagnostics` function (spec 6): owners' problem reports on their
//! vehicles, with optional fault codes, symptoms and mileage, each with a
//! thread of replies; a new diagnostic, a reply of its owner or a request
//! queues an AI analysis, which the `ai-worker` answers in the thread.
//! Seed paths first, with the reference's paths as aliases.

pub mod analysis;
pub mod handlers;
pub mod input;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod replies;
mod state;
pub mod views;

use axum::routing::{get, post};
use axum::Router;
use shared::http::app::at;
pub use state::DiagnosticsState;

pub fn router(state: DiagnosticsState) -> Router {
    let routes = Router::new()
        .route(
            "/api/diagnostics",
            get(handlers::list).post(handlers::create),
        )
        .route("/api/diagnostics/pending", get(views::pending))
        .route("/api/diagnostics/completed", get(views::completed))
        .route("/api/diagnostics/stats", get(views::stats))
        .route("/api/diagnostics/by_vehicle", get(views::by_vehicle))
        .route(
            "/api/diagnostics/{id}",
            get(handlers::detail)
                .put(handlers::replace)
                .patch(handlers::patch)
                .delete(handlers::delete),
        )
        .route(
            "/api/diagnostics/{id}/request_ai_analysis",
            post(analysis::request),
        )
        .route("/api/replies", get(replies::list).post(replies::create))
        .route(
            "/api/replies/{id}",
            get(replies::detail)
                .put(replies::replace)
                .patch(replies::patch)
                .delete(replies::delete),
        );
    let routes = at(
        routes,
        &[
            "/api/diagnostics/{id}/reply",
            "/api/diagnostics/{id}/add_reply",
        ],
        post(replies::add),
    );
    shared::http::finish(routes.with_state(state))
}
