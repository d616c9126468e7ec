//! Decimal amounts (costs, prices) held as integer cents, so sums are exact;
//! rendered as strings with two decimals (spec 0.2).

use serde_json::Value;

pub const INVALID: &str = "A valid number is required.";

/// Parses a JSON number or numeric string into cents, within
/// `max_digits` total digits and 2 decimal places. Errors are the
/// contract's messages.
pub fn parse_cents(raw: &Value, max_digits: usize) -> Result<i64, String> {
    let text = match raw {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_string(),
        _ => return Err(INVALID.into()),
    };
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(&text)),
    };
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits_only = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !digits_only(whole) || !digits_only(fraction) {
        return Err(INVALID.into());
    }
    let whole = whole.trim_start_matches('0');
    let fraction_significant = fraction.trim_end_matches('0');
    if whole.len() + fraction_significant.len() > max_digits {
        return Err(format!(
            "Ensure that there are no more than {max_digits} digits in total."
        ));
    }
    if fraction_significant.len() > 2 {
        return Err("Ensure that there are no more than 2 decimal places.".into());
    }
    if whole.len() > max_digits - 2 {
        return Err(format!(
            "Ensure that there are no more than {} digits before the decimal point.",
            max_digits - 2
        ));
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| INVALID.to_string())?
    };
    let mut cents_text = fraction_significant.to_string();
    while cents_text.len() < 2 {
        cents_text.push('0');
    }
    let cents: i64 = cents_text.parse().map_err(|_| INVALID.to_string())?;
    let value = whole * 100 + cents;
    Ok(if negative { -value } else { value })
}

/// `8990` -> `"89.90"`.
pub fn format_cents(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// Cents as a JSON number of currency units, for computed statistics.
pub fn cents_to_number(cents: i64) -> f64 {
    cents as f64 / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_numbers_and_strings() {
        assert_eq!(parse_cents(&json!(89.9), 10), Ok(8990));
        assert_eq!(parse_cents(&json!("89.90"), 10), Ok(8990));
        assert_eq!(parse_cents(&json!(12), 10), Ok(1200));
        assert_eq!(parse_cents(&json!("-3.5"), 10), Ok(-350));
        assert_eq!(parse_cents(&json!("0.10"), 10), Ok(10));
        assert_eq!(parse_cents(&json!(".5"), 10), Ok(50));
    }

    #[test]
    fn reports_the_contract_messages() {
        assert_eq!(parse_cents(&json!("abc"), 10).unwrap_err(), INVALID);
        assert_eq!(parse_cents(&json!(true), 10).unwrap_err(), INVALID);
        assert_eq!(
            parse_cents(&json!("1.234"), 10).unwrap_err(),
            "Ensure that there are no more than 2 decimal places."
        );
        assert_eq!(
            parse_cents(&json!("123456789.1"), 10).unwrap_err(),
            "Ensure that there are no more than 8 digits before the decimal point."
        );
        assert_eq!(
            parse_cents(&json!("12345678901"), 10).unwrap_err(),
            "Ensure that there are no more than 10 digits in total."
        );
    }

    #[test]
    fn formats_with_two_decimals() {
        assert_eq!(format_cents(8990), "89.90");
        assert_eq!(format_cents(0), "0.00");
        assert_eq!(format_cents(5), "0.05");
        assert_eq!(format_cents(-350), "-3.50");
    }
}
