//! Clock and date-time formatting in the contract's shape (spec 0.2): UTC,
//! `Z` suffix, microseconds only when non-zero.

use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};
use serde::{Deserialize, Deserializer, Serializer};

/// Now, truncated to microseconds so stored and rendered values agree.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

pub fn format(dt: &DateTime<Utc>) -> String {
    if dt.timestamp_subsec_micros() == 0 {
        dt.to_rfc3339_opts(SecondsFormat::Secs, true)
    } else {
        dt.to_rfc3339_opts(SecondsFormat::Micros, true)
    }
}

/// Fixed-width form for index sort keys: always six fraction digits, so
/// string order is time order (the contract's form drops zero fractions,
/// and `.` sorts before `Z`).
pub fn sortable(dt: &DateTime<Utc>) -> String {
    dt.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Parses an input date-time: RFC 3339 with or without offset (naive values
/// are UTC) or a bare `YYYY-MM-DD` (midnight UTC).
pub fn parse(input: &str) -> Option<DateTime<Utc>> {
    let s = input.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt.with_timezone(&Utc).trunc_subsecs(6));
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(naive) = chrono::NaiveDateTime::parse_from_str(s, fmt) {
            return Some(naive.and_utc().trunc_subsecs(6));
        }
    }
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|n| n.and_utc())
}

/// serde adapter: stored and rendered as the contract's string form.
pub mod rfc3339 {
    use super::*;

    pub fn serialize<S: Serializer>(dt: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format(dt))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let raw = String::deserialize(d)?;
        parse(&raw).ok_or_else(|| serde::de::Error::custom("invalid date-time"))
    }
}

/// serde adapter for optional date-times.
pub mod rfc3339_opt {
    use super::*;

    pub fn serialize<S: Serializer>(dt: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        match dt {
            Some(dt) => s.serialize_str(&format(dt)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        let raw = Option::<String>::deserialize(d)?;
        match raw {
            None => Ok(None),
            Some(r) => parse(&r)
                .map(Some)
                .ok_or_else(|| serde::de::Error::custom("invalid date-time")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_whole_seconds_without_fraction_and_micros_otherwise() {
        let whole = parse("2024-01-01T00:00:00Z").unwrap();
        assert_eq!(format(&whole), "2024-01-01T00:00:00Z");
        let fine = parse("2026-11-25T04:17:10.318749Z").unwrap();
        assert_eq!(format(&fine), "2026-11-25T04:17:10.318749Z");
    }

    #[test]
    fn sortable_form_orders_like_time() {
        let whole = parse("2024-01-01T00:00:00Z").unwrap();
        let later = parse("2024-01-01T00:00:00.5Z").unwrap();
        assert!(
            format(&later) < format(&whole),
            "the contract form does not sort"
        );
        assert!(sortable(&whole) < sortable(&later));
        assert_eq!(sortable(&whole), "2024-01-01T00:00:00.000000Z");
    }

    #[test]
    fn parses_offsets_naive_values_and_bare_dates() {
        assert_eq!(
            format(&parse("2024-01-01T02:00:00+02:00").unwrap()),
            "2024-01-01T00:00:00Z"
        );
        assert_eq!(
            format(&parse("2024-01-01T10:30").unwrap()),
            "2024-01-01T10:30:00Z"
        );
        assert_eq!(
            format(&parse("2024-03-05").unwrap()),
            "2024-03-05T00:00:00Z"
        );
        assert!(parse("yesterday").is_none());
    }
}
