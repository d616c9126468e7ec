//! The `notifications` function (spec 8), with the intended behaviour of the
//! endpoints the reference crashes on.

pub mod handlers;
#[cfg(feature = "openapi")]
pub mod openapi;
mod state;

use axum::routing::{get, post};
use axum::Router;
pub use state::NotificationsState;

pub fn router(state: NotificationsState) -> Router {
    let routes = Router::new()
        .route(
            "/api/notifications",
            get(handlers::list).post(handlers::create),
        )
        .route("/api/notifications/unread", get(handlers::unread))
        .route(
            "/api/notifications/unread_count",
            get(handlers::unread_count),
        )
        .route("/api/notifications/stats", get(handlers::stats))
        .route("/api/notifications/by_type", get(handlers::by_type))
        .route(
            "/api/notifications/mark-all-read",
            post(handlers::mark_all_read),
        )
        .route(
            "/api/notifications/mark_all_as_read",
            post(handlers::mark_all_read),
        )
        .route(
            "/api/notifications/delete_all_read",
            axum::routing::delete(handlers::delete_all_read),
        )
        .route(
            "/api/notifications/{id}",
            get(handlers::detail)
                .put(handlers::replace)
                .patch(handlers::patch)
                .delete(handlers::delete),
        )
        .route(
            "/api/notifications/{id}/mark_as_read",
            post(handlers::mark_as_read),
        )
        .route(
            "/api/notifications/{id}/mark_as_unread",
            post(handlers::mark_as_unread),
        )
        .with_state(state);
    shared::http::finish(routes)
}
