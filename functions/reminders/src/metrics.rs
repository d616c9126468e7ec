//! The run's counts as one CloudWatch Embedded Metric Format line: printed
//! to stdout, CloudWatch Logs turns it into metrics (no PutMetricData call,
//! no extra permission). The template's alarm watches `failed`.

use serde_json::{json, Map, Value};

use crate::RunReport;

pub const NAMESPACE: &str = "AutoTrack/Reminders";
/// The dimension every metric of a run carries.
pub const DIMENSION: &str = "FunctionName";

/// The EMF document of one run at `timestamp_ms` (epoch milliseconds).
pub fn emf(report: &RunReport, function_name: &str, timestamp_ms: i64) -> Value {
    let counts: [(&str, usize); 11] = [
        ("scanned", report.scanned),
        ("notified", report.notified),
        ("emailed", report.emailed),
        ("silenced", report.silenced),
        ("skipped", report.skipped),
        ("undecodable", report.undecodable),
        ("ownerless", report.ownerless),
        ("removed", report.removed),
        ("failed", report.failed),
        ("backlog", usize::from(report.more)),
        ("purged", report.purged),
    ];
    let mut doc = Map::new();
    doc.insert(
        "_aws".into(),
        json!({
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": [[DIMENSION]],
                "Metrics": counts
                    .iter()
                    .map(|(name, _)| json!({"Name": name, "Unit": "Count"}))
                    .collect::<Vec<_>>(),
            }],
        }),
    );
    doc.insert(DIMENSION.into(), Value::from(function_name));
    for (name, value) in counts {
        doc.insert(name.into(), Value::from(value));
    }
    Value::Object(doc)
}

/// `emf` as the single line to print.
pub fn emf_line(report: &RunReport, function_name: &str, timestamp_ms: i64) -> String {
    emf(report, function_name, timestamp_ms).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_in_embedded_metric_format() {
        let report = RunReport {
            scanned: 7,
            notified: 3,
            removed: 2,
            undecodable: 1,
            ownerless: 1,
            failed: 1,
            more: true,
            purged: 4,
            ..RunReport::default()
        };
        let line = emf_line(&report, "autotrack-reminders", 1_700_000_000_000);
        assert!(!line.contains('\n'), "one line: {line}");
        let doc: Value = serde_json::from_str(&line).unwrap();
        let meta = &doc["_aws"];
        assert_eq!(meta["Timestamp"], 1_700_000_000_000_i64);
        let directive = &meta["CloudWatchMetrics"][0];
        assert_eq!(directive["Namespace"], NAMESPACE);
        assert_eq!(directive["Dimensions"], json!([["FunctionName"]]));
        assert_eq!(doc["FunctionName"], "autotrack-reminders");
        let names: Vec<&str> = directive["Metrics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                assert_eq!(m["Unit"], "Count");
                m["Name"].as_str().unwrap()
            })
            .collect();
        for name in ["scanned", "notified", "skipped", "removed", "failed"] {
            assert!(names.contains(&name), "{name} in {names:?}");
        }
        // Every declared metric has its value at the top level.
        for name in &names {
            assert!(doc[*name].is_u64(), "{name}: {doc}");
        }
        assert_eq!(
            (
                doc["scanned"].clone(),
                doc["removed"].clone(),
                doc["failed"].clone()
            ),
            (json!(7), json!(2), json!(1))
        );
        assert_eq!(doc["backlog"], 1);
        assert_eq!(doc["purged"], 4);
    }

    #[test]
    fn the_template_alarm_watches_this_metric() {
        let template = include_str!("../../../template.yaml");
        let alarm = template
            .split("RemindersFailedAlarm:")
            .nth(1)
            .expect("the template has the alarm");
        assert!(alarm.contains(&format!("Namespace: {NAMESPACE}")));
        assert!(alarm.contains("MetricName: failed"));
        assert!(alarm.contains(&format!("- Name: {DIMENSION}")));
    }
}
