//! Lambda entry point: no configuration and no AWS client, only the
//! document and the page compiled in.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::http::app::init_tracing();
    lambda_http::run(docs::router()).await
}
