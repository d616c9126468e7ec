//! The `subscriptions` function (spec 10, issue 14): checkouts through
//! Stripe (or the local simulator), the current subscription's
//! cancellation, reactivation and plan change, the customer portal, the
//! month's usage, and the staff's stats. Seed paths first; the reference's
//! `{id}/...` forms too.

pub mod handlers;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod provider;
mod state;

use axum::routing::{get, post};
use axum::Router;
use shared::http::app::at;
pub use state::SubscriptionsState;

pub fn router(state: SubscriptionsState) -> Router {
    let routes = Router::new()
        .route(
            "/api/subscriptions",
            get(handlers::list).post(handlers::create),
        )
        .route("/api/subscriptions/active", get(handlers::active))
        .route("/api/subscriptions/stats", get(handlers::stats))
        .route("/api/subscriptions/usage", get(handlers::usage))
        .route("/api/subscriptions/cancel", post(handlers::cancel_current))
        .route(
            "/api/subscriptions/reactivate",
            post(handlers::reactivate_current),
        )
        .route(
            "/api/subscriptions/change_plan",
            post(handlers::change_plan_current),
        )
        .route(
            "/api/subscriptions/{id}",
            get(handlers::detail)
                .put(handlers::update)
                .patch(handlers::update)
                .delete(handlers::delete),
        )
        .route("/api/subscriptions/{id}/cancel", post(handlers::cancel))
        .route(
            "/api/subscriptions/{id}/reactivate",
            post(handlers::reactivate),
        )
        .route(
            "/api/subscriptions/{id}/change_plan",
            post(handlers::change_plan),
        );
    let routes = at(
        routes,
        &[
            "/api/subscriptions/billing_portal",
            "/api/subscriptions/portal",
        ],
        post(handlers::billing_portal),
    );
    shared::http::finish(routes.with_state(state))
}
