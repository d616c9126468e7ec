//! Reminders by date and by mileage: "oil change every 15,000 km or 12
//! months, whichever comes first". New in the rewrite (spec 4.1 lists the
//! model; the reference never built it).
//!
//! A reminder has up to two deadlines: a date and an odometer reading. Each
//! urgency level (soon, urgent, overdue) starts at a threshold before either
//! deadline. For the mileage deadline the start is projected from the
//! vehicle's odometer trend (average km per day over its recent readings);
//! without a trend it is known only once the odometer has passed it.
//!
//! `alert_at` is the moment the next level not yet notified starts: the
//! scheduled run finds reminders through that time alone (a sparse index).

use chrono::{DateTime, Duration, Months, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::maintenances::{Maintenance, COMPLETED, IN_PROGRESS};
use super::odometer::{OdometerTrend, Reading};
use super::vehicles::Vehicle;
use crate::time;

pub const ACTIVE: &str = "active";
pub const DONE: &str = "done";
pub const DISMISSED: &str = "dismissed";
pub const STATUSES: &[&str] = &[ACTIVE, DONE, DISMISSED];

pub const DEFAULT_REMIND_DAYS: i64 = 30;
pub const DEFAULT_URGENT_DAYS: i64 = 7;
pub const DEFAULT_REMIND_KM: i64 = 1000;
pub const DEFAULT_URGENT_KM: i64 = 300;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Urgency {
    Soon = 1,
    Urgent = 2,
    Overdue = 3,
}

impl Urgency {
    /// Most pressing first.
    pub const DESCENDING: [Urgency; 3] = [Urgency::Overdue, Urgency::Urgent, Urgency::Soon];

    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::Soon => "soon",
            Urgency::Urgent => "urgent",
            Urgency::Overdue => "overdue",
        }
    }

    pub fn level(self) -> u8 {
        self as u8
    }
}

