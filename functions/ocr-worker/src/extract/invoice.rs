//! Invoice / receipt / maintenance fields.

use super::amounts::{amounts, fmt_cents, trailing_amount};
use super::dates::{find_dates, iso, Bounds};
use super::text::{clamp, has_word, Doc, Span};
use super::{Fields, HEURISTIC, LABELLED, PATTERN};
use chrono::NaiveDate;
use regex_lite::Regex;
use serde_json::{json, Value};
use std::sync::LazyLock;

fn re(s: &str) -> Regex {
    Regex::new(s).unwrap()
}

static GARAGE_KW: LazyLock<Regex> = LazyLock::new(|| {
    re(r"\b(?:garage|auto\w*|carrosserie|sarl|sas|sasu|sa|eurl|ltd|limited|motors?)\b")
});
static HEAD_SKIP: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:facture|invoice|devis|quote|receipt|recu|ticket|date|client|customer|bill to|siret|siren|tva|vat|tel|phone|fax|email|e-mail|mail|www|http|rcs|ape|iban|page|merci|thank|thanks|t[o0]tal|ttc|montant|amount|designation|description|qte|qty)\b|n\s?°|@",
    )
});
static ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b\d{5}\b\s+[a-z]|^\s*\d{1,4}\s*(?:bis|ter)?,?\s+[a-z]|\b(?:rue|avenue|av|bd|boulevard|chemin|route|allee|impasse|quai|street|road|lane|cedex|bp|zi|za|zac)\b|\b[a-z]{1,2}\d[a-z\d]? \d[a-z]{2}\b",
    )
});
static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?:\+\d{2}\s?|\b0)\d(?:[\s.\-]?\d{2}){4}\b|\b0\d{3,4}\s?\d{3}\s?\d{3,4}\b")
});
static INV_NO: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:facture|invoice|fact\.?)\s*(?:n\s?°|n[o0]\b\.?|n\.|num(?:ero)?\b\.?|#|number|nr\b\.?)|\b(?:n\s?°|n[o0]\b\.?|num(?:ero)?\b\.?|number)\s*(?:de\s+)?(?:la\s+)?(?:facture|invoice)\b",
    )
});
static INV_VALUE: LazyLock<Regex> = LazyLock::new(|| re(r"^#?\s*([a-z0-9][a-z0-9/_\-]{2,30})"));
static DATE_LABELS: LazyLock<[Regex; 2]> = LazyLock::new(|| {
    [
        re(
            r"date\s*(?:de\s*(?:la\s*)?)?facture|date\s+d'emission|invoice\s+date|date\s+of\s+issue|issue\s+date|tax\s+point",
        ),
        re(r"\bdate\b"),
    ]
});
static DATE_LE: LazyLock<Regex> = LazyLock::new(|| re(r"(?:^|[\s,])le\b"));
static DATE_EXCL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"echeance|\bdue\b|limite|naissance|livraison|expir|validite|circulation|immatriculation|paiement|payment|reglement|commande",
    )
});
/// Total labels, highest priority first.
static TOTAL_LABELS: LazyLock<[Regex; 8]> = LazyLock::new(|| {
    [
        re(r"t[o0]tal\s*t\.?\s?t\.?\s?c\b"),
        re(r"net\s*a\s*payer"),
        re(r"m[o0]ntant\s*t\.?\s?t\.?\s?c\b"),
        re(r"t[o0]tal\s*a\s*payer"),
        re(r"amount\s+due|balance\s+due"),
        re(r"t[o0]tal\s*\(?\s*incl(?:\.|uding|usive)?\s*(?:of\s+)?(?:vat|tax)"),
        re(r"grand\s+t[o0]tal"),
        re(r"\bt[o0]tal\b"),
    ]
});
/// What may follow a bare "total" and make it a partial total.
static TOTAL_PARTIAL: LazyLock<Regex> =
    LazyLock::new(|| re(r"^\s*(?:h\.?\s?t\b|hors|tva|vat|excl|net\b|des remises|remise|discount)"));
