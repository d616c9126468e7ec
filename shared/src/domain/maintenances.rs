//! Maintenances: the entity, its representations (spec 4.1) and the
//! statistics of spec 4.2.8 and of one vehicle (seed `/vehicles/{id}/stats/`).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::money::{cents_to_number, format_cents};
use super::users::User;
use super::vehicles::Vehicle;
use crate::time;

pub const SCHEDULED: &str = "SCHEDULED";
pub const IN_PROGRESS: &str = "IN_PROGRESS";
pub const COMPLETED: &str = "COMPLETED";
pub const CANCELLED: &str = "CANCELLED";
pub const STATUSES: &[&str] = &[SCHEDULED, IN_PROGRESS, COMPLETED, CANCELLED];

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Maintenance {
    pub id: String,
    pub owner_id: String,
    pub vehicle_id: String,
    #[serde(with = "time::rfc3339")]
    pub service_date: DateTime<Utc>,
    pub service_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mileage: Option<i64>,
    /// Cents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<i64>,
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_url: Option<String>,
    /// Only ever the owner (or nobody).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub performed_by: Option<String>,
    #[serde(default)]
    pub reminder_sent: bool,
    #[serde(with = "time::rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "time::rfc3339")]
    pub updated_at: DateTime<Utc>,
    #[serde(default)]
    pub version: u64,
}

fn full_name(user: &User) -> String {
    format!("{} {}", user.first_name, user.last_name)
}

/// A scheduled maintenance is announced this many days before its date.
pub const NOTICE_DAYS: i64 = 3;

impl Maintenance {
    pub fn is_scheduled(&self) -> bool {
        self.status == SCHEDULED
    }

    /// When the scheduled run should announce it: `NOTICE_DAYS` before the
    /// date, while scheduled and not announced yet.
    pub fn alert_at(&self) -> Option<DateTime<Utc>> {
        // Checked: a date at the edge of the calendar must not panic.
        (self.is_scheduled() && !self.reminder_sent)
            .then(|| {
                self.service_date
                    .checked_sub_signed(chrono::Duration::days(NOTICE_DAYS))
            })
            .flatten()
    }

    /// `Maintenance` (spec 4.1); `owner` is the caller, who owns the vehicle.
    pub fn to_json(&self, vehicle: Option<&Vehicle>, owner: &User) -> Value {
        json!({
            "id": self.id,
            "vehicle": self.vehicle_id,
            "vehicle_info": vehicle.map(|v| json!({
                "id": v.id, "make": v.make, "model": v.model, "year": v.year,
                "license_plate": v.license_plate,
            })),
            "created_by": owner.id,
            "created_by_name": full_name(owner),
            "performed_by": self.performed_by,
            "performed_by_name": self.performed_by.as_ref().map(|_| full_name(owner)),
            "service_date": time::format(&self.service_date),
            "service_type": self.service_type,
            "description": self.description,
            "mileage": self.mileage,
            "cost": self.cost.map(format_cents),
            "status": self.status,
            "invoice_url": self.invoice_url,
            "reminder_sent": self.reminder_sent,
            "created_at": time::format(&self.created_at),
            "updated_at": time::format(&self.updated_at),
        })
    }

    /// `MaintenanceDetail`: with the full vehicle.
    pub fn to_detail_json(&self, vehicle: Option<&Vehicle>, owner: &User) -> Value {
        let mut value = self.to_json(vehicle, owner);
        value["vehicle_detail"] = vehicle.map_or(Value::Null, |v| v.to_json(owner));
        value
    }
}

fn sum_costs<'a>(items: impl Iterator<Item = &'a Maintenance>) -> (i64, usize) {
    items
        .filter_map(|m| m.cost)
        .fold((0, 0), |(sum, n), c| (sum + c, n + 1))
}

/// `GET /api/maintenances/stats/` over `items`.
pub fn overview_stats(items: &[&Maintenance]) -> Value {
    let (total, priced) = sum_costs(items.iter().copied());
    let count = |status: &str| items.iter().filter(|m| m.status == status).count();
    let mut groups: BTreeMap<&str, Vec<&Maintenance>> = BTreeMap::new();
    for m in items {
        groups.entry(m.service_type.as_str()).or_default().push(m);
    }
    let mut top: Vec<(&str, Vec<&Maintenance>)> = groups.into_iter().collect();
    top.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(b.0)));
    let top_services: Vec<Value> = top
        .into_iter()
        .take(5)
        .map(|(service_type, ms)| {
            let (sum, n) = sum_costs(ms.iter().copied());
            json!({
                "service_type": service_type,
                "count": ms.len(),
                "total_cost": (n > 0).then(|| cents_to_number(sum)),
            })
        })
        .collect();
    json!({
        "overview": {
            "total_count": items.len(),
            "total_cost": (priced > 0).then(|| cents_to_number(total)),
            "average_cost": (priced > 0).then(|| cents_to_number(total) / priced as f64),
            "scheduled_count": count(SCHEDULED),
            "completed_count": count(COMPLETED),
            "in_progress_count": count(IN_PROGRESS),
        },
        "top_services": top_services,
    })
}

