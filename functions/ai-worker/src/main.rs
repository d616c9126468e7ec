//! Lambda entry point.

#[tokio::main]
async fn main() -> Result<(), shared::runtime::RuntimeError> {
    shared::runtime::sqs::<shared::jobs::AiAnalysisJob, _, _, _, _>(ai_worker::handle).await
}