static ANY_TOTAL: LazyLock<Regex> =
    LazyLock::new(|| re(r"t[o0]tal|net\s*a\s*payer|amount\s+due|balance\s+due"));
static HT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"t[o0]tal\s*h\.?\s?t\b|t[o0]tal\s+hors\s+tax|m[o0]ntant\s*h\.?\s?t\b|sous[\s-]?t[o0]tal|sub[\s-]?t[o0]tal|t[o0]tal\s*excl",
    )
});
static VAT: LazyLock<Regex> = LazyLock::new(|| re(r"\bt\.?\s?v\.?\s?a\b|\bvat\b"));
static VAT_EXCL: LazyLock<Regex> =
    LazyLock::new(|| re(r"intra|n\s?°|\bno\b|number|\breg|numero|ident|siret"));
static MILEAGE_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"kilometrage(?:\s+(?:releve|au compteur|compteur))?|km\s*(?:au\s+)?compteur|\bcompteur\b|\bmileage\b|odometer(?:\s+reading)?|releve\s+km|\bkms?\s*:|^\s*kms?\b",
    )
});
static MILEAGE_NUM: LazyLock<Regex> = LazyLock::new(|| re(r"^(\d{1,3}(?:[ .,']\d{3})+|\d+)\b"));
static MILEAGE_KM: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?:^|[^\d.,'])(\d{1,3}(?:[ .,']\d{3})+|\d+) ?(?:km|kms|kilometres)\b"));
static ITEM_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:designation|description|libelle|qte|quantite|qty|quantity|prix unitaire|unit price|p\.\s?u\b)",
    )
});
static ITEM_SKIP: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"t[o0]tal|\btva\b|\bvat\b|remise|acompte|discount|\btel\b|telephone|phone|\bfax\b|siret|siren|\bkm\b|kilometrage|mileage|odometer|\bdate\b|facture|invoice|n\s?°|iban|\brcs\b|capital|net\s*a\s*payer|amount\s+due|balance|deposit",
    )
});

const MAX_ITEMS: usize = 50;

/// (canonical service, keywords)
const SERVICES: [(&str, &[&str]); 8] = [
    (
        "Vidange",
        &["vidange", "huile", "oil change", "oil filter", "engine oil"],
    ),
    (
        "Pneus",
        &[
            "pneu",
            "pneus",
            "pneumatique",
            "pneumatiques",
            "tyre",
            "tyres",
            "tire",
            "tires",
        ],
    ),
    (
        "Révision",
        &["revision", "entretien", "service", "servicing"],
    ),
    (
        "Freins",
        &[
            "frein",
            "freins",
            "plaquette",
            "plaquettes",
            "disque",
            "disques",
            "brake",
            "brakes",
        ],
    ),
    ("Distribution", &["distribution", "courroie", "timing belt"]),
    (
        "Contrôle technique",
        &["controle technique", "mot", "mot test"],
    ),
    ("Batterie", &["batterie", "battery"]),
    (
        "Climatisation",
        &["climatisation", "clim", "air conditioning", "air con"],
    ),
];

pub(crate) fn extract(doc: &Doc, today: NaiveDate, f: &mut Fields) {
    garage_name(doc, f);
    invoice_number(doc, f);
    date(doc, Bounds::new(today, 1990, 1), f);
    totals(doc, f);
    mileage(doc, f);
    let items = line_items(doc, f);
    services(doc, &items, f);
}

fn garage_name(doc: &Doc, f: &mut Fields) {
    let mut first = None;
    for line in doc.lines.iter().filter(|l| !l.is_blank()).take(6) {
        let t = line.fold.trim();
        let letters = t.chars().filter(|c| c.is_ascii_alphabetic()).count();
        if letters < 3
            || t.chars().count() > 80
            || HEAD_SKIP.is_match(t)
            || ADDRESS.is_match(t)
            || PHONE.is_match(t)
            || !find_dates(t, doc.english).is_empty()
            || trailing_amount(t).is_some()
        {
            continue;
        }
        // "Cachet : Garage X" -> the part after a short caption.
        let orig = line.orig.trim();
        let value = match orig.split_once(':') {
            Some((cap, rest)) if cap.chars().count() <= 20 && rest.trim().chars().count() >= 3 => {
                rest.trim()
            }
            _ => orig,
        };
        let value = value.to_string();
        if GARAGE_KW.is_match(t) {
            f.put("garage_name", json!(value), PATTERN);
            return;
        }
        first.get_or_insert(value);
    }
    if let Some(v) = first {
        f.put("garage_name", json!(v), HEURISTIC);
    }
}

