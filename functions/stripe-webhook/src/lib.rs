//! The `stripe-webhook` function (spec 11, issue 14): Stripe's deliveries
//! at `POST /api/webhooks/stripe/` (alias `/api/stripe/`), public and
//! signature-checked, applied exactly once (`shared::usecases::
//! stripe_events`); and the staff's read-only view of the events stored
//! (`/api/webhooks/events/...`, alias `/api/events/...`) with `retry/`.

pub mod events;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod receive;
mod state;

use axum::routing::{get, post};
use axum::Router;
use shared::http::app::at;
pub use state::WebhookState;

pub fn router(state: WebhookState) -> Router {
    let routes = at(
        Router::new(),
        &["/api/webhooks/stripe", "/api/stripe"],
        post(receive::receive),
    );
    let routes = at(
        routes,
        &["/api/webhooks/events", "/api/events"],
        get(events::list),
    );
    let routes = at(
        routes,
        &[
            "/api/webhooks/events/unprocessed",
            "/api/events/unprocessed",
        ],
        get(events::unprocessed),
    );
    let routes = at(
        routes,
        &["/api/webhooks/events/errors", "/api/events/errors"],
        get(events::errors),
    );
    let routes = at(
        routes,
        &["/api/webhooks/events/{id}", "/api/events/{id}"],
        get(events::detail),
    );
    let routes = at(
        routes,
        &["/api/webhooks/events/{id}/retry", "/api/events/{id}/retry"],
        post(events::retry),
    );
    shared::http::finish(routes.with_state(state))
}
