//! Date recognition on folded text.

use chrono::{Months, NaiveDate};
use regex_lite::Regex;
use std::sync::LazyLock;

static NUMERIC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(\d{1,2}) ?([/.\-]) ?(\d{1,2}) ?([/.\-]) ?(\d{4}|\d{2})\b").unwrap()
});
static ISO: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b").unwrap());
static DAY_MONTH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(\d{1,2})(?:er|st|nd|rd|th)? ?([a-z]{3,9})\.?,? ?(\d{4})\b").unwrap()
});
static MONTH_DAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b([a-z]{3,9})\.? ?(\d{1,2})(?:st|nd|rd|th)?,? ?(\d{4})\b").unwrap()
});

fn month(w: &str) -> Option<u32> {
    Some(match w {
        "janvier" | "janv" | "jan" | "january" => 1,
        "fevrier" | "fevr" | "fev" | "feb" | "february" => 2,
        "mars" | "mar" | "march" => 3,
        "avril" | "avr" | "apr" | "april" => 4,
        "mai" | "may" => 5,
        "juin" | "jun" | "june" => 6,
        "juillet" | "juil" | "jul" | "july" => 7,
        "aout" | "aug" | "august" => 8,
        "septembre" | "sept" | "sep" | "september" => 9,
        "octobre" | "oct" | "october" => 10,
        "novembre" | "nov" | "november" => 11,
        "decembre" | "dec" | "december" => 12,
        _ => return None,
    })
}

fn num(s: &str) -> Option<u32> {
    s.parse().ok()
}

/// A calendar date found at byte range `start..end` of the searched text.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Found {
    pub start: usize,
    pub end: usize,
    pub date: NaiveDate,
}

/// All valid calendar dates in `s`, left to right, non-overlapping.
/// Numeric dates are day first; month first only for English text when
/// day first is impossible.
pub(crate) fn find_dates(s: &str, english: bool) -> Vec<Found> {
    let mut out = Vec::new();
    for c in NUMERIC.captures_iter(s) {
        if c[2] != c[4] {
            continue;
        }
        let (Some(a), Some(b)) = (num(&c[1]), num(&c[3])) else {
            continue;
        };
        let y: i32 = match c[5].parse::<i32>() {
            Ok(y) if c[5].len() == 2 => 2000 + y,
            Ok(y) => y,
            Err(_) => continue,
        };
        let d = NaiveDate::from_ymd_opt(y, b, a).or_else(|| {
            if english {
                NaiveDate::from_ymd_opt(y, a, b)
            } else {
                None
            }
        });
        push(&mut out, &c, d);
    }
    for c in ISO.captures_iter(s) {
        let d = match (c[1].parse::<i32>(), num(&c[2]), num(&c[3])) {
            (Ok(y), Some(m), Some(d)) => NaiveDate::from_ymd_opt(y, m, d),
            _ => None,
        };
        push(&mut out, &c, d);
    }
    for c in DAY_MONTH.captures_iter(s) {
        let d = match (num(&c[1]), month(&c[2]), c[3].parse::<i32>()) {
            (Some(d), Some(m), Ok(y)) => NaiveDate::from_ymd_opt(y, m, d),
            _ => None,
        };
        push(&mut out, &c, d);
    }
    for c in MONTH_DAY.captures_iter(s) {
        let d = match (month(&c[1]), num(&c[2]), c[3].parse::<i32>()) {
            (Some(m), Some(d), Ok(y)) => NaiveDate::from_ymd_opt(y, m, d),
            _ => None,
        };
        push(&mut out, &c, d);
    }
    out.sort_by_key(|f| f.start);
    let mut kept: Vec<Found> = Vec::with_capacity(out.len());
    for f in out {
        if kept.last().is_none_or(|k| f.start >= k.end) {
            kept.push(f);
        }
    }
    kept
}

fn push(out: &mut Vec<Found>, c: &regex_lite::Captures, d: Option<NaiveDate>) {
    if let (Some(date), Some(m)) = (d, c.get(0)) {
        out.push(Found {
            start: m.start(),
            end: m.end(),
            date,
        });
    }
}

/// Inclusive range of plausible dates.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Bounds {
    pub lo: NaiveDate,
    pub hi: NaiveDate,
}

impl Bounds {
    /// From `lo_year`-01-01 to `today` plus `years_ahead` years.
    pub fn new(today: NaiveDate, lo_year: i32, years_ahead: u32) -> Bounds {
        let lo = NaiveDate::from_ymd_opt(lo_year, 1, 1).unwrap_or(NaiveDate::MIN);
        let hi = today
            .checked_add_months(Months::new(12 * years_ahead))
            .unwrap_or(NaiveDate::MAX);
        Bounds { lo, hi }
    }

    pub fn ok(&self, d: NaiveDate) -> bool {
        d >= self.lo && d <= self.hi
    }
}

pub(crate) fn iso(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(s: &str, en: bool) -> Option<NaiveDate> {
        find_dates(s, en).first().map(|f| f.date)
    }
    fn d(y: i32, m: u32, dd: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, dd)
    }

    #[test]
    fn formats() {
        assert_eq!(one("le 14/03/2026", false), d(2026, 3, 14));
        assert_eq!(one("14-03-2026", false), d(2026, 3, 14));
        assert_eq!(one("14.03.2026", false), d(2026, 3, 14));
        assert_eq!(one("14/03/26", false), d(2026, 3, 14));
        assert_eq!(one("14 mars 2026", false), d(2026, 3, 14));
        assert_eq!(one("1er janv. 2026", false), d(2026, 1, 1));
        assert_eq!(one("14 march 2026", true), d(2026, 3, 14));
        assert_eq!(one("march 14, 2026", true), d(2026, 3, 14));
        assert_eq!(one("5 sept. 2025", false), d(2025, 9, 5));
        assert_eq!(one("2026-03-14", false), d(2026, 3, 14));
        assert_eq!(one("14 fevr 2026", false), d(2026, 2, 14));
    }

    #[test]
    fn day_first_and_impossible() {
        assert_eq!(one("03/04/2026", true), d(2026, 4, 3));
        assert_eq!(one("03/14/2026", true), d(2026, 3, 14));
        assert_eq!(one("03/14/2026", false), None);
        assert_eq!(one("31/02/2026", false), None);
        assert_eq!(one("14/03-2026", false), None);
        assert_eq!(one("12 kg 2026", false), None);
    }

    #[test]
    fn bounds() {
        let today = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        let b = Bounds::new(today, 1990, 1);
        assert!(b.ok(NaiveDate::from_ymd_opt(2025, 2, 28).unwrap()));
        assert!(!b.ok(NaiveDate::from_ymd_opt(2025, 3, 2).unwrap()));
        assert!(!b.ok(NaiveDate::from_ymd_opt(1989, 12, 31).unwrap()));
    }
}