fn invoice_number(doc: &Doc, f: &mut Fields) {
    doc.each_label(&INV_NO, false, |sp| {
        let Some(c) = INV_VALUE.captures(doc.text(sp)) else {
            return false;
        };
        let Some(m) = c.get(1) else { return false };
        let v = m.as_str().trim_end_matches(['-', '/', '_']);
        if !v.bytes().any(|b| b.is_ascii_digit()) {
            return false;
        }
        let s = Span {
            line: sp.line,
            start: sp.start + m.start(),
            end: sp.start + m.start() + v.len(),
        };
        f.put("invoice_number", json!(doc.orig(s)), LABELLED);
        true
    });
}

fn date(doc: &Doc, b: Bounds, f: &mut Fields) {
    let english = doc.english;
    for (i, label) in DATE_LABELS.iter().enumerate() {
        let found = doc.each_label_at(label, false, |li, sp| {
            if i == 1 && DATE_EXCL.is_match(&doc.lines[li].fold) {
                return false;
            }
            let hit = find_dates(doc.text(sp), english)
                .into_iter()
                .find(|d| d.start <= 30 && b.ok(d.date));
            if let Some(d) = hit {
                f.put("date", json!(iso(d.date)), LABELLED);
            }
            hit.is_some()
        });
        if found {
            return;
        }
    }
    // "Paris, le 14 mars 2026": the date must follow "le" directly.
    let found = doc.each_label(&DATE_LE, false, |sp| {
        let hit = find_dates(doc.text(sp), english)
            .into_iter()
            .find(|d| d.start <= 2 && b.ok(d.date));
        if let Some(d) = hit {
            f.put("date", json!(iso(d.date)), LABELLED);
        }
        hit.is_some()
    });
    if found {
        return;
    }
    let mut fallback = None;
    for line in &doc.lines {
        let excluded = DATE_EXCL.is_match(&line.fold);
        if excluded && fallback.is_some() {
            continue;
        }
        if let Some(d) = find_dates(&line.fold, english)
            .into_iter()
            .find(|d| b.ok(d.date))
        {
            if !excluded {
                fallback = Some(d.date);
                break;
            }
            fallback.get_or_insert(d.date);
        }
    }
    if let Some(d) = fallback {
        f.put("date", json!(iso(d)), PATTERN);
    }
}

/// Last amount in the first `WINDOW`-ish bytes of a span.
fn last_amount(s: &str) -> Option<u64> {
    amounts(&s[..clamp(s, 300)]).last().map(|a| a.cents)
}

/// The text is one amount and nothing else but currency marks.
fn only_amount(s: &str) -> Option<u64> {
    let a = trailing_amount(s)?;
    s[..a.start]
        .trim()
        .trim_matches(['€', '£', '$', ':'])
        .is_empty()
        .then_some(a.cents)
}

