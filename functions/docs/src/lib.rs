//! The `docs` function: the API's OpenAPI 3.1 document and its docs page,
//! both public and both compiled in (docs/openapi-design.md).
//!
//! - `GET /api/schema/`: `docs/openapi.json`, the document generated from
//!   the functions' code and checked in (a test keeps it equal to the code);
//!   `?format=yaml` answers the same document in YAML.
//! - `GET /api/docs/`: Swagger UI over that document, its files embedded
//!   from the npm package swagger-ui-dist (build.rs), so the page needs no
//!   internet access.

#[cfg(feature = "openapi")]
pub mod openapi;

use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use shared::http::pagination::RequestUrl;
use shared::{Error, Result};

/// The API's document, as checked in.
pub const DOCUMENT: &str = include_str!("../../../docs/openapi.json");

const PAGE: &str = include_str!("index.html");

/// The page's files: `(name, media type, content)`. Names without dots:
/// path segments only use `[A-Za-z0-9_-]` (`shared::http::app`).
const ASSETS: [(&str, &str, &[u8]); 6] = [
    (
        "swagger-ui-bundle-js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/swagger-ui-bundle.js"),
    ),
    (
        "swagger-ui-css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/swagger-ui.css"),
    ),
    (
        "init-js",
        "text/javascript; charset=utf-8",
        include_bytes!("init.js"),
    ),
    (
        "LICENSE",
        "text/plain; charset=utf-8",
        include_bytes!("../assets/LICENSE"),
    ),
    (
        "NOTICE",
        "text/plain; charset=utf-8",
        include_bytes!("../assets/NOTICE"),
    ),
    (
        "bundled-licenses",
        "text/plain; charset=utf-8",
        include_bytes!("../assets/swagger-ui-bundle.js.LICENSE.txt"),
    ),
];

/// The names `GET /api/docs/{asset}` serves.
pub fn asset_names() -> impl Iterator<Item = &'static str> {
    ASSETS.iter().map(|(name, _, _)| *name)
}

/// The formats of `/api/schema/`.
pub const FORMATS: [&str; 2] = ["json", "yaml"];

/// The document could change at each deploy: a short cache.
const DOCUMENT_CACHE: &str = "public, max-age=300";
/// The page's files change only with the pinned version.
const ASSET_CACHE: &str = "public, max-age=86400";

async fn schema(url: RequestUrl) -> Result<Response> {
    match url.param("format") {
        None | Some("") | Some("json") => Ok((
            [
                (CONTENT_TYPE, "application/json"),
                (CACHE_CONTROL, DOCUMENT_CACHE),
            ],
            DOCUMENT,
        )
            .into_response()),
        Some("yaml") => {
            let value: serde_json::Value =
                serde_json::from_str(DOCUMENT).map_err(Error::internal)?;
            let yaml = serde_yaml::to_string(&value).map_err(Error::internal)?;
            Ok((
                [
                    (CONTENT_TYPE, "application/yaml; charset=utf-8"),
                    (CACHE_CONTROL, DOCUMENT_CACHE),
                ],
                yaml,
            )
                .into_response())
        }
        Some(other) => Err(Error::field(
            "format",
            format!("\"{other}\" is not a valid choice."),
        )),
    }
}

async fn page() -> Response {
    (
        [
            (CONTENT_TYPE, "text/html; charset=utf-8"),
            (CACHE_CONTROL, DOCUMENT_CACHE),
        ],
        PAGE,
    )
        .into_response()
}

async fn asset(Path(name): Path<String>) -> Result<Response> {
    let (_, media, body) = ASSETS
        .iter()
        .find(|(asset, _, _)| *asset == name)
        .ok_or(Error::NotFound(None))?;
    Ok((
        [(CONTENT_TYPE, *media), (CACHE_CONTROL, ASSET_CACHE)],
        *body,
    )
        .into_response())
}

pub fn router() -> Router {
    let routes = Router::new()
        .route("/api/schema", get(schema))
        .route("/api/docs", get(page))
        .route("/api/docs/{asset}", get(asset));
    shared::http::finish(routes)
}
