//! The `garages` function (spec 5): the garage directory, nearby search and
//! reviews, on the seed paths with the reference's paths as aliases
//! (spec 16.1).

pub mod directory;
pub mod finders;
#[cfg(feature = "openapi")]
pub mod openapi;
mod paging;
pub mod reviews;
mod state;

use axum::routing::{get, post};
use axum::Router;
use shared::http::app::at;
pub use state::GaragesState;

pub fn router(state: GaragesState) -> Router {
    let routes = Router::new()
        .route("/api/garages", get(directory::list).post(directory::create))
        .route("/api/garages/top_rated", get(finders::top_rated))
        .route("/api/garages/by_specialty", get(finders::by_specialty))
        .route(
            "/api/garages/{id}",
            get(directory::detail)
                .put(directory::replace)
                .patch(directory::patch)
                .delete(directory::delete),
        )
        .route("/api/garages/{id}/reviews", get(reviews::of_garage))
        .route("/api/reviews", get(reviews::list).post(reviews::create))
        .route(
            "/api/reviews/{id}",
            get(reviews::detail)
                .put(reviews::replace)
                .patch(reviews::patch)
                .delete(reviews::delete),
        );
    let routes = at(
        routes,
        &["/api/garages/nearby", "/api/garages/search_nearby"],
        get(finders::nearby),
    );
    let routes = at(
        routes,
        &["/api/garages/{id}/review", "/api/garages/{id}/add_review"],
        post(reviews::add_to_garage),
    );
    shared::http::finish(routes.with_state(state))
}