fn totals(doc: &Doc, f: &mut Fields) {
    'labels: for (i, label) in TOTAL_LABELS.iter().enumerate() {
        for (li, line) in doc.lines.iter().enumerate() {
            for m in label.find_iter(&line.fold) {
                if i == 7 {
                    let before = line.fold[..m.start()].trim_end();
                    if TOTAL_PARTIAL.is_match(&line.fold[m.end()..clamp(&line.fold, m.end() + 40)])
                        || before.ends_with("sous")
                        || before.ends_with("sub")
                        || before.ends_with("sous-")
                        || before.ends_with("sub-")
                    {
                        continue;
                    }
                }
                let rest = &line.fold[m.end()..];
                let v = last_amount(rest).or_else(|| {
                    doc.next_nonempty(li)
                        .and_then(|n| last_amount(&doc.lines[n].fold))
                });
                if let Some(c) = v {
                    f.put("total_ttc", json!(fmt_cents(c)), LABELLED);
                    break 'labels;
                }
            }
        }
    }
    for (name, label) in [("total_ht", &*HT), ("vat", &*VAT)] {
        for (li, line) in doc.lines.iter().enumerate() {
            if name == "vat" && VAT_EXCL.is_match(&line.fold) {
                continue;
            }
            let Some(m) = label.find(&line.fold) else {
                continue;
            };
            let v = last_amount(&line.fold[m.end()..]).or_else(|| {
                doc.next_nonempty(li)
                    .and_then(|n| only_amount(&doc.lines[n].fold))
            });
            if let Some(c) = v {
                f.put(name, json!(fmt_cents(c)), LABELLED);
                break;
            }
        }
    }
}

fn parse_mileage(s: &str) -> Option<u64> {
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    let v: u64 = digits.parse().ok()?;
    (v <= 2_000_000).then_some(v)
}

pub(crate) fn mileage(doc: &Doc, f: &mut Fields) {
    let found = doc.each_label(&MILEAGE_LABEL, false, |sp| {
        let t = doc.text(sp);
        let off = t.find(|c: char| c.is_ascii_digit()).unwrap_or(t.len());
        if off > 12 {
            return false;
        }
        match MILEAGE_NUM
            .captures(&t[off..])
            .and_then(|c| parse_mileage(&c[1]))
        {
            Some(v) => {
                f.put("mileage", json!(v), LABELLED);
                true
            }
            None => false,
        }
    });
    if found {
        return;
    }
    for line in &doc.lines {
        if let Some(v) = MILEAGE_KM
            .captures(&line.fold)
            .and_then(|c| parse_mileage(&c[1]))
        {
            f.put("mileage", json!(v), PATTERN);
            return;
        }
    }
}

/// End byte of an item label: drops trailing number columns (qty, unit price).
fn label_end(fold: &str, amount_start: usize) -> usize {
    let mut end = amount_start;
    loop {
        let head = fold[..end].trim_end();
        let tok_start = head.rfind(' ').map_or(0, |i| i + 1);
        let tok = &head[tok_start..];
        let numeric = !tok.is_empty()
            && (tok
                .chars()
                .all(|c| c.is_ascii_digit() || ".,'€£$%x*".contains(c))
                || matches!(tok, "eur" | "u" | "h"));
        if !numeric {
            return head.len();
        }
        end = tok_start;
    }
}

/// A totals line: a total label with an amount, or a bare label row
/// (tabular layout). "STATION TOTAL ACCESS" is not one.
fn is_total_line(fold: &str) -> bool {
    if !ANY_TOTAL.is_match(fold) {
        return false;
    }
    if !amounts(fold).is_empty() {
        return true;
    }
    let rest = ANY_TOTAL.replace_all(fold, "");
    rest.chars().filter(|c| c.is_ascii_alphabetic()).count() <= 10
}

fn line_items(doc: &Doc, f: &mut Fields) -> Vec<String> {
    let start = doc
        .lines
        .iter()
        .position(|l| ITEM_HEADER.is_match(&l.fold))
        .map_or(0, |i| i + 1);
    let mut items = Vec::new();
    let mut labels = Vec::new();
    for line in doc.lines.iter().skip(start) {
        if is_total_line(&line.fold) {
            break;
        }
        if ITEM_SKIP.is_match(&line.fold) || PHONE.is_match(&line.fold) {
            continue;
        }
        let Some(a) = trailing_amount(&line.fold) else {
            continue;
        };
        let end = label_end(&line.fold, a.start);
        let lstart = line.fold.len() - line.fold.trim_start().len();
        if lstart >= end {
            continue;
        }
        let label_fold = &line.fold[lstart..end];
        if label_fold
            .chars()
            .filter(|c| c.is_ascii_alphabetic())
            .count()
            < 2
        {
            continue;
        }
        let label = line.orig(lstart, end).trim().to_string();
        labels.push(label_fold.to_string());
        items.push(json!({ "label": label, "amount": fmt_cents(a.cents) }));
        if items.len() == MAX_ITEMS {
            break;
        }
    }
    if !items.is_empty() {
        f.put("line_items", Value::Array(items), PATTERN);
    }
    labels
}

