//! Stripe's webhook deliveries as stored (spec 11.1 `WebhookEvent`): each
//! event once, by Stripe's id, with what processing it did. The payload is
//! kept as the JSON text received (Stripe's objects hold keys and values
//! DynamoDB maps would not take as they are).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::bounded;
use crate::time;

pub const SOURCE_STRIPE: &str = "stripe";

/// Events kept for the admin endpoints (a TTL removes older ones; Stripe
/// itself keeps 30 days).
pub const EVENTS_KEPT_DAYS: i64 = 90;

/// Longest payload kept, in characters (an item holds 400 KB).
pub const PAYLOAD_KEPT_MAX: usize = 64 * 1024;

/// Longest stored error text.
pub const ERROR_MAX: usize = 1_000;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct WebhookEvent {
    /// Stripe's event id (`evt_...`).
    pub id: String,
    pub event_type: String,
    /// The event as received (JSON text).
    pub payload: String,
    pub source: String,
    pub processed: bool,
    #[serde(
        default,
        with = "time::rfc3339_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub processed_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    /// What processing did, in a few words (`"subscription activated"`,
    /// `"ignored: unknown subscription"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// Deliveries seen (Stripe retries failures for days).
    #[serde(default)]
    pub attempts: u32,
    /// When the first delivery arrived: the key of the admin log.
    #[serde(with = "time::rfc3339")]
    pub created_at: DateTime<Utc>,
}

impl WebhookEvent {
    pub fn received(id: &str, event_type: &str, payload: &[u8], now: DateTime<Utc>) -> Self {
        WebhookEvent {
            id: id.to_string(),
            event_type: event_type.to_string(),
            // Stripe's events are a few kilobytes; a larger one is kept
            // cut (an item holds at most 400 KB), and shows as none.
            payload: bounded(&String::from_utf8_lossy(payload), PAYLOAD_KEPT_MAX),
            source: SOURCE_STRIPE.into(),
            processed: false,
            processed_at: None,
            error_message: None,
            outcome: None,
            attempts: 0,
            created_at: now,
        }
    }

    /// When the TTL removes it.
    pub fn expires_at(&self) -> i64 {
        (self.created_at + chrono::Duration::days(EVENTS_KEPT_DAYS)).timestamp()
    }

    /// `WebhookEvent` (spec 11.1) with the rewrite's `outcome` and
    /// `attempts`; the payload as the JSON it was.
    pub fn to_json(&self) -> Value {
        let payload: Value = serde_json::from_str(&self.payload).unwrap_or(Value::Null);
        json!({
            "id": self.id,
            "event_type": self.event_type,
            "payload": payload,
            "source": self.source,
            "processed": self.processed,
            "processed_at": self.processed_at.as_ref().map(time::format),
            "error_message": self.error_message,
            "outcome": self.outcome,
            "attempts": self.attempts,
            "created_at": time::format(&self.created_at),
        })
    }
}

/// An error's text as stored: bounded, on a character boundary.
pub fn error_text(message: &str) -> String {
    bounded(message, ERROR_MAX)
}
