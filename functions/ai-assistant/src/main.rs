//! Lambda entry point.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::http::app::serve(ai_assistant::router).await
}
