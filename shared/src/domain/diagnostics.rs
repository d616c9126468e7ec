//! Diagnostics and their replies (spec 6): the entities, their
//! representations and the statistics. A diagnostic is a problem report on
//! one of the owner's vehicles, with optional structured input (fault
//! codes, symptoms, mileage) and the state of its analysis; its replies are
//! the thread (the owner's messages and the AI's answers).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::money::format_cents;
use crate::time;

pub const PENDING: &str = "pending";
pub const IN_PROGRESS: &str = "in_progress";
pub const COMPLETED: &str = "completed";
pub const STATUSES: &[&str] = &[PENDING, IN_PROGRESS, COMPLETED];

pub const SENDER_USER: &str = "user";
pub const SENDER_AI: &str = "ai";
pub const SENDER_MECHANIC: &str = "mechanic";
pub const SENDER_TYPES: &[&str] = &[SENDER_USER, SENDER_AI, SENDER_MECHANIC];

pub const TITLE_MAX: usize = 255;
pub const DESCRIPTION_MAX: usize = 10_000;
pub const MESSAGE_MAX: usize = 10_000;
pub const METADATA_MAX_BYTES: usize = 16 * 1024;
/// Structured input: a few codes and short symptoms.
pub const MAX_FAULT_CODES: usize = 20;
pub const MAX_SYMPTOMS: usize = 20;
pub const SYMPTOM_MAX: usize = 100;

/// Diagnostics an account keeps (a counter with a condition holds it):
/// every list reads them whole, and each one can cost an analysis.
pub const MAX_DIAGNOSTICS_PER_USER: i64 = 200;
/// The bare-array views (`pending/`, `completed/`, `by_vehicle/`, a
/// vehicle's `diagnostics/`) show the newest this many: a whole account's
/// diagnostics could pass Lambda's 6 MB answer.
pub const VIEW_LIMIT: usize = 50;
/// Messages a thread holds, the owner's and the AI's alike: at this count
/// the owner's next message and a new analysis are refused (the answer to
/// the last one still joins, one over at most).
pub const MAX_REPLIES_PER_DIAGNOSTIC: i64 = 100;

/// How long an analysis may wait or run before a new request replaces it
/// (a job lost with the queue, or a worker that gave up without a word):
/// longer than the AI queue's five deliveries of the worker's timeout.
pub const ANALYSIS_STALE_AFTER: chrono::Duration = chrono::Duration::minutes(15);

pub fn diagnostics_reached() -> String {
    format!("An account can keep at most {MAX_DIAGNOSTICS_PER_USER} diagnostics; delete old ones to add more.")
}

pub fn thread_full() -> String {
    format!("This diagnostic's thread is full ({MAX_REPLIES_PER_DIAGNOSTIC} messages); start a new diagnostic.")
}

/// The account's count of diagnostics (the `COUNTER` item).
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct DiagnosticCounter {
    #[serde(default)]
    pub count: i64,
}

/// Where an analysis stands (as the documents' analyses).
pub mod analysis {
    pub const NONE: &str = "none";
    pub const QUEUED: &str = "queued";
    pub const PROCESSING: &str = "processing";
    pub const DONE: &str = "done";
    pub const FAILED: &str = "failed";
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Diagnostic {
    /// UUIDv7: the partition's order is creation order.
    pub id: String,
    pub owner_id: String,
    pub vehicle_id: String,
    pub title: String,
    pub description: String,
    pub status: String,
    /// Normalised OBD-II codes, given or found in the text.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fault_codes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub symptoms: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mileage: Option<i64>,
    pub analysis_status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analysis_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analysis_error: Option<String>,
    /// When the current analysis was asked for: one waiting longer than
    /// `ANALYSIS_STALE_AFTER` no longer holds a new request back.
    #[serde(
        default,
        with = "time::rfc3339_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub analysis_requested_at: Option<DateTime<Utc>>,
    /// The readable answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ai_analysis: Option<String>,
    /// The structured answer (`domain::diagnosis::Diagnosis` as JSON).
    #[serde(default, with = "super::json_text")]
    pub analysis: Value,
    /// Hundredths of a percent: 8750 is "87.50".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence_score: Option<i64>,
    #[serde(default)]
    pub replies_count: i64,
    /// A copy of the newest reply, kept in each reply's transaction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_reply: Option<Reply>,
    #[serde(with = "time::rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "time::rfc3339")]
    pub updated_at: DateTime<Utc>,
    #[serde(default)]
    pub version: u64,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Reply {
    pub id: String,
    pub owner_id: String,
    pub diagnostic_id: String,
    /// The user who wrote it; none for the AI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender: Option<String>,
    pub sender_type: String,
    pub message: String,
    #[serde(with = "super::json_text")]
    pub metadata: Value,
    #[serde(with = "time::rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "time::rfc3339")]
    pub updated_at: DateTime<Utc>,
}

/// What a new diagnostic is made of (validated by the caller).
pub struct NewDiagnostic {
    pub vehicle_id: String,
    pub title: String,
    pub description: String,
    pub fault_codes: Vec<String>,
    pub symptoms: Vec<String>,
    pub mileage: Option<i64>,
}

impl Diagnostic {
    pub fn new(owner_id: &str, input: NewDiagnostic) -> Self {
        let now = time::now();
        Diagnostic {
            id: uuid::Uuid::now_v7().to_string(),
            owner_id: owner_id.to_string(),
            vehicle_id: input.vehicle_id,
            title: input.title,
            description: input.description,
            status: PENDING.into(),
            fault_codes: input.fault_codes,
            symptoms: input.symptoms,
            mileage: input.mileage,
            analysis_status: analysis::NONE.into(),
            analysis_id: None,
            analysis_error: None,
            analysis_requested_at: None,
            ai_analysis: None,
            analysis: Value::Null,
            confidence_score: None,
            replies_count: 0,
            latest_reply: None,
            created_at: now,
            updated_at: now,
            version: 0,
        }
    }

    /// `Diagnostic` (spec 6.1) with the rewrite's fields; `vehicle` is the
    /// vehicle's representation.
    pub fn to_json(&self, vehicle: Option<Value>) -> Value {
        json!({
            "id": self.id,
            "user": self.owner_id,
            "vehicle": self.vehicle_id,
            "vehicle_info": vehicle,
            "title": self.title,
            "description": self.description,
            "status": self.status,
            "fault_codes": self.fault_codes,
            "symptoms": self.symptoms,
            "mileage": self.mileage,
            "ai_analysis": self.ai_analysis,
            "analysis": self.analysis,
            "analysis_status": self.analysis_status,
            "analysis_error": self.analysis_error,
            "confidence_score": self.confidence_score.map(format_cents),
            "replies_count": self.replies_count,
            "latest_reply": self.latest_reply.as_ref().map(Reply::to_json),
            "created_at": time::format(&self.created_at),
            "updated_at": time::format(&self.updated_at),
        })
    }

    /// `DiagnosticDetail`: with every reply, oldest first.
    pub fn to_detail_json(&self, vehicle: Option<Value>, replies: &[Reply]) -> Value {
        let mut value = self.to_json(vehicle);
        value["all_replies"] = Value::Array(replies.iter().map(Reply::to_json).collect());
        value
    }
}

impl Reply {
    pub fn new(
        diagnostic: &Diagnostic,
        sender: Option<&str>,
        sender_type: &str,
        message: String,
        metadata: Value,
    ) -> Self {
        let now = time::now();
        Reply {
            id: uuid::Uuid::now_v7().to_string(),
            owner_id: diagnostic.owner_id.clone(),
            diagnostic_id: diagnostic.id.clone(),
            sender: sender.map(str::to_string),
            sender_type: sender_type.to_string(),
            message,
            metadata,
            created_at: now,
            updated_at: now,
        }
    }

    /// `Reply` (spec 6.1).
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "diagnostic": self.diagnostic_id,
            "sender": self.sender,
            "sender_type": self.sender_type,
            "message": self.message,
            "metadata": self.metadata,
            "created_at": time::format(&self.created_at),
        })
    }
}

