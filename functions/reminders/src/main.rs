//! Lambda entry point: an EventBridge schedule invokes it (hourly); the
//! event's content does not matter, the run works from the clock.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use lambda_runtime::{service_fn, LambdaEvent};
use serde_json::Value;

const SAFETY_MARGIN: Duration = Duration::from_secs(20);

fn now_epoch_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// The metrics' dimension: the deployed function's name (set by Lambda).
fn function_name() -> String {
    std::env::var("AWS_LAMBDA_FUNCTION_NAME").unwrap_or_else(|_| "reminders".into())
}

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    shared::http::app::init_tracing();
    let state = shared::AppState::from_env().await.map_err(|e| {
        tracing::error!("{e}");
        e
    })?;
    let state = &state;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        // Stop a margin before the Lambda's deadline: the rest waits in the
        // index for the next run instead of being cut mid-item.
        let left_ms = event.context.deadline.saturating_sub(now_epoch_ms());
        let budget = Duration::from_millis(left_ms).saturating_sub(SAFETY_MARGIN);
        let result =
            reminders::run_until(state, shared::time::now(), Instant::now() + budget).await;
        // The metrics line goes out whatever happened: a run that could
        // not read its owners counts as one failure (the alarm's metric).
        let report = match &result {
            Ok(report) => report.clone(),
            Err(_) => reminders::RunReport {
                failed: 1,
                ..Default::default()
            },
        };
        println!(
            "{}",
            reminders::metrics::emf_line(&report, &function_name(), now_epoch_ms() as i64)
        );
        let report = result?;
        tracing::info!(?report, "reminders run");
        Ok::<_, lambda_runtime::Error>(report)
    }))
    .await
}