fn services(doc: &Doc, item_labels: &[String], f: &mut Fields) {
    let joined;
    let src = if item_labels.is_empty() {
        doc.fold_all.as_str()
    } else {
        joined = item_labels.join("\n");
        joined.as_str()
    };
    // "mot" is also a common French word.
    let found: Vec<Value> = SERVICES
        .iter()
        .filter(|(_, kws)| {
            kws.iter()
                .any(|k| (doc.english || !k.starts_with("mot")) && has_word(src, k))
        })
        .map(|(name, _)| json!(name))
        .collect();
    if !found.is_empty() {
        f.put("services", Value::Array(found), PATTERN);
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
    fn total_priority_and_next_line() {
        let f = run("Total HT 100,00\nTVA 20% 20,00\nTotal TTC\n120,00 €\nTotal 999,00");
        assert_eq!(f.get("total_ttc"), Some(&json!("120.00")));
        assert_eq!(f.get("total_ht"), Some(&json!("100.00")));
        assert_eq!(f.get("vat"), Some(&json!("20.00")));
    }

    #[test]
    fn bare_total_skips_partials() {
        let f = run("Sous-total 50,00\nTotal HT 50,00\nTotal 60,00");
        assert_eq!(f.get("total_ttc"), Some(&json!("60.00")));
    }

    #[test]
    fn label_end_drops_columns() {
        let s = "plaquettes avant  2 x  45,00 €  90,00";
        let a = trailing_amount(s).unwrap();
        assert_eq!(&s[..label_end(s, a.start)], "plaquettes avant");
    }

    #[test]
    fn total_brand_in_header_does_not_end_items() {
        let f = run("STATION TOTAL ACCESS\nLavage 8,00\nTOTAL 8,00");
        assert_eq!(
            f.get("line_items").map(|v| v.as_array().unwrap().len()),
            Some(1)
        );
        let f = run("Un mot du garage\nVidange 45,00\nTotal 45,00 TVA 20%");
        assert_eq!(f.get("services"), Some(&json!(["Vidange"])));
    }

    #[test]
    fn at_most_50_items() {
        let body: String = (1..=70).map(|i| format!("Pièce A{i}   {i},00\n")).collect();
        let f = run(&format!("Désignation Montant\n{body}Total 1,00"));
        let items = f.get("line_items").and_then(|v| v.as_array()).unwrap();
        assert_eq!(items.len(), 50);
        assert_eq!(items[0], json!({"label": "Pièce A1", "amount": "1.00"}));
    }

    #[test]
    fn mileage_forms() {
        assert_eq!(
            run("Kilométrage : 87 450 km").get("mileage"),
            Some(&json!(87450))
        );
        assert_eq!(run("vu à 45 000 km").get("mileage"), Some(&json!(45000)));
        assert_eq!(run("Km : 3000000").get("mileage"), None);
        assert_eq!(run("KM 45000").get("mileage"), Some(&json!(45000)));
    }

    #[test]
    fn dates_labelled_then_fallback() {
        let f = run("Échéance : 01/07/2026\nDate : 14/03/2026");
        assert_eq!(f.get("date"), Some(&json!("2026-03-14")));
        assert_eq!(f.confidence("date"), LABELLED);
        let f = run("Paris, le 2 avril 2026\nblah");
        assert_eq!(f.get("date"), Some(&json!("2026-04-02")));
        let f = run("Date limite de paiement :\n14/03/2026");
        assert_eq!(f.confidence("date"), PATTERN);
        let f = run("Réf 14/03/2026 blah");
        assert_eq!(f.confidence("date"), PATTERN);
        // out of bounds
        assert!(!run("Date : 14/03/2029").has("date"));
    }
}
