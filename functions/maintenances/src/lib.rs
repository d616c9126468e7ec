//! The `maintenances` function: maintenance records and plans of the
//! caller's vehicles (spec 4), and the reminders by date and mileage.

mod handlers;
pub(crate) use shared::usecases::maintenance_input as input;
#[cfg(feature = "openapi")]
pub mod openapi;
mod records;
mod reminder_input;
mod reminders;
mod state;

use axum::routing::{get, post};
use axum::Router;
pub use state::MaintenancesState;

pub fn router(state: MaintenancesState) -> Router {
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
        .route(
            "/api/reminders",
            get(reminders::list).post(reminders::create),
        )
        .route("/api/reminders/due", get(reminders::due))
        .route(
            "/api/reminders/{id}",
            get(reminders::detail)
                .put(reminders::replace)
                .patch(reminders::patch)
                .delete(reminders::delete),
        )
        .route("/api/reminders/{id}/complete", post(reminders::complete))
        .with_state(state);
    shared::http::finish(routes)
}
