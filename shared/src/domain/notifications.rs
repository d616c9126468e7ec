//! Notifications (spec 8): the entity, its representation and the stats.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::time;

pub const INFO: &str = "info";
pub const MAINTENANCE_REMINDER: &str = "maintenance_reminder";
pub const TYPES: &[&str] = &[
    INFO,
    "warning",
    "success",
    "error",
    MAINTENANCE_REMINDER,
    "subscription_expiring",
];

pub const TITLE_MAX: usize = 255;
pub const LINK_MAX: usize = 500;
/// Bounds that keep a notification far below DynamoDB's 400 KB item limit.
pub const MESSAGE_MAX: usize = 10_000;
pub const METADATA_MAX_BYTES: usize = 16 * 1024;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Notification {
    /// UUIDv7: time-ordered, so the partition's sort order is creation order.
    pub id: String,
    pub user_id: String,
    pub notification_type: String,
    pub title: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    #[serde(with = "super::json_text")]
    pub metadata: Value,
    pub is_read: bool,
    #[serde(
        default,
        with = "time::rfc3339_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub read_at: Option<DateTime<Utc>>,
    #[serde(with = "time::rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "time::rfc3339")]
    pub updated_at: DateTime<Utc>,
}

impl Notification {
    pub fn new(
        user_id: &str,
        notification_type: &str,
        title: String,
        message: String,
        link: Option<String>,
        metadata: Value,
    ) -> Self {
        let now = time::now();
        Notification {
            id: uuid::Uuid::now_v7().to_string(),
            user_id: user_id.to_string(),
            notification_type: notification_type.to_string(),
            title,
            message,
            link,
            metadata,
            is_read: false,
            read_at: None,
            created_at: now,
            updated_at: now,
        }
    }

    /// `Notification` (spec 8.1).
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "user": self.user_id,
            "notification_type": self.notification_type,
            "title": self.title,
            "message": self.message,
            "link": self.link,
            "metadata": self.metadata,
            "is_read": self.is_read,
            "read_at": self.read_at.as_ref().map(time::format),
            "created_at": time::format(&self.created_at),
            "updated_at": time::format(&self.updated_at),
        })
    }

    /// The same notification marked read (at `at`) or unread.
    pub fn marked(&self, read: bool, at: DateTime<Utc>) -> Self {
        let mut next = self.clone();
        if self.is_read != read {
            next.is_read = read;
            next.read_at = read.then_some(at);
            next.updated_at = at;
        }
        next
    }
}

/// `GET /api/notifications/stats/`; `by_type` entries are keyed
/// `notification_type` (the reference meant `type`, a field it lacks).
pub fn stats(items: &[Notification]) -> Value {
    let unread = items.iter().filter(|n| !n.is_read).count();
    let mut by_type: BTreeMap<&str, usize> = BTreeMap::new();
    for n in items {
        *by_type.entry(n.notification_type.as_str()).or_default() += 1;
    }
    let by_type: Vec<Value> = by_type
        .into_iter()
        .map(|(t, count)| json!({"notification_type": t, "count": count}))
        .collect();
    json!({
        "total_notifications": items.len(),
        "unread": unread,
        "read": items.len() - unread,
        "by_type": by_type,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marking_sets_and_clears_read_at_and_keeps_an_earlier_one() {
        let n = Notification::new("u", INFO, "t".into(), "m".into(), None, json!({}));
        let at = time::parse("2026-01-01T10:00:00Z").unwrap();
        let read = n.marked(true, at);
        assert!(read.is_read);
        assert_eq!(read.read_at, Some(at));
        let later = time::parse("2026-01-02T10:00:00Z").unwrap();
        assert_eq!(read.marked(true, later).read_at, Some(at));
        let unread = read.marked(false, later);
        assert!(!unread.is_read);
        assert_eq!(unread.read_at, None);
    }

    #[test]
    fn stats_count_by_type() {
        let mut a = Notification::new("u", INFO, "t".into(), "m".into(), None, json!({}));
        a.is_read = true;
        let b = Notification::new("u", "warning", "t".into(), "m".into(), None, json!(null));
        let c = Notification::new("u", INFO, "t".into(), "m".into(), None, json!([1]));
        let s = stats(&[a, b, c]);
        assert_eq!(s["total_notifications"], 3);
        assert_eq!(s["unread"], 2);
        assert_eq!(s["read"], 1);
        assert_eq!(
            s["by_type"],
            json!([{"notification_type": "info", "count": 2}, {"notification_type": "warning", "count": 1}])
        );
    }
}
