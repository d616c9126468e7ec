//! Table test over the fixtures, public API checks and robustness.

use super::fixtures::*;
use super::*;
use serde_json::json;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

struct Case {
    name: &'static str,
    text: &'static str,
    doc_type: &'static str,
    /// (field, value, confidence)
    fields: Vec<(&'static str, Value, f64)>,
    /// structured_data keys expected, in order
    legacy: &'static [&'static str],
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "fr invoice",
            text: FR_INVOICE,
            doc_type: "invoice",
            fields: vec![
                ("garage_name", json!("GARAGE DU CENTRE SARL"), PATTERN),
                ("invoice_number", json!("FA-2026-0142"), LABELLED),
                ("date", json!("2026-03-14"), LABELLED),
                ("total_ttc", json!("303.00"), LABELLED),
                ("total_ht", json!("252.50"), LABELLED),
                ("vat", json!("50.50"), LABELLED),
                ("mileage", json!(87450), LABELLED),
                (
                    "line_items",
                    json!([
                        {"label": "Vidange huile moteur 5W30", "amount": "65.00"},
                        {"label": "Filtre à huile", "amount": "12.50"},
                        {"label": "Plaquettes de frein avant", "amount": "85.00"},
                        {"label": "Main d’œuvre", "amount": "90.00"}
                    ]),
                    PATTERN,
                ),
                ("services", json!(["Vidange", "Freins"]), PATTERN),
                ("license_plate", json!("AB-123-CD"), PATTERN),
            ],
            legacy: &[
                "invoice_number",
                "date",
                "total_amount",
                "license_plate",
                "services",
                "mileage",
            ],
        },
        Case {
            name: "en invoice",
            text: EN_INVOICE,
            doc_type: "invoice",
            fields: vec![
                ("garage_name", json!("Smith & Sons Motors Ltd"), PATTERN),
                ("invoice_number", json!("INV-20417"), LABELLED),
                ("date", json!("2026-03-14"), LABELLED),
                ("total_ttc", json!("407.22"), LABELLED),
                ("total_ht", json!("339.35"), LABELLED),
                ("vat", json!("67.87"), LABELLED),
                ("mileage", json!(54321), LABELLED),
                (
                    "line_items",
                    json!([
                        {"label": "Full service", "amount": "189.00"},
                        {"label": "Front brake pads", "amount": "95.50"},
                        {"label": "MOT test", "amount": "54.85"}
                    ]),
                    PATTERN,
                ),
                (
                    "services",
                    json!(["Révision", "Freins", "Contrôle technique"]),
                    PATTERN,
                ),
                ("license_plate", json!("AB12 CDE"), PATTERN),
            ],
            legacy: &[
                "invoice_number",
                "date",
                "total_amount",
                "license_plate",
                "services",
                "mileage",
            ],
        },
        Case {
            name: "noisy fr invoice",
            text: NOISY_FR_INVOICE,
            doc_type: "invoice",
            fields: vec![
                (
                    "garage_name",
                    json!("CARROSSERIE MARTIN  AUTOMOBILES"),
                    PATTERN,
                ),
                ("invoice_number", json!("FC2026/0311"), LABELLED),
                ("date", json!("2026-02-02"), LABELLED),
                ("total_ttc", json!("785.88"), LABELLED),
                ("total_ht", json!("654.90"), LABELLED),
                ("vat", json!("130.98"), LABELLED),
                ("mileage", json!(132500), LABELLED),
                (
                    "line_items",
                    json!([
                        {"label": "Courroie  de distribution", "amount": "420.00"},
                        {"label": "Pompe a eau", "amount": "95.00"},
                        {"label": "Batterie 70Ah", "amount": "139.90"}
                    ]),
                    PATTERN,
                ),
                ("services", json!(["Distribution", "Batterie"]), PATTERN),
                ("license_plate", json!("GH-456-JK"), PATTERN),
            ],
            legacy: &[
                "invoice_number",
                "date",
                "total_amount",
                "license_plate",
                "services",
                "mileage",
            ],
        },
        Case {
            name: "carte grise",
            text: CARTE_GRISE,
            doc_type: "registration",
            fields: vec![
                ("license_plate", json!("AB-123-CD"), LABELLED),
                ("first_registration_date", json!("2019-06-15"), LABELLED),
                ("make", json!("PEUGEOT"), LABELLED),
                ("model", json!("308"), LABELLED),
                ("vin", json!("VF3LBHNZ6JS123456"), LABELLED),
                ("certificate_date", json!("2022-02-03"), LABELLED),
            ],
            legacy: &["license_plate", "brand", "model"],
        },
        Case {
            name: "v5c",
            text: V5C,
            doc_type: "registration",
            fields: vec![
                ("license_plate", json!("AB12 CDE"), LABELLED),
                ("first_registration_date", json!("2019-03-14"), LABELLED),
                ("make", json!("FORD"), LABELLED),
                ("model", json!("FOCUS ZETEC"), LABELLED),
                ("vin", json!("WF0AXXGCDAKA12345"), LABELLED),
            ],
            legacy: &["license_plate", "brand", "model"],
        },
        Case {
            name: "attestation",
            text: ATTESTATION,
            doc_type: "insurance",
            fields: vec![
                ("insurer", json!("AXA"), PATTERN),
                ("contract_number", json!("4521879604"), LABELLED),
                ("valid_from", json!("2026-04-01"), LABELLED),
                ("valid_until", json!("2027-03-31"), LABELLED),
                ("license_plate", json!("EF-789-GH"), LABELLED),
            ],
            legacy: &["license_plate", "contract_number", "insurer"],
        },
        Case {
            name: "memo",
            text: MEMO,
            doc_type: "insurance",
            fields: vec![
                ("insurer", json!("MACIF"), LABELLED),
                ("contract_number", json!("7788123"), LABELLED),
                ("valid_from", json!("2026-04-01"), LABELLED),
                ("valid_until", json!("2027-03-31"), LABELLED),
                ("license_plate", json!("GH-456-JK"), LABELLED),
                ("make", json!("PEUGEOT"), LABELLED),
            ],
            legacy: &["license_plate", "brand", "contract_number", "insurer"],
        },
        Case {
            name: "controle technique",
            text: CONTROLE_TECHNIQUE,
            doc_type: "inspection",
            fields: vec![
                ("inspection_date", json!("2026-03-10"), LABELLED),
                ("valid_until", json!("2028-03-09"), LABELLED),
                ("result", json!("favorable"), LABELLED),
                ("license_plate", json!("AB-123-CD"), LABELLED),
                ("make", json!("PEUGEOT"), LABELLED),
                ("model", json!("308"), LABELLED),
                ("vin", json!("VF3LBHNZ6JS123456"), LABELLED),
                ("mileage", json!(87450), LABELLED),
            ],
            legacy: &["license_plate", "brand", "model", "mileage", "date"],
        },
        Case {
            name: "mot",
            text: MOT,
            doc_type: "inspection",
            fields: vec![
                ("inspection_date", json!("2026-03-14"), LABELLED),
                ("valid_until", json!("2027-03-13"), LABELLED),
                ("result", json!("pass"), LABELLED),
                ("license_plate", json!("AB12 CDE"), LABELLED),
                ("make", json!("VAUXHALL"), LABELLED),
                ("model", json!("ASTRA"), LABELLED),
                ("mileage", json!(61204), LABELLED),
            ],
            legacy: &["license_plate", "brand", "model", "mileage", "date"],
        },
        Case {
            name: "receipt",
            text: RECEIPT,
            doc_type: "receipt",
            fields: vec![
                ("garage_name", json!("LAVAGE AUTO DU PARC"), PATTERN),
                ("date", json!("2026-04-12"), PATTERN),
                ("total_ttc", json!("10.00"), LABELLED),
                ("vat", json!("1.67"), LABELLED),
                (
                    "line_items",
                    json!([
                        {"label": "Lavage haute pression", "amount": "8.00"},
                        {"label": "Aspirateur", "amount": "2.00"}
                    ]),
                    PATTERN,
                ),
            ],
            legacy: &["date", "total_amount"],
        },
        Case {
            name: "contract",
            text: CONTRACT,
            doc_type: "contract",
            fields: vec![
                ("contract_number", json!("LOA-2026-55871"), LABELLED),
                ("license_plate", json!("CD-234-EF"), PATTERN),
            ],
            legacy: &["license_plate", "contract_number"],
        },
        Case {
            name: "maintenance",
            text: MAINTENANCE,
            doc_type: "maintenance",
            fields: vec![
                ("garage_name", json!("Garage Dupont Automobiles"), PATTERN),
                ("date", json!("2026-01-05"), LABELLED),
                ("mileage", json!(60120), LABELLED),
                ("services", json!(["Vidange", "Révision"]), PATTERN),
            ],
            legacy: &["date", "services", "mileage"],
        },
        Case {
            name: "other",
            text: OTHER,
            doc_type: "other",
            fields: vec![],
            legacy: &[],
        },
    ]
}