/// A vehicle's trend from its odometer updates and the mileages of its
/// maintenances done (planned ones say nothing about the odometer).
pub fn vehicle_trend(
    vehicle: &Vehicle,
    maintenances: &[Maintenance],
    now: DateTime<Utc>,
) -> OdometerTrend {
    let mut readings = vehicle.odometer_log.clone();
    readings.extend(
        maintenances
            .iter()
            .filter(|m| m.vehicle_id == vehicle.id)
            .filter(|m| m.status == COMPLETED || m.status == IN_PROGRESS)
            .filter_map(|m| {
                m.mileage.map(|km| Reading {
                    at: m.service_date,
                    km,
                })
            }),
    );
    if readings.is_empty() {
        // No reading at all (a vehicle stored before the log existed): the
        // odometer as of its last change; stable, so refreshes stay quiet.
        return OdometerTrend {
            km: vehicle.mileage,
            at: vehicle.updated_at.min(now),
            km_per_day: None,
        };
    }
    OdometerTrend::from_readings(vehicle.mileage, &readings, now)
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Reminder {
    pub id: String,
    pub owner_id: String,
    pub vehicle_id: String,
    pub service_type: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    #[serde(
        default,
        with = "time::rfc3339_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub due_date: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_mileage: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recurrence_months: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recurrence_km: Option<i64>,
    pub remind_days_before: i64,
    pub urgent_days_before: i64,
    pub remind_km_before: i64,
    pub urgent_km_before: i64,
    pub status: String,
    /// Highest urgency level already notified (0: none).
    #[serde(default)]
    pub notified_level: u8,
    /// When the next level not yet notified starts (mirrors the alert index).
    #[serde(
        default,
        with = "time::rfc3339_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub alert_at: Option<DateTime<Utc>>,
    /// The vehicle's odometer trend when last refreshed (mileage reminders).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub odometer: Option<OdometerTrend>,
    #[serde(
        default,
        with = "time::rfc3339_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub completed_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_mileage: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_reminder_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maintenance_id: Option<String>,
    #[serde(with = "time::rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "time::rfc3339")]
    pub updated_at: DateTime<Utc>,
    #[serde(default)]
    pub version: u64,
}

impl Reminder {
    /// A new active reminder with the default thresholds and no deadline
    /// yet (the caller sets at least one, then `refreshed`).
    pub fn new(owner_id: &str, vehicle_id: &str, service_type: &str, title: &str) -> Self {
        let now = time::now();
        Reminder {
            id: uuid::Uuid::now_v7().to_string(),
            owner_id: owner_id.to_string(),
            vehicle_id: vehicle_id.to_string(),
            service_type: service_type.to_string(),
            title: title.to_string(),
            notes: None,
            due_date: None,
            due_mileage: None,
            recurrence_months: None,
            recurrence_km: None,
            remind_days_before: DEFAULT_REMIND_DAYS,
            urgent_days_before: DEFAULT_URGENT_DAYS,
            remind_km_before: DEFAULT_REMIND_KM,
            urgent_km_before: DEFAULT_URGENT_KM,
            status: ACTIVE.to_string(),
            notified_level: 0,
            alert_at: None,
            odometer: None,
            completed_at: None,
            completed_mileage: None,
            next_reminder_id: None,
            maintenance_id: None,
            created_at: now,
            updated_at: now,
            version: 0,
        }
    }

    pub fn is_active(&self) -> bool {
        self.status == ACTIVE
    }

    fn days_before(&self, urgency: Urgency) -> i64 {
        match urgency {
            Urgency::Soon => self.remind_days_before,
            Urgency::Urgent => self.urgent_days_before,
            Urgency::Overdue => 0,
        }
    }

    fn km_before(&self, urgency: Urgency) -> i64 {
        match urgency {
            Urgency::Soon => self.remind_km_before,
            Urgency::Urgent => self.urgent_km_before,
            Urgency::Overdue => 0,
        }
    }

    /// When `urgency` starts: the earlier of its date and mileage thresholds.
    pub fn level_start(&self, urgency: Urgency) -> Option<DateTime<Utc>> {
        // Checked arithmetic: dates at the edge of the calendar must not panic.
        let by_date = self
            .due_date
            .and_then(|d| d.checked_sub_signed(Duration::days(self.days_before(urgency))));
        let by_km = match (self.due_mileage, self.odometer) {
            (Some(due), Some(trend)) => trend.reaching(due - self.km_before(urgency)),
            _ => None,
        };
        match (by_date, by_km) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The urgency at `at`, or `None` while nothing is near (or not active).
    pub fn urgency_at(&self, at: DateTime<Utc>) -> Option<Urgency> {
        if !self.is_active() {
            return None;
        }
        Urgency::DESCENDING
            .into_iter()
            .find(|u| self.level_start(*u).is_some_and(|start| start <= at))
    }

    /// The next moment the scheduled run has something to say about it.
    fn next_alert(&self) -> Option<DateTime<Utc>> {
        if !self.is_active() {
            return None;
        }
        Urgency::DESCENDING
            .into_iter()
            .filter(|u| u.level() > self.notified_level)
            .filter_map(|u| self.level_start(u))
            .min()
    }

    /// When the odometer should reach the due mileage, from the trend.
    pub fn projected_due_date(&self) -> Option<DateTime<Utc>> {
        let (due, trend) = (self.due_mileage?, self.odometer?);
        (due > trend.km).then(|| trend.reaching(due)).flatten()
    }

    /// The earliest deadline, known or projected (ordering of `due/`).
    pub fn effective_due(&self) -> Option<DateTime<Utc>> {
        match (self.due_date, self.projected_due_date()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// With a fresh odometer trend (kept only for mileage reminders) and the
    /// alert time that follows.
    pub fn refreshed(&self, trend: OdometerTrend) -> Self {
        let mut next = self.clone();
        next.odometer = self.due_mileage.is_some().then_some(trend);
        next.alert_at = next.next_alert();
        next
    }

    /// With its alert time recomputed from what is stored (the run's answer
    /// to an index entry that is no longer current).
    pub fn realigned(&self) -> Self {
        let mut next = self.clone();
        next.alert_at = next.next_alert();
        next
    }

    /// After the run notified `urgency`.
    pub fn notified(&self, urgency: Urgency) -> Self {
        let mut next = self.clone();
        next.notified_level = next.notified_level.max(urgency.level());
        next.alert_at = next.next_alert();
        next
    }

    /// The next occurrence of a recurring reminder, counted from when and at
    /// what mileage the work was done.
    pub fn next_occurrence(&self, done_at: DateTime<Utc>, done_km: i64) -> Option<Reminder> {
        if self.recurrence_months.is_none() && self.recurrence_km.is_none() {
            return None;
        }
        let due_date = self
            .recurrence_months
            .and_then(|m| done_at.checked_add_months(Months::new(m as u32)));
        let due_mileage = self.recurrence_km.map(|km| done_km + km);
        if due_date.is_none() && due_mileage.is_none() {
            // Only when the date falls off the calendar.
            return None;
        }
        // A fresh reminder carrying over what describes the work and its
        // thresholds; state, history and identity start anew.
        Some(Reminder {
            due_date,
            due_mileage,
            notes: self.notes.clone(),
            recurrence_months: self.recurrence_months,
            recurrence_km: self.recurrence_km,
            remind_days_before: self.remind_days_before,
            urgent_days_before: self.urgent_days_before,
            remind_km_before: self.remind_km_before,
            urgent_km_before: self.urgent_km_before,
            ..Reminder::new(
                &self.owner_id,
                &self.vehicle_id,
                &self.service_type,
                &self.title,
            )
        })
    }

    /// `Reminder` as the API shows it, with its urgency at `now`.
    pub fn to_json(&self, vehicle: Option<&Vehicle>, now: DateTime<Utc>) -> Value {
        let days_remaining = self
            .due_date
            .map(|d| (d - now).num_seconds().div_euclid(86_400));
        let km_remaining = match (self.due_mileage, vehicle) {
            (Some(due), Some(v)) => Some(due - v.mileage),
            _ => None,
        };
        json!({
            "id": self.id,
            "vehicle": self.vehicle_id,
            "vehicle_info": vehicle.map(|v| json!({
                "id": v.id, "make": v.make, "model": v.model, "year": v.year,
                "license_plate": v.license_plate, "mileage": v.mileage,
            })),
            "service_type": self.service_type,
            "title": self.title,
            "notes": self.notes,
            "due_date": self.due_date.as_ref().map(time::format),
            "due_mileage": self.due_mileage,
            "recurrence_months": self.recurrence_months,
            "recurrence_km": self.recurrence_km,
            "remind_days_before": self.remind_days_before,
            "urgent_days_before": self.urgent_days_before,
            "remind_km_before": self.remind_km_before,
            "urgent_km_before": self.urgent_km_before,
            "status": self.status,
            "urgency": self.urgency_at(now).map(Urgency::as_str),
            "days_remaining": days_remaining,
            "km_remaining": km_remaining,
            "projected_due_date": self.projected_due_date().as_ref().map(time::format),
            "km_per_day": self.odometer.and_then(|t| t.km_per_day).map(|r| (r * 10.0).round() / 10.0),
            "completed_at": self.completed_at.as_ref().map(time::format),
            "completed_mileage": self.completed_mileage,
            "next_reminder": self.next_reminder_id,
            "maintenance": self.maintenance_id,
            "created_at": time::format(&self.created_at),
            "updated_at": time::format(&self.updated_at),
        })
    }

    /// The in-app notification for `urgency` (French, like the e-mails).
    pub fn notice(&self, urgency: Urgency, vehicle_label: &str) -> Notice {
        let title = match urgency {
            Urgency::Soon => format!("Entretien à prévoir : {}", self.title),
            Urgency::Urgent => format!("Entretien urgent : {}", self.title),
            Urgency::Overdue => format!("Entretien en retard : {}", self.title),
        };
        let mut deadlines = Vec::new();
        if let Some(d) = self.due_date {
            deadlines.push(format!("le {}", d.format("%d/%m/%Y")));
        }
        if let Some(km) = self.due_mileage {
            deadlines.push(format!("à {km} km"));
        }
        let message = format!(
            "{vehicle_label} : {} ({}) — échéance {}.",
            self.title,
            self.service_type,
            deadlines.join(" ou ")
        );
        Notice {
            title,
            message,
            link: format!("/reminders/{}", self.id),
            metadata: json!({
                "reminder_id": self.id,
                "vehicle_id": self.vehicle_id,
                "urgency": urgency.as_str(),
                "due_date": self.due_date.as_ref().map(time::format),
                "due_mileage": self.due_mileage,
                "projected_due_date": self.projected_due_date().as_ref().map(time::format),
            }),
        }
    }
}

/// The active reminders of `vehicle` that a new odometer history changes:
/// each with the version it was read at and its refreshed form. The callers
/// write these in the same transaction as the change of history.
pub fn refresh_for_vehicle(
    reminders: &[Reminder],
    vehicle: &Vehicle,
    maintenances: &[Maintenance],
    now: DateTime<Utc>,
) -> Vec<(u64, Reminder)> {
    let trend = vehicle_trend(vehicle, maintenances, now);
    reminders
        .iter()
        .filter(|r| r.vehicle_id == vehicle.id && r.is_active())
        .filter_map(|r| {
            let mut after = r.refreshed(trend);
            if after.alert_at == r.alert_at && after.odometer == r.odometer {
                return None;
            }
            after.version = r.version + 1;
            Some((r.version, after))
        })
        .collect()
}

/// What a notification about a reminder or a planned maintenance says.
#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    pub title: String,
    pub message: String,
    pub link: String,
    pub metadata: Value,
}

/// The notice of a scheduled maintenance a few days ahead.
pub fn maintenance_notice(m: &Maintenance, vehicle_label: &str) -> Notice {
    Notice {
        title: format!("Entretien prévu : {}", m.service_type),
        message: format!(
            "{vehicle_label} : {} est prévu le {}.",
            m.service_type,
            m.service_date.format("%d/%m/%Y à %H:%M")
        ),
        link: format!("/maintenances/{}", m.id),
        metadata: json!({
            "maintenance_id": m.id,
            "vehicle_id": m.vehicle_id,
            "service_date": time::format(&m.service_date),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        time::parse(s).unwrap()
    }

    fn reminder() -> Reminder {
        Reminder::new("u", "v", "Oil change", "Vidange")
    }

    fn still(km: i64, when: &str) -> OdometerTrend {
        OdometerTrend {
            km,
            at: at(when),
            km_per_day: None,
        }
    }

    #[test]
    fn date_levels_follow_the_thresholds() {
        let r = Reminder {
            due_date: Some(at("2026-03-01")),
            ..reminder()
        }
        .refreshed(still(0, "2026-01-01"));
        assert_eq!(r.urgency_at(at("2026-01-15")), None);
        assert_eq!(r.urgency_at(at("2026-01-30")), Some(Urgency::Soon));
        assert_eq!(r.urgency_at(at("2026-02-22")), Some(Urgency::Urgent));
        assert_eq!(r.urgency_at(at("2026-03-01")), Some(Urgency::Overdue));
        assert_eq!(r.alert_at, Some(at("2026-01-30")));
        let r = r.notified(Urgency::Soon);
        assert_eq!(r.alert_at, Some(at("2026-02-22")));
        let r = r.notified(Urgency::Overdue);
        assert_eq!(r.alert_at, None, "nothing left to say");
    }

    #[test]
    fn mileage_without_history_is_known_only_once_passed() {
        let r = Reminder {
            due_mileage: Some(15_000),
            ..reminder()
        };
        let far = r.refreshed(still(10_000, "2026-01-01"));
        assert_eq!(far.alert_at, None);
        assert_eq!(far.projected_due_date(), None);
        let near = r.refreshed(still(14_800, "2026-02-01"));
        assert_eq!(near.urgency_at(at("2026-02-01")), Some(Urgency::Urgent));
        assert_eq!(near.alert_at, Some(at("2026-02-01")));
    }

    #[test]
    fn trend_projects_the_mileage_deadline() {
        let readings = [
            Reading {
                at: at("2025-01-01"),
                km: 10_000,
            },
            Reading {
                at: at("2025-04-11"),
                km: 13_000,
            },
        ];
        // 3,000 km in 100 days: 30 km a day.
        let trend = OdometerTrend::from_readings(13_000, &readings, at("2025-05-01"));
        assert_eq!(trend.km_per_day, Some(30.0));
        let r = Reminder {
            due_mileage: Some(16_000),
            ..reminder()
        }
        .refreshed(trend);
        assert_eq!(r.projected_due_date(), Some(at("2025-07-20")));
        // Soon at 15,000 km: 2,000 km after the last reading, ~66.7 days.
        let soon = r.level_start(Urgency::Soon).unwrap();
        assert_eq!(soon.date_naive().to_string(), "2025-06-16");
        assert_eq!(r.alert_at, Some(soon));
    }

    #[test]
    fn whichever_comes_first_wins() {
        let trend = OdometerTrend {
            km: 10_000,
            at: at("2026-01-01"),
            km_per_day: Some(100.0),
        };
        let r = Reminder {
            due_date: Some(at("2026-12-31")),
            due_mileage: Some(15_000),
            ..reminder()
        }
        .refreshed(trend);
        // 5,000 km at 100 km/day: 50 days, far before the date.
        assert_eq!(r.effective_due(), Some(at("2026-02-20")));
        assert_eq!(r.urgency_at(at("2026-02-21")), Some(Urgency::Overdue));
    }

    #[test]
    fn short_or_flat_histories_give_no_trend() {
        let close = [
            Reading {
                at: at("2026-01-01"),
                km: 1_000,
            },
            Reading {
                at: at("2026-01-03"),
                km: 1_200,
            },
        ];
        assert_eq!(
            OdometerTrend::from_readings(1_200, &close, at("2026-01-04")).km_per_day,
            None
        );
        let flat = [
            Reading {
                at: at("2025-01-01"),
                km: 1_000,
            },
            Reading {
                at: at("2025-06-01"),
                km: 1_000,
            },
        ];
        assert_eq!(
            OdometerTrend::from_readings(1_000, &flat, at("2026-01-04")).km_per_day,
            None
        );
        // Readings older than the window before the latest one are ignored.
        let old = [
            Reading {
                at: at("2020-01-01"),
                km: 0,
            },
            Reading {
                at: at("2025-01-01"),
                km: 50_000,
            },
            Reading {
                at: at("2025-01-21"),
                km: 51_000,
            },
        ];
        assert_eq!(
            OdometerTrend::from_readings(51_000, &old, at("2025-02-01")).km_per_day,
            Some(50.0)
        );
    }

    #[test]
    fn recurrence_counts_from_the_completion() {
        let r = Reminder {
            due_date: Some(at("2026-01-01")),
            due_mileage: Some(15_000),
            recurrence_months: Some(12),
            recurrence_km: Some(15_000),
            notified_level: 3,
            ..reminder()
        };
        let next = r.next_occurrence(at("2026-01-10"), 14_200).unwrap();
        assert_eq!(next.due_date, Some(at("2027-01-10")));
        assert_eq!(next.due_mileage, Some(29_200));
        assert_eq!(next.notified_level, 0);
        assert_ne!(next.id, r.id);
        assert!(reminder().next_occurrence(at("2026-01-10"), 0).is_none());
    }

    #[test]
    fn dates_at_the_edge_of_the_calendar_do_not_panic() {
        let r = Reminder {
            due_date: Some(DateTime::<Utc>::MIN_UTC),
            due_mileage: Some(10),
            remind_days_before: 365,
            recurrence_months: Some(12),
            ..reminder()
        };
        let trend = OdometerTrend {
            km: 0,
            at: DateTime::<Utc>::MAX_UTC,
            km_per_day: Some(0.001),
        };
        let r = r.refreshed(trend);
        assert_eq!(r.urgency_at(at("2026-01-01")), Some(Urgency::Overdue));
        assert!(r.next_occurrence(DateTime::<Utc>::MAX_UTC, 0).is_none());
        let readings = [Reading {
            at: DateTime::<Utc>::MIN_UTC,
            km: 1,
        }];
        OdometerTrend::from_readings(1, &readings, at("2026-01-01"));
    }
}
