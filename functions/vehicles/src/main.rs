//! Lambda entry point: configuration and clients once per cold start.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::http::app::init_tracing();
    let state = shared::AppState::from_env().await.map_err(|e| {
        tracing::error!("{e}");
        e
    })?;
    lambda_http::run(vehicles::router(state)).await
}
