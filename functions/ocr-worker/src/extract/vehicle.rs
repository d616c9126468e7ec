//! Vehicle identity: plate, make, model, VIN, registration dates.

use super::dates::{find_dates, iso, Bounds};
use super::text::{clamp, clean_value, Doc, Span};
use super::{Fields, LABELLED, PATTERN};
use chrono::NaiveDate;
use regex_lite::Regex;
use serde_json::json;
use std::sync::LazyLock;

fn re(s: &str) -> Regex {
    Regex::new(s).unwrap()
}

static SIV: LazyLock<Regex> = LazyLock::new(|| re(r"\b([a-z]{2})[ -]?(\d{3})[ -]?([a-z]{2})\b"));
/// Unlabelled plates need dashes or no separator at all, so "le 123 de" is
/// not read as a plate.
static SIV_TIGHT: LazyLock<Regex> =
    LazyLock::new(|| re(r"\b([a-z]{2})(-?)(\d{3})(-?)([a-z]{2})\b"));
static FNI: LazyLock<Regex> = LazyLock::new(|| re(r"\b(\d{1,4}) ?([a-z]{1,3}) ?(\d{2}|2a|2b)\b"));
static UK: LazyLock<Regex> = LazyLock::new(|| re(r"\b([a-z]{2}\d{2}) ?([a-z]{3})\b"));
static VIN: LazyLock<Regex> = LazyLock::new(|| re(r"\b[a-hj-npr-z0-9]{17}\b"));

/// Carte grise field code: "A.", "A)", "(A)", "A :", "D.1", at line start or
/// after a column gap.
static EU_LABEL: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?:^|\s\s)\s*\(?([a-z])(?:\.(\d{1,2}))?\s*([.):])?"));
/// English V5C caption that may follow an EU code.
static CAPTION: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^(?:registration\s+(?:number|mark)|date\s+of\s+first\s+registration(?:\s+in\s+the\s+uk)?|make|model|type|vin\s*/\s*chassis\s*/\s*frame\s*no\b\.?|vin|chassis(?:\s*no\b\.?)?)\s*[:\-]?\s*",
    )
});

static PLATE_LBL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"n\s?°\s*d'immatriculation|numero\s+d'immatriculation|\bimmatriculation\b|\bimmat\b\.?|registration\s+(?:number|mark|no\b\.?)|vehicle\s+registration(?:\s+mark)?|\bplaque\b",
    )
});
static MAKE_LBL: LazyLock<Regex> = LazyLock::new(|| re(r"\bmarque\b|\bmake\b"));
static MODEL_LBL: LazyLock<Regex> =
    LazyLock::new(|| re(r"\bmodele\b|\bmodel\b|denomination\s+commerciale|type\s+commercial"));
static VIN_LBL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:numero|n\s?°)\s*d'identification(?:\s*\(vin\))?|n\s?°\s*de\s+serie|numero\s+de\s+serie|\bvin\b(?:\s*/\s*chassis)?(?:\s*/\s*frame)?(?:\s*(?:no|number)\b\.?)?|vehicle\s+identification\s+number|\bchassis\b(?:\s*no\b\.?)?",
    )
});
static FIRST_REG_LBL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:date\s+de\s+)?(?:1ere|premiere)\s+(?:mise\s+en\s+circulation|immatriculation)|date\s+of\s+first\s+registration|mise\s+en\s+circulation|\bdmec\b",
    )
});

/// A plate parsed from the start of some text: (byte start, byte end,
/// normalised value, confidence).
fn parse_plate(s: &str) -> Option<(usize, usize, String, f64)> {
    if let Some(c) = SIV.captures(s) {
        let m = c.get(0)?;
        let letters = format!("{}{}", &c[1], &c[3]);
        // SIV never uses I, O, U: those come from OCR, so trust them less.
        let conf = if letters.contains(['i', 'o', 'u']) {
            PATTERN
        } else {
            LABELLED
        };
        let v = format!("{}-{}-{}", &c[1], &c[2], &c[3]).to_uppercase();
        return Some((m.start(), m.end(), v, conf));
    }
    if let Some(c) = UK.captures(s) {
        let m = c.get(0)?;
        let v = format!("{} {}", &c[1], &c[2]).to_uppercase();
        return Some((m.start(), m.end(), v, LABELLED));
    }
    let c = FNI.captures(s)?;
    let m = c.get(0)?;
    let v = format!("{} {} {}", &c[1], &c[2], &c[3]).to_uppercase();
    Some((m.start(), m.end(), v, LABELLED))
}

