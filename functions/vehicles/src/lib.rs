//! The `vehicles` function: the signed-in user's vehicles.

mod handlers;
mod input;

use axum::routing::get;
use axum::Router;
use shared::AppState;

pub fn router(state: AppState) -> Router {
    let routes = Router::new()
        .route("/api/vehicles", get(handlers::list).post(handlers::create))
        .route("/api/vehicles/stats", get(handlers::fleet))
        .route(
            "/api/vehicles/{id}",
            get(handlers::detail)
                .put(handlers::replace)
                .patch(handlers::patch)
                .delete(handlers::delete),
        )
        .route("/api/vehicles/{id}/documents", get(handlers::documents))
        .route("/api/vehicles/{id}/diagnostics", get(handlers::diagnostics))
        .with_state(state);
    shared::http::finish(routes)
}
