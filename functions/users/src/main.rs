//! Lambda entry point: configuration and clients once per cold start, then
//! the router for every request.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::http::app::init_tracing();
    let state = shared::AppState::from_env().await.map_err(|e| {
        tracing::error!("{e}");
        e
    })?;
    lambda_http::run(users::router(state)).await
}
