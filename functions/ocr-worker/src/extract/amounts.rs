//! Money amounts and plain numbers on folded text.

use regex_lite::Regex;
use std::sync::LazyLock;

/// Grouped thousands (groups of exactly 3 digits) or plain digits, with an
/// optional 2-digit decimal part.
static AMOUNT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\d{1,3}(?:[ .,']\d{3})+(?:[.,]\d{2})?|\d+(?:[.,]\d{2})?").unwrap()
});

pub(crate) const MAX_CENTS: u64 = 999_999_999;

/// Parses a number token into cents: the last '.'/',' followed by exactly
/// two final digits is the decimal point, other separators are grouping.
pub(crate) fn parse_cents(s: &str) -> Option<u64> {
    let s = s.trim();
    let b = s.as_bytes();
    let n = b.len();
    let (int_part, cents) = if n >= 3
        && matches!(b[n - 3], b'.' | b',')
        && b[n - 2].is_ascii_digit()
        && b[n - 1].is_ascii_digit()
    {
        (
            &s[..n - 3],
            u64::from((b[n - 2] - b'0') * 10 + (b[n - 1] - b'0')),
        )
    } else {
        (s, 0)
    };
    let mut v: u64 = 0;
    let mut digits = 0;
    for c in int_part.chars() {
        if let Some(d) = c.to_digit(10) {
            v = v.checked_mul(10)?.checked_add(u64::from(d))?;
            digits += 1;
        } else if !matches!(c, ' ' | '.' | ',' | '\'' | '\u{a0}' | '\u{202f}') {
            return None;
        }
    }
    if digits == 0 {
        return None;
    }
    let total = v.checked_mul(100)?.checked_add(cents)?;
    (total <= MAX_CENTS).then_some(total)
}

pub(crate) fn fmt_cents(c: u64) -> String {
    format!("{}.{:02}", c / 100, c % 100)
}

/// A money amount at byte range `start..end` of the searched text.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Amount {
    pub start: usize,
    pub end: usize,
    pub cents: u64,
}

/// Amounts standing alone in `s`: not glued to letters, '/', '-', '%' etc.
/// (so dates, references and rates are not read as money).
pub(crate) fn amounts(s: &str) -> Vec<Amount> {
    let mut out = Vec::new();
    for m in AMOUNT.find_iter(s) {
        let before = s[..m.start()].chars().next_back();
        if !before.is_none_or(|c| c == ' ' || ":€£$(=*".contains(c)) {
            continue;
        }
        let after = &s[m.end()..];
        let ok_after = match after.chars().next() {
            None => true,
            Some(c) if c.is_ascii_alphanumeric() => after.starts_with("eur"),
            Some(c) => {
                !matches!(c, '%' | '/' | '°' | '-' | '.' | ',')
                    || !after[c.len_utf8()..].starts_with(|x: char| x.is_ascii_digit())
            }
        };
        if !ok_after || after.starts_with('%') {
            continue;
        }
        if let Some(cents) = parse_cents(m.as_str()) {
            out.push(Amount {
                start: m.start(),
                end: m.end(),
                cents,
            });
        }
    }
    out
}

/// The amount that ends the text (only currency marks may follow it).
pub(crate) fn trailing_amount(s: &str) -> Option<Amount> {
    let a = *amounts(s).last()?;
    let tail = s[a.end..].trim();
    let tail = tail
        .trim_start_matches("euros")
        .trim_start_matches("eur")
        .trim_start_matches(['€', '£', '$'])
        .trim();
    let tail = tail.trim_end_matches(['.', '*']);
    tail.is_empty().then_some(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> Option<String> {
        parse_cents(s).map(fmt_cents)
    }

    #[test]
    fn parsing() {
        assert_eq!(c("1 234,56").as_deref(), Some("1234.56"));
        assert_eq!(c("1.234,56").as_deref(), Some("1234.56"));
        assert_eq!(c("1,234.56").as_deref(), Some("1234.56"));
        assert_eq!(c("1'234.56").as_deref(), Some("1234.56"));
        assert_eq!(c("1234").as_deref(), Some("1234.00"));
        assert_eq!(c("1.234").as_deref(), Some("1234.00"));
        assert_eq!(c("9999999.99").as_deref(), Some("9999999.99"));
        assert_eq!(c("10000000.00"), None);
        assert_eq!(c("99999999999999999999999999"), None);
    }

    #[test]
    fn finding() {
        let v: Vec<u64> = amounts("tva 20% 81,00 € total 1 234,56eur")
            .iter()
            .map(|a| a.cents)
            .collect();
        assert_eq!(v, vec![8100, 123456]);
        assert!(amounts("14/03/2026 fa-2026-0142 12km").is_empty());
        assert_eq!(trailing_amount("vidange  1  45,00 €").unwrap().cents, 4500);
        assert!(trailing_amount("45,00 vidange").is_none());
    }
}
