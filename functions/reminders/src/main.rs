//! Lambda entry point: an EventBridge schedule invokes it (hourly); the
//! event's content does not matter, the run works from the clock.

use lambda_runtime::{service_fn, LambdaEvent};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    shared::http::app::init_tracing();
    let state = shared::AppState::from_env().await.map_err(|e| {
        tracing::error!("{e}");
        e
    })?;
    let state = &state;
    lambda_runtime::run(service_fn(move |_event: LambdaEvent<Value>| async move {
        let report = reminders::run(state, shared::time::now()).await?;
        tracing::info!(?report, "reminders run");
        Ok::<_, lambda_runtime::Error>(report)
    }))
    .await
}
