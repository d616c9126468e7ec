//! Brands and models: reference data readable by every signed-in user and
//! written by staff only (spec 3.1, 3.2.10-11).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use shared::time;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Brand {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_url: Option<String>,
    /// Kept in the same transaction as every model creation and deletion.
    #[serde(default)]
    pub models_count: i64,
    #[serde(with = "time::rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "time::rfc3339")]
    pub updated_at: DateTime<Utc>,
}

impl Brand {
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "logo_url": self.logo_url,
            "models_count": self.models_count,
            "created_at": time::format(&self.created_at),
            "updated_at": time::format(&self.updated_at),
        })
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CarModel {
    pub id: String,
    pub brand_id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year_start: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year_end: Option<i64>,
    #[serde(with = "time::rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "time::rfc3339")]
    pub updated_at: DateTime<Utc>,
}

impl CarModel {
    pub fn to_json(&self, brand_name: &str) -> Value {
        json!({
            "id": self.id,
            "brand": self.brand_id,
            "brand_name": brand_name,
            "name": self.name,
            "year_start": self.year_start,
            "year_end": self.year_end,
            "created_at": time::format(&self.created_at),
            "updated_at": time::format(&self.updated_at),
        })
    }
}

/// Case-insensitive uniqueness key of a name.
pub fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}