/// `GET /api/vehicles/{id}/stats/`: one vehicle's maintenance history.
/// Costs, dates and distance come from completed services only; planned
/// ones are counted apart and cancelled ones ignored.
pub fn vehicle_stats(vehicle: &Vehicle, items: &[&Maintenance]) -> Value {
    let live: Vec<&Maintenance> = items
        .iter()
        .copied()
        .filter(|m| m.status != CANCELLED)
        .collect();
    let done: Vec<&Maintenance> = live
        .iter()
        .copied()
        .filter(|m| m.status == COMPLETED)
        .collect();
    let (total, priced) = sum_costs(done.iter().copied());
    let mut by_type: BTreeMap<&str, i64> = BTreeMap::new();
    for m in &done {
        if let Some(c) = m.cost {
            *by_type.entry(m.service_type.as_str()).or_default() += c;
        }
    }
    let first = done.iter().map(|m| m.service_date).min();
    let last = done.iter().map(|m| m.service_date).max();
    // Distance covered by the recorded history, when mileages allow it.
    let mileages: Vec<i64> = done.iter().filter_map(|m| m.mileage).collect();
    let span_km = match (
        mileages.iter().min(),
        mileages.iter().max().copied().max(Some(vehicle.mileage)),
    ) {
        (Some(low), Some(high)) if high > *low => Some(high - low),
        _ => None,
    };
    json!({
        "vehicle": vehicle.id,
        "maintenance_count": live.len(),
        "completed_count": done.len(),
        "scheduled_count": live.iter().filter(|m| m.status == SCHEDULED).count(),
        "total_cost": cents_to_number(total),
        "average_cost": (priced > 0).then(|| cents_to_number(total) / priced as f64),
        "cost_by_service_type": by_type.into_iter().map(|(k, v)| (k.to_string(), json!(cents_to_number(v)))).collect::<serde_json::Map<_, _>>(),
        "first_service": first.map(|d| time::format(&d)),
        "last_service": last.map(|d| time::format(&d)),
        "current_mileage": vehicle.mileage,
        "cost_per_1000_km": span_km.map(|km| cents_to_number(total) * 1000.0 / km as f64),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(
        service_type: &str,
        status: &str,
        cost: Option<i64>,
        mileage: Option<i64>,
        date: &str,
    ) -> Maintenance {
        let at = time::parse(date).unwrap();
        Maintenance {
            id: format!("{service_type}-{date}"),
            owner_id: "u".into(),
            vehicle_id: "v".into(),
            service_date: at,
            service_type: service_type.into(),
            description: None,
            mileage,
            cost,
            status: status.into(),
            invoice_url: None,
            performed_by: None,
            reminder_sent: false,
            created_at: at,
            updated_at: at,
            version: 0,
        }
    }

    #[test]
    fn overview_matches_the_contract_example() {
        let items = [
            m("Oil change", SCHEDULED, Some(1000), None, "2024-01-01"),
            m("Oil change", COMPLETED, Some(3000), None, "2024-02-01"),
            m("Oil change", SCHEDULED, None, None, "2024-03-01"),
            m("Tires", COMPLETED, Some(30000), None, "2024-04-01"),
        ];
        let refs: Vec<&Maintenance> = items.iter().collect();
        let stats = overview_stats(&refs);
        assert_eq!(stats["overview"]["total_count"], 4);
        assert_eq!(stats["overview"]["total_cost"], 340.0);
        assert!((stats["overview"]["average_cost"].as_f64().unwrap() - 113.333_333).abs() < 1e-5);
        assert_eq!(stats["overview"]["scheduled_count"], 2);
        assert_eq!(
            stats["top_services"],
            json!([{"service_type": "Oil change", "count": 3, "total_cost": 40.0},
                   {"service_type": "Tires", "count": 1, "total_cost": 300.0}])
        );
        let empty = overview_stats(&[]);
        assert_eq!(empty["overview"]["total_cost"], Value::Null);
        assert_eq!(empty["top_services"], json!([]));
    }

    #[test]
    fn vehicle_stats_cost_per_1000_km() {
        let vehicle: Vehicle = serde_json::from_value(json!({
            "id": "v", "owner_id": "u", "make": "Renault", "model": "Clio", "year": 2019,
            "mileage": 60000, "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z"
        }))
        .unwrap();
        let items = [
            m(
                "Oil change",
                COMPLETED,
                Some(9000),
                Some(40000),
                "2024-01-01",
            ),
            m("Brakes", COMPLETED, Some(21000), Some(50000), "2024-06-01"),
            m("Wash", CANCELLED, Some(100_000), Some(55000), "2024-07-01"),
            m(
                "Timing belt",
                SCHEDULED,
                Some(50_000),
                Some(90000),
                "2027-07-01",
            ),
        ];
        let refs: Vec<&Maintenance> = items.iter().collect();
        let stats = vehicle_stats(&vehicle, &refs);
        assert_eq!(stats["maintenance_count"], 3);
        assert_eq!(stats["completed_count"], 2);
        assert_eq!(stats["scheduled_count"], 1);
        assert_eq!(stats["total_cost"], 300.0);
        assert_eq!(stats["average_cost"], 150.0);
        assert_eq!(
            stats["cost_by_service_type"],
            json!({"Brakes": 210.0, "Oil change": 90.0})
        );
        assert_eq!(stats["first_service"], "2024-01-01T00:00:00Z");
        assert_eq!(stats["last_service"], "2024-06-01T00:00:00Z");
        // 300 over 20,000 km (40,000 -> odometer 60,000).
        assert_eq!(stats["cost_per_1000_km"], 15.0);
    }
}
