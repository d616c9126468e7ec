//! Insurance attestation fields: insurer, contract number, validity.

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

static INSURER_LBL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\bassureur\b|compagnie\s+d'assurances?|\bcompagnie\b|\binsurer\b|insurance\s+company|societe\s+d'assurances?|underwritten\s+by",
    )
});
static KNOWN: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:axa|allianz|maaf|maif|macif|matmut|gmf|groupama|generali|mma|pacifica|direct\s+assurance|leocare|aviva|admiral|direct\s+line)\b",
    )
});
static CONTRACT_LBL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:\bn\s?°|\bn[o0]\b\.?|\bnumero|\bnum\b\.?)\s*(?:de\s+|du\s+)?(?:contrat|police|societaire|adherent)(?:\s+d'assurance)?|\b(?:contrat|police|societaire)\s*(?:n\s?°|n[o0]\b\.?|numero|num\b\.?)|\bpolicy\s*(?:number|no\b\.?|n\s?°|#)?\s*:?",
    )
});
static CONTRACT_VALUE: LazyLock<Regex> =
    LazyLock::new(|| re(r"^#?\s*([a-z0-9][a-z0-9/_.\-]{2,30})"));
static UNTIL_LBL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"date\s+d'echeance|\becheance\b|expiry\s+date|date\s+of\s+expiry|\bexpires?(?:\s+on)?\b|valable\s+jusqu'au|valide\s+jusqu'au|jusqu'au|valid\s+(?:until|to)|date\s+de\s+fin|fin\s+de\s+validite|end\s+date",
    )
});
static FROM_LBL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"date\s+d'effet|prise\s+d'effet|valid\s+from|start\s+date|date\s+de\s+debut|a\s+compter\s+du|effective\s+date|date\s+of\s+commencement",
    )
});
/// Words that open a "from X to Y" range right before the first date.
static RANGE_OPEN: LazyLock<Regex> = LazyLock::new(|| re(r"(?:\bdu|\bfrom|\bde)\s*$"));
static RANGE_MID: LazyLock<Regex> =
    LazyLock::new(|| re(r"^\s*(?:au|to|until|till|jusqu'au|-)\s*$"));

pub(crate) fn extract(doc: &Doc, today: NaiveDate, f: &mut Fields) {
    insurer(doc, f);
    contract_number(doc, f);
    validity(doc, Bounds::new(today, 1990, 5), f);
}

fn insurer(doc: &Doc, f: &mut Fields) {
    let found = doc.each_label(&INSURER_LBL, false, |sp| {
        let v = clean_value(doc.orig(sp));
        let ok = v.chars().filter(|c| c.is_alphabetic()).count() >= 2
            && v.chars().count() <= 60
            && !v.contains(':');
        if ok {
            f.put("insurer", json!(v), LABELLED);
        }
        ok
    });
    if found {
        return;
    }
    for (li, line) in doc.lines.iter().enumerate() {
        if let Some(m) = KNOWN.find(&line.fold) {
            let sp = Span {
                line: li,
                start: m.start(),
                end: m.end(),
            };
            f.put("insurer", json!(doc.orig(sp)), PATTERN);
            return;
        }
    }
}

pub(crate) fn contract_number(doc: &Doc, f: &mut Fields) {
    doc.each_label(&CONTRACT_LBL, false, |sp| {
        let Some(m) = CONTRACT_VALUE.captures(doc.text(sp)).and_then(|c| c.get(1)) else {
            return false;
        };
        let v = m.as_str().trim_end_matches(['-', '/', '.', '_']);
        if !v.bytes().any(|b| b.is_ascii_digit()) {
            return false;
        }
        let s = Span {
            line: sp.line,
            start: sp.start + m.start(),
            end: sp.start + m.start() + v.len(),
        };
        f.put("contract_number", json!(doc.orig(s)), LABELLED);
        true
    });
}

/// valid_from / valid_until from "du X au Y" ranges, then single labels.
pub(crate) fn validity(doc: &Doc, b: Bounds, f: &mut Fields) {
    'lines: for line in &doc.lines {
        let t = &line.fold;
        let ds = find_dates(t, doc.english);
        for w in ds.windows(2) {
            let (d1, d2) = (w[0], w[1]);
            let before = &t[clamp(t, d1.start.saturating_sub(30))..d1.start];
            if RANGE_OPEN.is_match(before)
                && RANGE_MID.is_match(&t[d1.end..d2.start])
                && d1.date <= d2.date
                && b.ok(d1.date)
                && b.ok(d2.date)
            {
                f.put("valid_from", json!(iso(d1.date)), LABELLED);
                f.put("valid_until", json!(iso(d2.date)), LABELLED);
                break 'lines;
            }
        }
    }
    for (name, label) in [("valid_until", &*UNTIL_LBL), ("valid_from", &*FROM_LBL)] {
        doc.each_label(label, false, |sp| {
            let hit = find_dates(doc.text(sp), doc.english)
                .into_iter()
                .find(|d| d.start <= 30 && b.ok(d.date));
            if let Some(d) = hit {
                f.put(name, json!(iso(d.date)), LABELLED);
            }
            hit.is_some()
        });
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
        );
        f
    }

    #[test]
    fn range_and_labels() {
        let f = run(
            "Assureur : AXA France IARD\nN° de contrat : 1234567A\nValable du 01/04/2026 au 31/03/2027",
        );
        assert_eq!(f.get("insurer"), Some(&json!("AXA France IARD")));
        assert_eq!(f.get("contract_number"), Some(&json!("1234567A")));
        assert_eq!(f.get("valid_from"), Some(&json!("2026-04-01")));
        assert_eq!(f.get("valid_until"), Some(&json!("2027-03-31")));
    }

    #[test]
    fn known_insurer_and_expiry() {
        let f = run("Votre assurance Matmut\nPolicy number: PN-88812\nExpiry date: 01/05/2027");
        assert_eq!(f.get("insurer"), Some(&json!("Matmut")));
        assert_eq!(f.confidence("insurer"), PATTERN);
        assert_eq!(f.get("contract_number"), Some(&json!("PN-88812")));
        assert_eq!(f.get("valid_until"), Some(&json!("2027-05-01")));
        // beyond today + 5 years
        assert!(!run("Expires 01/01/2040").has("valid_until"));
    }
}
