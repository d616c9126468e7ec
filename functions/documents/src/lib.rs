//! The `documents` function (spec 7): owners' files in the private bucket,
//! uploaded through the function (multipart, up to 4 MB) or straight to S3
//! with a presigned PUT (up to 10 MB), shown through short-lived links,
//! and analysed by the OCR worker on request. Seed paths first, with the
//! reference's paths as aliases.

pub mod analysis;
mod files;
mod form;
pub mod handlers;
pub mod multipart;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod prefill;
mod state;
pub mod uploads;
pub mod views;

use axum::routing::{get, post};
use axum::Router;
use shared::http::app::at;
pub use state::DocumentsState;

pub fn router(state: DocumentsState) -> Router {
    let routes = Router::new()
        .route("/api/documents", get(handlers::list).post(handlers::create))
        .route("/api/documents/unanalyzed", get(views::unanalyzed))
        .route("/api/documents/stats", get(views::stats))
        .route(
            "/api/documents/batch_analyze",
            post(analysis::batch_analyze),
        )
        .route(
            "/api/documents/{id}",
            get(handlers::detail)
                .put(handlers::replace)
                .patch(handlers::patch)
                .delete(handlers::delete),
        )
        .route("/api/documents/{id}/analyze", post(analysis::analyze));
    let routes = at(
        routes,
        &["/api/documents/by-type", "/api/documents/by_type"],
        get(views::by_type),
    );
    let routes = at(
        routes,
        &["/api/documents/by_vehicle", "/api/documents/by-vehicle"],
        get(views::by_vehicle),
    );
    let routes = at(
        routes,
        &["/api/documents/upload-url", "/api/documents/upload_url"],
        post(uploads::upload_url),
    );
    let routes = at(
        routes,
        &["/api/documents/{id}/file", "/api/documents/{id}/download"],
        get(handlers::file),
    );
    let routes = at(
        routes,
        &[
            "/api/documents/{id}/create_maintenance",
            "/api/documents/{id}/create-maintenance",
        ],
        post(prefill::create_maintenance),
    );
    shared::http::finish(routes.with_state(state))
}
