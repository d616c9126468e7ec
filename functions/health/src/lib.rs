//! The `health` function (spec 14): public checks of the table, the
//! documents bucket and the job queues. It is the one function that links
//! every dependency's client, so the others (the users function above all,
//! on every sign-in) carry and start only their own; later dependency
//! checks (Stripe, spec 14.3) belong here too.

mod handlers;
#[cfg(feature = "openapi")]
pub mod openapi;
mod state;

use axum::routing::get;
use axum::Router;
pub use state::HealthState;

pub fn router(state: HealthState) -> Router {
    let routes = Router::new()
        .route("/api/health", get(handlers::overall))
        .route("/api/health/db", get(handlers::database))
        .with_state(state);
    shared::http::finish(routes)
}
