//! Clock and date-time formatting in the contract's shape (spec 0.2): UTC,
//! `Z` suffix, microseconds only when non-zero.

use chrono::{DateTime, Datelike, SecondsFormat, SubsecRound, Timelike, Utc};
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

/// Earliest and latest instants the API accepts, inclusive: every accepted
/// value then formats as a four-digit year that parses back to itself (a
/// `+10001` or `-0001` year cannot be read back), and no stray date sorts
/// first in the alert index.
pub const MIN_YEAR: i32 = 1900;
pub const MAX_YEAR: i32 = 2200;

/// Why an input date-time was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateError {
    /// Not one of the accepted forms.
    Format,
    /// A valid date outside `MIN_YEAR..=MAX_YEAR` (in UTC).
    OutOfRange,
}

/// The message of `DateError::OutOfRange`, shown as a field error.
pub const OUT_OF_RANGE: &str =
    "Date out of range: use a date between 1900-01-01 and 2200-12-31 (UTC).";

/// Parses an input date-time: RFC 3339 with or without offset (naive values
/// are UTC) or a bare `YYYY-MM-DD` (midnight UTC), bounded to years
/// `MIN_YEAR..=MAX_YEAR` once in UTC. Every input (bodies, query
/// parameters) goes through here.
pub fn parse(input: &str) -> Option<DateTime<Utc>> {
    check(input).ok()
}

/// `parse`, saying why a value was refused.
pub fn check(input: &str) -> Result<DateTime<Utc>, DateError> {
    let at = parse_unbounded(input).ok_or(DateError::Format)?;
    if (MIN_YEAR..=MAX_YEAR).contains(&at.year()) {
        Ok(at)
    } else {
        Err(DateError::OutOfRange)
    }
}

/// The syntax alone. Stored values are read with it: a date derived from an
/// accepted one (an alert three days before 1900-01-01, the next occurrence
/// after 2200-12-31) is still a four-digit year and must stay readable.
fn parse_unbounded(input: &str) -> Option<DateTime<Utc>> {
    parse_syntax(input).map(without_leap_second)
}

/// chrono keeps a leap second (`:60`) as a nanosecond count past one
/// second, which would format as `:60.000000` and sort apart: hold it at
/// the last microsecond of the second before.
fn without_leap_second(at: DateTime<Utc>) -> DateTime<Utc> {
    if at.nanosecond() >= 1_000_000_000 {
        at.with_nanosecond(999_999_000).unwrap_or(at)
    } else {
        at
    }
}

fn parse_syntax(input: &str) -> Option<DateTime<Utc>> {
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
        parse_unbounded(&raw).ok_or_else(|| serde::de::Error::custom("invalid date-time"))
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
            Some(r) => parse_unbounded(&r)
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

    #[test]
    fn dates_are_bounded_to_years_1900_through_2200_in_utc() {
        let accepted = [
            ("1900-01-01T00:00:00Z", "1900-01-01T00:00:00Z"),
            ("1900-01-01", "1900-01-01T00:00:00Z"),
            ("2200-12-31T23:59:59.999999Z", "2200-12-31T23:59:59.999999Z"),
            // Fractions beyond microseconds are cut, never rounded up into 2201.
            (
                "2200-12-31T23:59:59.9999999Z",
                "2200-12-31T23:59:59.999999Z",
            ),
            (
                "2200-12-31T23:59:59.123456789",
                "2200-12-31T23:59:59.123456Z",
            ),
            ("2000-02-29", "2000-02-29T00:00:00Z"),
            ("2024-02-29T12:00:00+02:00", "2024-02-29T10:00:00Z"),
            ("2200-02-28T00:00:00Z", "2200-02-28T00:00:00Z"),
            // A leap second is held at the last microsecond before it.
            ("2016-12-31T23:59:60Z", "2016-12-31T23:59:59.999999Z"),
            ("2016-12-31T23:59:60.5Z", "2016-12-31T23:59:59.999999Z"),
            // Offsets that land inside the range once in UTC.
            ("1900-01-01T00:30:00-01:00", "1900-01-01T01:30:00Z"),
            ("2201-01-01T00:30:00+01:00", "2200-12-31T23:30:00Z"),
        ];
        for (input, expected) in accepted {
            let at = check(input).unwrap_or_else(|e| panic!("{input}: {e:?}"));
            assert_eq!(format(&at), expected, "{input}");
            assert_eq!(parse(&format(&at)), Some(at), "{input}");
            assert_eq!(parse(&sortable(&at)), Some(at), "{input}");
        }
        let refused = [
            ("+10001-01-01", DateError::OutOfRange),
            ("-0001-06-01", DateError::OutOfRange),
            ("0000-01-01T00:00:00Z", DateError::OutOfRange),
            ("1899-12-31T23:59:59.999999Z", DateError::OutOfRange),
            ("2201-01-01T00:00:00Z", DateError::OutOfRange),
            ("9999-12-31", DateError::OutOfRange),
            // In range as written, out of range in UTC.
            ("2200-12-31T23:30:00-01:00", DateError::OutOfRange),
            ("1900-01-01T00:30:00+01:00", DateError::OutOfRange),
            ("2100-02-29", DateError::Format),
            ("2200-02-29", DateError::Format),
            ("2024-13-01", DateError::Format),
            ("", DateError::Format),
        ];
        for (input, why) in refused {
            assert_eq!(check(input), Err(why), "{input}");
            assert_eq!(parse(input), None, "{input}");
        }
    }

    #[test]
    fn every_instant_in_range_reads_back_as_itself() {
        use rand::Rng;
        let low = parse("1900-01-01T00:00:00Z").unwrap().timestamp_micros();
        let high = parse("2200-12-31T23:59:59.999999Z")
            .unwrap()
            .timestamp_micros();
        let mut rng = rand::thread_rng();
        for i in 0..20_000 {
            let micros = match i {
                0 => low,
                1 => high,
                _ => rng.gen_range(low..=high),
            };
            // Whole seconds too: the contract form then drops the fraction.
            let micros = if i % 4 == 0 {
                micros - micros.rem_euclid(1_000_000)
            } else {
                micros
            };
            let at = DateTime::from_timestamp_micros(micros).unwrap();
            assert_eq!(parse(&format(&at)), Some(at), "{}", format(&at));
            assert_eq!(parse(&sortable(&at)), Some(at), "{}", sortable(&at));
        }
    }

    #[test]
    fn stored_values_derived_from_accepted_ones_stay_readable() {
        // An alert three days before 1900-01-01 is stored, and read back.
        let early = parse("1900-01-01").unwrap() - chrono::Duration::days(3);
        let json = format!("\"{}\"", format(&early));
        let mut de = serde_json::Deserializer::from_str(&json);
        assert_eq!(rfc3339::deserialize(&mut de).unwrap(), early);
        let mut de = serde_json::Deserializer::from_str("\"+10001-01-01T00:00:00Z\"");
        assert!(rfc3339::deserialize(&mut de).is_err());
    }
}
