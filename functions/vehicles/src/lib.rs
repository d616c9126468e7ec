//! The `vehicles` function: the signed-in user's vehicles.

pub mod catalog;
mod handlers;
mod input;
#[cfg(feature = "openapi")]
pub mod openapi;
mod state;

use axum::routing::get;
use axum::Router;
use shared::http::app::at;
pub use state::VehiclesState;

pub fn router(state: VehiclesState) -> Router {
    let mut catalog = Router::new();
    catalog = at(
        catalog,
        &["/api/brands", "/api/vehicles/brands"],
        get(catalog::list_brands).post(catalog::create_brand),
    );
    catalog = at(
        catalog,
        &["/api/brands/{id}", "/api/vehicles/brands/{id}"],
        get(catalog::brand_detail)
            .put(catalog::update_brand)
            .patch(catalog::update_brand)
            .delete(catalog::delete_brand),
    );
    catalog = at(
        catalog,
        &[
            "/api/brands/{id}/models",
            "/api/vehicles/brands/{id}/models",
        ],
        get(catalog::brand_models),
    );
    catalog = at(
        catalog,
        &["/api/models", "/api/vehicles/models"],
        get(catalog::list_models).post(catalog::create_model),
    );
    catalog = at(
        catalog,
        &["/api/models/{id}", "/api/vehicles/models/{id}"],
        get(catalog::model_detail)
            .put(catalog::update_model)
            .patch(catalog::update_model)
            .delete(catalog::delete_model),
    );
    let routes = catalog
        .route("/api/vehicles", get(handlers::list).post(handlers::create))
        .route("/api/vehicles/stats", get(handlers::fleet))
        .route(
            "/api/vehicles/{id}",
            get(handlers::detail)
                .put(handlers::replace)
                .patch(handlers::patch)
                .delete(handlers::delete),
        )
        .route(
            "/api/vehicles/{id}/maintenances",
            get(handlers::maintenances),
        )
        .route("/api/vehicles/{id}/stats", get(handlers::stats))
        .route("/api/vehicles/{id}/documents", get(handlers::documents))
        .route("/api/vehicles/{id}/diagnostics", get(handlers::diagnostics))
        .with_state(state);
    shared::http::finish(routes)
}
