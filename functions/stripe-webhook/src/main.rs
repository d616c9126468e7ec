//! Lambda entry point.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::http::app::serve(stripe_webhook::router).await
}