#[test]
fn fixtures_table() {
    let mut failures = Vec::new();
    for c in cases() {
        let e = extract(c.text, today());
        let dump = serde_json::to_string_pretty(&e.fields).unwrap();
        if e.document_type != c.doc_type {
            failures.push(format!(
                "{}: type {} != {}",
                c.name, e.document_type, c.doc_type
            ));
        }
        for (name, value, conf) in &c.fields {
            let got = e.fields.get(*name);
            let want = json!({ "value": value, "confidence": conf });
            if got != Some(&want) {
                failures.push(format!("{}: {name} = {got:?}, want {want}", c.name));
            }
        }
        let keys: Vec<&str> = e.structured_data.keys().map(String::as_str).collect();
        let mut want_keys = c.legacy.to_vec();
        want_keys.sort();
        let mut got_keys = keys.clone();
        got_keys.sort();
        if got_keys != want_keys {
            failures.push(format!("{}: structured keys {keys:?}", c.name));
        }
        let expected_conf = (0.5 + (0.1 * c.legacy.len() as f64).min(0.5)).min(1.0);
        if (e.confidence - expected_conf).abs() > 1e-9 {
            failures.push(format!("{}: confidence {}", c.name, e.confidence));
        }
        if !failures.is_empty() && failures.iter().any(|f| f.starts_with(c.name)) {
            failures.push(format!("{} fields: {dump}", c.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn invoice_facts() {
    let e = extract(FR_INVOICE, today());
    let f = e.invoice().expect("invoice facts");
    assert_eq!(f.date, Some(date(2026, 3, 14)));
    assert_eq!(f.total.as_deref(), Some("303.00"));
    assert_eq!(f.mileage, Some(87450));
    assert_eq!(f.services, vec!["Vidange", "Freins"]);
    assert_eq!(f.garage_name.as_deref(), Some("GARAGE DU CENTRE SARL"));
    assert_eq!(f.invoice_number.as_deref(), Some("FA-2026-0142"));
    assert_eq!(e.structured_data["total_amount"], json!("303.00"));
    assert_eq!(e.structured_data["mileage"], json!(87450));

    let m = extract(MAINTENANCE, today())
        .invoice()
        .expect("maintenance facts");
    assert_eq!(m.total, None);
    assert_eq!(m.mileage, Some(60120));
    assert!(extract(ATTESTATION, today()).invoice().is_none());
}

#[test]
fn expiry_dates() {
    assert_eq!(
        extract(ATTESTATION, today()).expiry(),
        Some(date(2027, 3, 31))
    );
    assert_eq!(
        extract(CONTROLE_TECHNIQUE, today()).expiry(),
        Some(date(2028, 3, 9))
    );
    assert_eq!(extract(MOT, today()).expiry(), Some(date(2027, 3, 13)));
    assert_eq!(extract(FR_INVOICE, today()).expiry(), None);
}

#[test]
fn confidence_rules() {
    let e = extract("", today());
    assert_eq!(e.document_type, "other");
    assert_eq!(e.confidence, 0.0);
    assert!(e.fields.is_empty() && e.structured_data.is_empty());
    assert_eq!(extract("   \n ", today()).confidence, 0.0);
    assert_eq!(extract("hello", today()).confidence, 0.3);
    assert_eq!(extract(OTHER, today()).confidence, 0.5);
}

#[test]
fn vidange_invoice_stays_invoice_and_contract_attestation_stays_insurance() {
    let e = extract(
        "Facture n° 77\nVidange + filtre 89,00\nTotal TTC 89,00",
        today(),
    );
    assert_eq!(e.document_type, "invoice");
    let e = extract(
        "Attestation d'assurance\nContrat n° 55-12\nLe contrat couvre le véhicule.",
        today(),
    );
    assert_eq!(e.document_type, "insurance");
}

/// Small deterministic generator so the test needs no extra crate.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn pick<'a>(&mut self, v: &[&'a str]) -> &'a str {
        v[(self.next() as usize) % v.len()]
    }
}

const PIECES: &[&str] = &[
    "A.",
    "B.",
    "D.1",
    "D.3",
    "E.",
    "I)",
    "(A)",
    "Total TTC",
    "TOTAL",
    "T0TAL T.T.C.",
    "Date :",
    "le",
    "du",
    "au",
    "n°",
    "N0",
    "Facture",
    "Invoice #",
    "km",
    "Kilométrage :",
    "Assureur :",
    "valable du",
    "jusqu'au",
    "Résultat :",
    "€",
    "£",
    "1 234,56",
    "12.50",
    "31/02/2026",
    "14/03/2026",
    "14 mars 2026",
    "March 14, 2026",
    "AB-123-CD",
    "VF3LBHNZ6JS123456",
    "é",
    "œ",
    "İ",
    "ß",
    "😀",
    "日本",
    "\u{a0}",
    "\u{202f}",
    "’",
    "\n",
    "\n\n",
    " ",
    "  ",
    ":",
    "-",
    ".",
    ",",
    "0",
    "9",
    "99999999999999999999",
    "x",
    "Désignation",
    "\r\n",
    "\t",
    "ǅ",
    "Ⅻ",
];

fn garbage(rng: &mut Lcg, pieces: usize) -> String {
    (0..pieces)
        .map(|_| rng.pick(PIECES))
        .collect::<Vec<_>>()
        .join("")
}

#[test]
fn garbage_never_panics() {
    let mut rng = Lcg(42);
    for i in 0..400 {
        let s = garbage(&mut rng, 1 + i % 60);
        let e = extract(&s, today());
        assert!(e.confidence <= 1.0);
    }
    // Every cut of every fixture, so labels end up alone at the end.
    for text in ALL {
        let chars: Vec<char> = text.chars().collect();
        for cut in (0..chars.len()).step_by(5) {
            let s: String = chars[..cut].iter().collect();
            extract(&s, today());
        }
    }
    for s in [
        "A.",
        "D.1",
        "Total TTC",
        "Date :",
        "le",
        "n°",
        "€",
        "é",
        "\n",
        "Km :",
    ] {
        extract(s, today());
    }
}

#[test]
fn large_text_finishes() {
    let mut rng = Lcg(7);
    let mut s = String::new();
    while s.chars().count() < 100_000 {
        s.push_str(rng.pick(PIECES));
    }
    let e = extract(&s, today());
    assert!(e.confidence <= 1.0);
    // One single 100,000-char line full of labels.
    let line: String = s.chars().filter(|c| *c != '\n').collect();
    extract(&line, today());
}
