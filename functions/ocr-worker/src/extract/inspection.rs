//! Roadworthiness test (contrôle technique, MOT) fields.

use super::dates::{find_dates, iso, Bounds};
use super::text::{has_word, Doc};
use super::{Fields, LABELLED, PATTERN};
use chrono::NaiveDate;
use regex_lite::Regex;
use serde_json::json;
use std::sync::LazyLock;

fn re(s: &str) -> Regex {
    Regex::new(s).unwrap()
}

static DATE_LBL: LazyLock<[Regex; 2]> = LazyLock::new(|| {
    [
        re(
            r"date\s+(?:du|de|de\s+la|de\s+l')\s*(?:controle|visite|inspection|ct)\b|controle\s+effectue\s+le|date\s+of\s+(?:test|inspection)|test\s+date|date\s+d'inspection",
        ),
        re(r"\bdate\b"),
    ]
});
/// Lines where a bare "date" is not the test date.
static DATE_EXCL: LazyLock<Regex> = LazyLock::new(|| {
    re(r"limite|validite|prochain|expir|echeance|premiere|1ere|circulation|next|due|avant")
});
static UNTIL_LBL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"date\s+limite(?:\s+de\s+validite)?|prochain\s+controle(?:\s+technique)?(?:\s+a\s+effectuer)?(?:\s+(?:avant|au\s+plus\s+tard))?(?:\s+le)?|a\s+presenter\s+(?:au\s+plus\s+tard\s+)?avant\s+le|contre-visite\s+(?:a\s+effectuer\s+)?avant\s+le|valable\s+jusqu'au|jusqu'au|expiry\s+date|date\s+of\s+expiry|\bexpires?(?:\s+on)?\b|valid\s+until|next\s+(?:test|inspection)\s+due(?:\s+(?:by|before|on))?",
    )
});
static RESULT_LBL: LazyLock<Regex> =
    LazyLock::new(|| re(r"\bresultat\b(?:\s+du\s+controle)?|\bresult\b|\bdecision\b|\bavis\b"));

/// Result words in the labelled value, most specific first.
fn classify(t: &str) -> Option<&'static str> {
    if t.contains("contre-visite") || t.contains("contre visite") {
        Some("contre-visite")
    } else if has_word(t, "defavorable") {
        Some("défavorable")
    } else if has_word(t, "favorable") {
        Some("favorable")
    } else if has_word(t, "pass") || has_word(t, "passed") {
        Some("pass")
    } else if has_word(t, "fail") || has_word(t, "failed") || has_word(t, "refusal") {
        Some("fail")
    } else {
        None
    }
}

pub(crate) fn extract(doc: &Doc, today: NaiveDate, f: &mut Fields) {
    let past = Bounds::new(today, 1990, 1);
    let validity = Bounds::new(today, 1990, 5);
    doc.each_label(&UNTIL_LBL, false, |sp| {
        let hit = find_dates(doc.text(sp), doc.english)
            .into_iter()
            .find(|d| d.start <= 40 && validity.ok(d.date));
        if let Some(d) = hit {
            f.put("valid_until", json!(iso(d.date)), LABELLED);
        }
        hit.is_some()
    });
    for (i, label) in DATE_LBL.iter().enumerate() {
        let found = doc.each_label_at(label, false, |li, sp| {
            if i == 1 && DATE_EXCL.is_match(&doc.lines[li].fold) {
                return false;
            }
            let hit = find_dates(doc.text(sp), doc.english)
                .into_iter()
                .find(|d| d.start <= 30 && past.ok(d.date));
            if let Some(d) = hit {
                f.put("inspection_date", json!(iso(d.date)), LABELLED);
            }
            hit.is_some()
        });
        if found {
            break;
        }
    }
    if !f.has("inspection_date") {
        let until = f.get("valid_until").cloned();
        'lines: for line in &doc.lines {
            for d in find_dates(&line.fold, doc.english) {
                let v = json!(iso(d.date));
                if past.ok(d.date) && d.date <= today && Some(&v) != until.as_ref() {
                    f.put("inspection_date", v, PATTERN);
                    break 'lines;
                }
            }
        }
    }
    let found = doc.each_label(&RESULT_LBL, false, |sp| match classify(doc.text(sp)) {
        Some(r) => {
            f.put("result", json!(r), LABELLED);
            true
        }
        None => false,
    });
    if !found {
        let t = &doc.fold_all;
        let r = if has_word(t, "defavorable") {
            Some("défavorable")
        } else if has_word(t, "favorable") {
            Some("favorable")
        } else if t.contains("contre-visite") {
            Some("contre-visite")
        } else if has_word(t, "mot") {
            classify(t).filter(|r| matches!(*r, "pass" | "fail"))
        } else {
            None
        };
        if let Some(r) = r {
            f.put("result", json!(r), PATTERN);
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
        );
        f
    }

    #[test]
    fn french_report() {
        let f = run(
            "Date du contrôle : 10/03/2026\nRésultat : Favorable\nProchain contrôle avant le 09/03/2028",
        );
        assert_eq!(f.get("inspection_date"), Some(&json!("2026-03-10")));
        assert_eq!(f.get("valid_until"), Some(&json!("2028-03-09")));
        assert_eq!(f.get("result"), Some(&json!("favorable")));
    }

    #[test]
    fn result_words() {
        assert_eq!(classify("defavorable"), Some("défavorable"));
        assert_eq!(classify("favorable"), Some("favorable"));
        assert_eq!(classify("x contre-visite"), Some("contre-visite"));
        assert_eq!(classify("pass"), Some("pass"));
        assert_eq!(classify("passenger"), None);
    }
}
