//! One scheduled invocation: the run, bounded by the Lambda's deadline,
//! and its metrics line whatever happened.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use lambda_runtime::LambdaEvent;
use serde_json::Value;
use shared::Error;

use crate::RemindersState;
use crate::RunReport;

/// The run stops this long before the Lambda's deadline: the rest waits
/// in the index for the next run instead of being cut mid-item.
pub const SAFETY_MARGIN: Duration = Duration::from_secs(20);

fn now_epoch_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// The metrics' dimension: the deployed function's name (set by Lambda).
fn function_name() -> String {
    std::env::var("AWS_LAMBDA_FUNCTION_NAME").unwrap_or_else(|_| "reminders".into())
}

/// The handler `shared::runtime::schedule` runs for each EventBridge
/// event (its content does not matter: the run works from the clock).
pub async fn handle(state: RemindersState, event: LambdaEvent<Value>) -> Result<RunReport, Error> {
    let left_ms = event.context.deadline.saturating_sub(now_epoch_ms());
    let budget = Duration::from_millis(left_ms).saturating_sub(SAFETY_MARGIN);
    let result = crate::run_until(&state, shared::time::now(), Instant::now() + budget).await;
    let result = match result {
        Ok(mut report) => {
            let (purged, failed) = crate::purge_objects(&state).await;
            report.purged = purged;
            report.failed += failed;
            Ok(report)
        }
        Err(e) => Err(e),
    };
    // The metrics line goes out whatever happened: a run that could not
    // read its owners counts as one failure (the alarm's metric).
    let report = match &result {
        Ok(report) => report.clone(),
        Err(_) => RunReport {
            failed: 1,
            ..Default::default()
        },
    };
    println!(
        "{}",
        crate::metrics::emf_line(&report, &function_name(), now_epoch_ms() as i64)
    );
    let report = result?;
    tracing::info!(?report, "reminders run");
    Ok(report)
}
