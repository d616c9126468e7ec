//! User settings (spec 12): one item per user, created on first access.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::time;

pub const LANGUAGES: &[&str] = &["en", "fr", "es"];
pub const THEMES: &[&str] = &["light", "dark", "auto"];
pub const TIMEZONE_MAX: usize = 50;
/// Keeps the settings item far below DynamoDB's 400 KB item limit.
pub const CUSTOM_SETTINGS_MAX_BYTES: usize = 16 * 1024;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Settings {
    pub id: String,
    pub user_id: String,
    pub language: String,
    pub theme: String,
    pub timezone: String,
    pub email_notifications: bool,
    pub push_notifications: bool,
    pub maintenance_reminders: bool,
    pub subscription_alerts: bool,
    pub profile_public: bool,
    #[serde(with = "super::json_text")]
    pub custom_settings: Value,
    #[serde(with = "time::rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "time::rfc3339")]
    pub updated_at: DateTime<Utc>,
    #[serde(default)]
    pub version: u64,
}

impl Settings {
    /// The defaults of spec 12.1 (also what `reset/` restores).
    pub fn defaults(user_id: &str) -> Self {
        let now = time::now();
        Settings {
            id: uuid::Uuid::now_v7().to_string(),
            user_id: user_id.to_string(),
            language: "en".into(),
            theme: "auto".into(),
            timezone: "UTC".into(),
            email_notifications: true,
            push_notifications: true,
            maintenance_reminders: true,
            subscription_alerts: true,
            profile_public: false,
            custom_settings: json!({}),
            created_at: now,
            updated_at: now,
            version: 0,
        }
    }

    /// Back to the defaults, keeping identity and creation time.
    pub fn reset(&self) -> Self {
        Settings {
            id: self.id.clone(),
            created_at: self.created_at,
            version: self.version,
            ..Settings::defaults(&self.user_id)
        }
    }

    /// `SettingsUpdated`: the writable fields.
    pub fn to_updated_json(&self) -> Value {
        let mut value = json!({});
        self.write_fields(&mut value);
        value
    }

    /// `Settings` (spec 12.1).
    pub fn to_json(&self) -> Value {
        let mut value = json!({"id": self.id, "user": self.user_id});
        self.write_fields(&mut value);
        value["created_at"] = json!(time::format(&self.created_at));
        value["updated_at"] = json!(time::format(&self.updated_at));
        value
    }

    fn write_fields(&self, value: &mut Value) {
        let fields = json!({
            "language": self.language,
            "theme": self.theme,
            "timezone": self.timezone,
            "email_notifications": self.email_notifications,
            "push_notifications": self.push_notifications,
            "maintenance_reminders": self.maintenance_reminders,
            "subscription_alerts": self.subscription_alerts,
            "profile_public": self.profile_public,
            "custom_settings": self.custom_settings,
        });
        if let (Some(target), Value::Object(source)) = (value.as_object_mut(), fields) {
            target.extend(source);
        }
    }
}
