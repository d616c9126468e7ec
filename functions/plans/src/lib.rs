//! The `plans` function (spec 9, issue 14): the catalogue of plans with
//! their tier and machine-readable limits. Reads are public (inactive plans
//! exist for staff only); writes are staff's. Seed paths first, with the
//! reference's paths as aliases (`active_plans/`, `by_interval/`).

pub mod handlers;
pub mod input;
#[cfg(feature = "openapi")]
pub mod openapi;
mod state;

use axum::routing::get;
use axum::Router;
use shared::http::app::at;
pub use state::PlansState;

pub fn router(state: PlansState) -> Router {
    let routes = Router::new()
        .route("/api/plans", get(handlers::list).post(handlers::create))
        .route("/api/plans/popular", get(handlers::popular))
        .route(
            "/api/plans/{id}",
            get(handlers::detail)
                .put(handlers::replace)
                .patch(handlers::patch)
                .delete(handlers::delete),
        );
    let routes = at(
        routes,
        &["/api/plans/active", "/api/plans/active_plans"],
        get(handlers::active),
    );
    let routes = at(
        routes,
        &["/api/plans/by-interval", "/api/plans/by_interval"],
        get(handlers::by_interval),
    );
    shared::http::finish(routes.with_state(state))
}
