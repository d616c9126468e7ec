//! The `settings` function (spec 12): one settings item per user, created
//! with the defaults on first access. The reminders run reads it to decide
//! what to send.

mod handlers;
#[cfg(feature = "openapi")]
pub mod openapi;
mod state;

use axum::routing::{get, post};
use axum::Router;
pub use state::SettingsState;

pub fn router(state: SettingsState) -> Router {
    let routes = Router::new()
        .route("/api/settings", get(handlers::list))
        .route(
            "/api/settings/me",
            get(handlers::me)
                .put(handlers::update_me)
                .patch(handlers::update_me),
        )
        .route(
            "/api/settings/update_me",
            axum::routing::put(handlers::update_me).patch(handlers::update_me),
        )
        .route("/api/settings/reset", post(handlers::reset))
        .route(
            "/api/settings/{id}",
            get(handlers::detail)
                .put(handlers::update_one)
                .patch(handlers::update_one),
        )
        .with_state(state);
    shared::http::finish(routes)
}
