//! Lambda entry point.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::http::app::serve(subscriptions::router).await
}
