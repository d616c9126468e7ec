//! Lambda entry point: an EventBridge schedule invokes it (hourly).

#[tokio::main]
async fn main() -> Result<(), shared::runtime::RuntimeError> {
    shared::runtime::schedule(reminders::scheduled::handle).await
}
