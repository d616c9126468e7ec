//! Vehicles: the entity, its representation (spec 3.1 plus the seed's
//! `mileage` and `registration_number`), VIN and year rules, statistics.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::users::User;
use crate::time;

pub const FUEL_TYPES: &[&str] = &["gasoline", "diesel", "electric", "hybrid", "plugin_hybrid"];
pub const TRANSMISSIONS: &[&str] = &["manual", "automatic", "semi_automatic"];
pub const FIRST_YEAR: i64 = 1900;
pub const VIN_LENGTH: usize = 17;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Vehicle {
    pub id: String,
    pub owner_id: String,
    pub make: String,
    pub model: String,
    pub year: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license_plate: Option<String>,
    /// Upper-case, 17 characters; absent rather than empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vin: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fuel_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transmission: Option<String>,
    /// Current odometer (km). Raised by maintenances, never lowered by them.
    #[serde(default)]
    pub mileage: i64,
    /// The odometer as entered on the vehicle itself (creation and edits),
    /// newest last; with maintenance mileages, the history reminders project
    /// from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub odometer_log: Vec<super::odometer::Reading>,
    /// Kept atomically by the groups that own these items.
    #[serde(default)]
    pub maintenances_count: i64,
    #[serde(default)]
    pub documents_count: i64,
    #[serde(default)]
    pub diagnostics_count: i64,
    /// Reminders of this vehicle that are `active` (capped: see `limits`).
    #[serde(default)]
    pub active_reminders: i64,
    #[serde(with = "time::rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "time::rfc3339")]
    pub updated_at: DateTime<Utc>,
    #[serde(default)]
    pub version: u64,
}

impl Vehicle {
    /// The list representation (`Vehicle`).
    pub fn to_json(&self, owner: &User) -> Value {
        json!({
            "id": self.id,
            "owner": owner.id,
            "owner_email": owner.email,
            "owner_name": format!("{} {}", owner.first_name, owner.last_name),
            "make": self.make,
            "model": self.model,
            "year": self.year,
            "license_plate": self.license_plate,
            "registration_number": self.license_plate,
            "vin": self.vin,
            "color": self.color,
            "fuel_type": self.fuel_type,
            "transmission": self.transmission,
            "mileage": self.mileage,
            "created_at": time::format(&self.created_at),
            "updated_at": time::format(&self.updated_at),
        })
    }

    /// The detail representation (`VehicleDetail`): with the counts.
    pub fn to_detail_json(&self, owner: &User) -> Value {
        let mut value = self.to_json(owner);
        value["maintenances_count"] = json!(self.maintenances_count);
        value["documents_count"] = json!(self.documents_count);
        value
    }
}

/// Latest model year accepted: next year's models are sold this year.
pub fn last_year(now: DateTime<Utc>) -> i64 {
    i64::from(now.year()) + 1
}

pub fn year_message(now: DateTime<Utc>) -> String {
    format!("Year must be between {FIRST_YEAR} and {}", last_year(now))
}

/// Trims and upper-cases a VIN; empty means "no VIN". Errors carry the
/// message for the `vin` field.
pub fn normalize_vin(raw: &str) -> Result<Option<String>, &'static str> {
    let vin = raw.trim().to_uppercase();
    if vin.is_empty() {
        return Ok(None);
    }
    if vin.chars().count() != VIN_LENGTH {
        return Err("VIN must be exactly 17 characters");
    }
    if !vin
        .chars()
        .all(|c| c.is_ascii_alphanumeric() && !matches!(c, 'I' | 'O' | 'Q'))
    {
        return Err("VIN may only contain letters and digits, without I, O or Q");
    }
    Ok(Some(vin))
}

/// `GET /api/vehicles/stats/`: counts over the caller's vehicles.
pub fn fleet_stats(vehicles: &[Vehicle]) -> Value {
    let mut by_fuel: BTreeMap<&str, u64> = BTreeMap::new();
    let mut by_transmission: BTreeMap<&str, u64> = BTreeMap::new();
    for v in vehicles {
        if let Some(f) = &v.fuel_type {
            *by_fuel.entry(f).or_default() += 1;
        }
        if let Some(t) = &v.transmission {
            *by_transmission.entry(t).or_default() += 1;
        }
    }
    json!({"total": vehicles.len(), "by_fuel_type": by_fuel, "by_transmission": by_transmission})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vin_rules() {
        assert_eq!(normalize_vin("  "), Ok(None));
        assert_eq!(
            normalize_vin(" vf1rfb00x56789012 "),
            Ok(Some("VF1RFB00X56789012".into()))
        );
        assert_eq!(normalize_vin("X"), Err("VIN must be exactly 17 characters"));
        assert!(
            normalize_vin("VF1RFB00I56789012").is_err(),
            "I is not allowed"
        );
        assert!(normalize_vin("VF1RFB00-56789012").is_err());
    }

    #[test]
    fn years_run_to_next_year() {
        let now = crate::time::parse("2026-11-25").unwrap();
        assert_eq!(last_year(now), 2027);
        assert_eq!(year_message(now), "Year must be between 1900 and 2027");
    }
}