/// A VIN from a labelled value: spaces inside are dropped.
fn parse_vin(s: &str) -> Option<String> {
    let squeezed: String = clean_value(s)
        .chars()
        .filter(|c| *c != ' ')
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    valid_vin(&squeezed).then(|| squeezed.to_uppercase())
}

fn valid_vin(v: &str) -> bool {
    v.len() == 17
        && v.bytes()
            .all(|b| b.is_ascii_digit() || (b.is_ascii_alphabetic() && !b"ioqIOQ".contains(&b)))
        && v.bytes().any(|b| b.is_ascii_digit())
        && v.bytes().any(|b| b.is_ascii_alphabetic())
}

/// Free-text value (make, model): original case, one column, no nested label.
fn text_value(doc: &Doc, sp: Span) -> Option<String> {
    let v = clean_value(doc.orig(sp));
    let ok = !v.is_empty()
        && v.chars().count() <= 40
        && !v.contains(':')
        && v.chars().any(char::is_alphanumeric);
    ok.then(|| v.to_string())
}

fn put_text(doc: &Doc, sp: Span, name: &str, f: &mut Fields) -> bool {
    match text_value(doc, sp) {
        Some(v) => {
            f.put(name, json!(v), LABELLED);
            true
        }
        None => false,
    }
}

fn put_date(doc: &Doc, sp: Span, b: Bounds, name: &str, f: &mut Fields) -> bool {
    let hit = find_dates(doc.text(sp), doc.english)
        .into_iter()
        .find(|d| d.start <= 30 && b.ok(d.date));
    if let Some(d) = hit {
        f.put(name, json!(iso(d.date)), LABELLED);
    }
    hit.is_some()
}

fn put_plate(doc: &Doc, sp: Span, f: &mut Fields) -> bool {
    match parse_plate(doc.text(sp)) {
        Some((_, _, v, conf)) => {
            f.put("license_plate", json!(v), conf);
            true
        }
        None => false,
    }
}

fn put_vin(doc: &Doc, sp: Span, f: &mut Fields) -> bool {
    match parse_vin(doc.text(sp)) {
        Some(v) => {
            f.put("vin", json!(v), LABELLED);
            true
        }
        None => false,
    }
}

pub(crate) fn extract(doc: &Doc, today: NaiveDate, f: &mut Fields, registration: bool) {
    let b = Bounds::new(today, 1900, 1);
    if registration {
        eu_labels(doc, b, f);
    }
    doc.each_label(&PLATE_LBL, true, |sp| put_plate(doc, sp, f));
    doc.each_label(&MAKE_LBL, true, |sp| put_text(doc, sp, "make", f));
    doc.each_label(&MODEL_LBL, true, |sp| put_text(doc, sp, "model", f));
    doc.each_label(&VIN_LBL, true, |sp| put_vin(doc, sp, f));
    doc.each_label(&FIRST_REG_LBL, true, |sp| {
        put_date(doc, sp, b, "first_registration_date", f)
    });
    plate_fallback(doc, f);
    if !f.has("vin") {
        for line in &doc.lines {
            if let Some(m) = VIN.find_iter(&line.fold).find(|m| valid_vin(m.as_str())) {
                f.put("vin", json!(m.as_str().to_uppercase()), PATTERN);
                break;
            }
        }
    }
}

/// Any well-formed SIV plate (UK plate in English text) when none is labelled.
pub(crate) fn plate_fallback(doc: &Doc, f: &mut Fields) {
    if f.has("license_plate") {
        return;
    }
    for line in &doc.lines {
        for c in SIV_TIGHT.captures_iter(&line.fold) {
            let letters = format!("{}{}", &c[1], &c[5]);
            if c[2] == c[4] && !letters.contains(['i', 'o', 'u']) {
                let v = format!("{}-{}-{}", &c[1], &c[3], &c[5]).to_uppercase();
                f.put("license_plate", json!(v), PATTERN);
                return;
            }
        }
    }
    if doc.english {
        for line in &doc.lines {
            if let Some(c) = UK.captures(&line.fold) {
                let v = format!("{} {}", &c[1], &c[2]).to_uppercase();
                f.put("license_plate", json!(v), PATTERN);
                return;
            }
        }
    }
}

/// One carte grise code found on a line.
struct Code {
    code: String,
    start: usize,
    value_start: usize,
}

