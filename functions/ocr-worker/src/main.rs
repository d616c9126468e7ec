//! Lambda entry point.

#[tokio::main]
async fn main() -> Result<(), shared::runtime::RuntimeError> {
    shared::runtime::sqs::<shared::jobs::OcrJob, _, _, _, _>(ocr_worker::handle).await
}
