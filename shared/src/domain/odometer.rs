//! Odometer readings and the trend they give (km per day): what a vehicle
//! records and what reminders project from. No entity here, so vehicles,
//! maintenances and reminders all depend on it and not on each other.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::time;

/// Odometer readings older than this before the latest one do not count.
pub const TREND_WINDOW_DAYS: i64 = 365;
/// Readings closer together than this give no trend (too noisy).
pub const TREND_MIN_SPAN_DAYS: i64 = 7;
/// How many odometer updates a vehicle keeps.
pub const ODOMETER_LOG_LEN: usize = 20;

/// One odometer reading.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq)]
pub struct Reading {
    #[serde(with = "time::rfc3339")]
    pub at: DateTime<Utc>,
    pub km: i64,
}

/// The odometer now and how fast it moves.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq)]
pub struct OdometerTrend {
    pub km: i64,
    /// When `km` was read.
    #[serde(with = "time::rfc3339")]
    pub at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub km_per_day: Option<f64>,
}

impl OdometerTrend {
    /// From a vehicle's current odometer and its readings (any order): the
    /// average distance per day between the first and the last reading of
    /// the recent window.
    pub fn from_readings(current_km: i64, readings: &[Reading], now: DateTime<Utc>) -> Self {
        let mut past: Vec<Reading> = readings.iter().filter(|r| r.at <= now).copied().collect();
        past.sort_by_key(|r| r.at);
        let Some(last) = past.last().copied() else {
            return OdometerTrend {
                km: current_km,
                at: now,
                km_per_day: None,
            };
        };
        let window_start = last
            .at
            .checked_sub_signed(Duration::days(TREND_WINDOW_DAYS))
            .unwrap_or(DateTime::<Utc>::MIN_UTC);
        let first = past
            .iter()
            .find(|r| r.at >= window_start)
            .copied()
            .unwrap_or(last);
        let span_days = (last.at - first.at).num_seconds() as f64 / 86_400.0;
        let distance = last.km.max(current_km) - first.km;
        let km_per_day = (span_days >= TREND_MIN_SPAN_DAYS as f64 && distance > 0)
            .then(|| distance as f64 / span_days);
        OdometerTrend {
            km: current_km.max(last.km),
            at: last.at,
            km_per_day,
        }
    }

    /// When the odometer reaches `target`: the reading's time when it already
    /// has, a projection with a trend, unknown otherwise.
    pub fn reaching(&self, target: i64) -> Option<DateTime<Utc>> {
        if target <= self.km {
            return Some(self.at);
        }
        let rate = self.km_per_day.filter(|r| *r > 0.0)?;
        let seconds = (target - self.km) as f64 / rate * 86_400.0;
        // Beyond a century the projection means nothing (and must not overflow).
        (seconds < 100.0 * 365.0 * 86_400.0)
            .then(|| {
                self.at
                    .checked_add_signed(Duration::seconds(seconds as i64))
            })
            .flatten()
    }
}

/// Appends a reading to a vehicle's log, keeping the newest ones.
pub fn record_reading(log: &mut Vec<Reading>, reading: Reading) {
    log.push(reading);
    if log.len() > ODOMETER_LOG_LEN {
        let extra = log.len() - ODOMETER_LOG_LEN;
        log.drain(..extra);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_keeps_the_newest_readings() {
        let mut log = Vec::new();
        for km in 0..25 {
            record_reading(
                &mut log,
                Reading {
                    at: time::parse("2026-01-01").unwrap(),
                    km,
                },
            );
        }
        assert_eq!(log.len(), ODOMETER_LOG_LEN);
        assert_eq!(log[0].km, 5);
    }
}