/// `GET /api/diagnostics/stats/` (spec 6.2.7): `average_confidence_score`
/// is the mean of the scores given, rounded to 2 decimals, 0 without any.
pub fn stats(diagnostics: &[Diagnostic]) -> Value {
    let mut by_status: std::collections::BTreeMap<&str, i64> = Default::default();
    for d in diagnostics {
        *by_status.entry(d.status.as_str()).or_default() += 1;
    }
    let scores: Vec<i64> = diagnostics
        .iter()
        .filter_map(|d| d.confidence_score)
        .collect();
    let average = if scores.is_empty() {
        0.0
    } else {
        let mean = scores.iter().sum::<i64>() as f64 / scores.len() as f64 / 100.0;
        (mean * 100.0).round() / 100.0
    };
    json!({
        "total_diagnostics": diagnostics.len(),
        "by_status": by_status
            .into_iter()
            .map(|(status, count)| json!({"status": status, "count": count}))
            .collect::<Vec<_>>(),
        "average_confidence_score": average,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diagnostic(status: &str, score: Option<i64>) -> Diagnostic {
        let mut d = Diagnostic::new(
            "u1",
            NewDiagnostic {
                vehicle_id: "v1".into(),
                title: "Ratés".into(),
                description: "Ratés au ralenti".into(),
                fault_codes: vec!["P0301".into()],
                symptoms: vec![],
                mileage: Some(120_000),
            },
        );
        d.status = status.into();
        d.confidence_score = score;
        d
    }

    #[test]
    fn stats_follow_the_spec_example() {
        let value = stats(&[
            diagnostic(IN_PROGRESS, Some(8750)),
            diagnostic(PENDING, None),
        ]);
        assert_eq!(
            value,
            json!({
                "total_diagnostics": 2,
                "by_status": [{"status": "in_progress", "count": 1}, {"status": "pending", "count": 1}],
                "average_confidence_score": 87.5
            })
        );
        assert_eq!(stats(&[])["average_confidence_score"], 0.0);
        let rounded = stats(&[
            diagnostic(PENDING, Some(3333)),
            diagnostic(PENDING, Some(3334)),
        ]);
        assert_eq!(rounded["average_confidence_score"], 33.34);
    }

    #[test]
    fn representations_carry_the_thread() {
        let mut d = diagnostic(PENDING, Some(8750));
        let reply = Reply::new(
            &d,
            Some("u1"),
            SENDER_USER,
            "Toujours là".into(),
            json!({"k": 1}),
        );
        d.replies_count = 1;
        d.latest_reply = Some(reply.clone());
        let list = d.to_json(None);
        assert_eq!(list["confidence_score"], "87.50");
        assert_eq!(list["replies_count"], 1);
        assert_eq!(list["latest_reply"]["message"], "Toujours là");
        assert_eq!(list["latest_reply"]["diagnostic"], d.id.as_str());
        assert_eq!(list["fault_codes"], json!(["P0301"]));
        let detail = d.to_detail_json(None, &[reply]);
        assert_eq!(detail["all_replies"][0]["metadata"], json!({"k": 1}));
        assert_eq!(detail["all_replies"][0]["sender_type"], "user");
    }
}
