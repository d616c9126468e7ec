//! The `maintenances` function: maintenance records and plans of the
//! caller's vehicles (spec 4).

mod handlers;
mod input;

use axum::routing::get;
use axum::Router;
use shared::AppState;

pub fn router(state: AppState) -> Router {
    let routes = Router::new()
        .route(
            "/api/maintenances",
            get(handlers::list).post(handlers::create),
        )
        .route("/api/maintenances/upcoming", get(handlers::upcoming))
        .route("/api/maintenances/overdue", get(handlers::overdue))
        .route("/api/maintenances/stats", get(handlers::stats))
        .route("/api/maintenances/recent", get(handlers::recent))
        .route("/api/maintenances/by_vehicle", get(handlers::by_vehicle))
        .route(
            "/api/maintenances/{id}",
            get(handlers::detail)
                .put(handlers::replace)
                .patch(handlers::patch)
                .delete(handlers::delete),
        )
        .with_state(state);
    shared::http::finish(routes)
}