fn codes(fold: &str) -> Vec<Code> {
    let mut out = Vec::new();
    for c in EU_LABEL.captures_iter(fold) {
        let (Some(m), Some(letter)) = (c.get(0), c.get(1)) else {
            continue;
        };
        let digits = c.get(2).map(|d| d.as_str());
        let sep = c.get(3).is_some();
        let code_end = c.get(2).map_or(m.end(), |d| d.end());
        let next = fold[code_end..].chars().next();
        let glued = next.is_some_and(|ch| ch.is_ascii_alphanumeric());
        // A bare letter needs a separator; "D.1" needs one or a space after.
        if !sep && (digits.is_none() || glued) {
            continue;
        }
        let code = match digits {
            Some(d) => format!("{}.{}", letter.as_str(), d),
            None => letter.as_str().to_string(),
        };
        out.push(Code {
            code,
            start: m.start() + (m.as_str().len() - m.as_str().trim_start().len()),
            value_start: m.end(),
        });
    }
    out
}

fn eu_labels(doc: &Doc, b: Bounds, f: &mut Fields) {
    for (li, line) in doc.lines.iter().enumerate() {
        let found = codes(&line.fold);
        for (k, code) in found.iter().enumerate() {
            let name = match code.code.as_str() {
                "a" => "license_plate",
                "b" => "first_registration_date",
                "d.1" => "make",
                "d.3" => "model",
                "e" => "vin",
                "i" => "certificate_date",
                _ => continue,
            };
            let end = found.get(k + 1).map_or(line.fold.len(), |n| n.start);
            let end = clamp(&line.fold, end.min(code.value_start + 200));
            let mut sp = Span {
                line: li,
                start: code.value_start,
                end: end.max(code.value_start),
            };
            if doc.text(sp).trim().is_empty() {
                // Value on the next line, up to its first code.
                let Some(n) = doc.next_nonempty(li) else {
                    continue;
                };
                let g = &doc.lines[n].fold;
                let g = &g[..clamp(g, 200)];
                let first = codes(g).first().map_or(g.len(), |c| c.start);
                sp = Span {
                    line: n,
                    start: 0,
                    end: first,
                };
            }
            // Skip an English caption ("D.1 Make: FORD").
            if let Some(m) = CAPTION.find(doc.text(sp).trim_start()) {
                let lead = doc.text(sp).len() - doc.text(sp).trim_start().len();
                sp.start += lead + m.end();
            }
            match name {
                "license_plate" => put_plate(doc, sp, f),
                "make" | "model" => put_text(doc, sp, name, f),
                "vin" => put_vin(doc, sp, f),
                _ => put_date(doc, sp, b, name, f),
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(s: &str) -> Fields {
        let mut f = Fields::default();
        extract(
            &Doc::new(s),
            NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
            &mut f,
            true,
        );
        f
    }

    #[test]
    fn plates() {
        assert_eq!(parse_plate("ab 123 cd").unwrap().2, "AB-123-CD");
        assert_eq!(parse_plate("ab123cd").unwrap().3, LABELLED);
        assert_eq!(parse_plate("ou-123-cd").unwrap().3, PATTERN);
        assert_eq!(parse_plate("1234 ab 56").unwrap().2, "1234 AB 56");
        assert_eq!(parse_plate("ab12 cde").unwrap().2, "AB12 CDE");
    }

    #[test]
    fn codes_on_one_line_and_next_line() {
        let f = run("A. AB-123-CD  B. 12/03/2019\nD.1\nRENAULT\nD.3 2CV\n(E) VF1 RFB00 X12345678");
        assert_eq!(f.get("model"), Some(&json!("2CV")));
        assert_eq!(f.get("license_plate"), Some(&json!("AB-123-CD")));
        assert_eq!(f.get("first_registration_date"), Some(&json!("2019-03-12")));
        assert_eq!(f.get("make"), Some(&json!("RENAULT")));
        assert_eq!(f.get("vin"), Some(&json!("VF1RFB00X12345678")));
    }

    #[test]
    fn vin_rules() {
        assert!(valid_vin("vf1rfb00x12345678"));
        assert!(!valid_vin("vf1rfbo0x12345678"));
        assert!(!valid_vin("vf1rfb00x1234567"));
    }

    #[test]
    fn lone_code_at_end() {
        let f = run("A.");
        assert!(!f.has("license_plate"));
        let f = run("D.1");
        assert!(!f.has("make"));
    }
}
