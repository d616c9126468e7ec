//! Turns the text of an owner's document (French or English) into a document
//! type plus fields with confidences.

mod amounts;
mod dates;
mod detect;
mod inspection;
mod insurance;
mod invoice;
mod text;
mod vehicle;

#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod tests;

use chrono::NaiveDate;
use serde_json::{json, Map, Value};

/// Value found right after its label.
pub(crate) const LABELLED: f64 = 0.9;
/// Value recognised by its shape only.
pub(crate) const PATTERN: f64 = 0.6;
/// Value guessed from layout.
pub(crate) const HEURISTIC: f64 = 0.4;

#[derive(Debug, Clone)]
pub struct Extraction {
    /// invoice | registration | insurance | inspection | maintenance | receipt | contract | other
    pub document_type: &'static str,
    /// Every field found: name -> {"value": <string|number|array>, "confidence": 0.4|0.6|0.9}
    pub fields: Map<String, Value>,
    /// The reference system's keys, for old clients: invoice_number, date, total_amount,
    /// license_plate, brand, model, contract_number, insurer, services, mileage (only those found; values plain, no confidence)
    pub structured_data: Map<String, Value>,
    /// 0.3 if text non-empty, +0.2 if longer than 50 chars, + min(0.5, 0.1 x number of structured_data keys), capped 1.0; 0.0 for empty text
    pub confidence: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct InvoiceFacts {
    pub date: Option<NaiveDate>,
    /// Decimal string with exactly 2 places, "1234.56".
    pub total: Option<String>,
    pub mileage: Option<u32>,
    /// e.g. ["Vidange", "Freins"]
    pub services: Vec<String>,
    pub garage_name: Option<String>,
    pub invoice_number: Option<String>,
}

impl Extraction {
    fn value(&self, name: &str) -> Option<&Value> {
        self.fields.get(name).and_then(|f| f.get("value"))
    }

    fn str_value(&self, name: &str) -> Option<&str> {
        self.value(name).and_then(Value::as_str)
    }

    fn date_value(&self, name: &str) -> Option<NaiveDate> {
        self.str_value(name)
            .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
    }

    /// Facts to prefill a maintenance record from an invoice/maintenance doc.
    pub fn invoice(&self) -> Option<InvoiceFacts> {
        if !matches!(self.document_type, "invoice" | "maintenance") {
            return None;
        }
        let services = self
            .value("services")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        Some(InvoiceFacts {
            date: self.date_value("date"),
            total: self.str_value("total_ttc").map(str::to_string),
            mileage: self
                .value("mileage")
                .and_then(Value::as_u64)
                .and_then(|m| u32::try_from(m).ok()),
            services,
            garage_name: self.str_value("garage_name").map(str::to_string),
            invoice_number: self.str_value("invoice_number").map(str::to_string),
        })
    }

    /// The date a document stops being valid (insurance valid_until, inspection valid_until / next inspection), if any.
    pub fn expiry(&self) -> Option<NaiveDate> {
        self.date_value("valid_until")
    }
}

/// Field map that keeps the most confident value per name (first wins ties).
#[derive(Default)]
pub(crate) struct Fields(Map<String, Value>);

impl Fields {
    pub fn put(&mut self, name: &str, value: Value, confidence: f64) {
        if self.confidence(name) >= confidence {
            return;
        }
        self.0.insert(
            name.to_string(),
            json!({ "value": value, "confidence": confidence }),
        );
    }

    pub fn confidence(&self, name: &str) -> f64 {
        self.0
            .get(name)
            .and_then(|f| f.get("confidence"))
            .and_then(Value::as_f64)
            .unwrap_or(0.0)
    }

    pub fn has(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name).and_then(|f| f.get("value"))
    }
}

/// `fields` name -> legacy `structured_data` key.
const LEGACY: [(&str, &str); 11] = [
    ("invoice_number", "invoice_number"),
    ("date", "date"),
    ("total_ttc", "total_amount"),
    ("license_plate", "license_plate"),
    ("make", "brand"),
    ("model", "model"),
    ("contract_number", "contract_number"),
    ("insurer", "insurer"),
    ("services", "services"),
    ("mileage", "mileage"),
    ("inspection_date", "date"),
];

/// `today` bounds plausible dates (1990-01-01 ..= today + 1 year for invoices; insurance/inspection validity up to today + 5 years).
pub fn extract(text: &str, today: NaiveDate) -> Extraction {
    let doc = text::Doc::new(text);
    let document_type = detect::detect(&doc);
    let mut f = Fields::default();
    match document_type {
        "invoice" | "maintenance" | "receipt" => {
            invoice::extract(&doc, today, &mut f);
            vehicle::plate_fallback(&doc, &mut f);
        }
        "registration" => vehicle::extract(&doc, today, &mut f, true),
        "insurance" => {
            insurance::extract(&doc, today, &mut f);
            vehicle::extract(&doc, today, &mut f, false);
        }
        "inspection" => {
            inspection::extract(&doc, today, &mut f);
            vehicle::extract(&doc, today, &mut f, false);
            invoice::mileage(&doc, &mut f);
        }
        "contract" => {
            insurance::contract_number(&doc, &mut f);
            vehicle::plate_fallback(&doc, &mut f);
        }
        _ => {}
    }
    let fields = f.0;
    let mut structured_data = Map::new();
    for (from, to) in LEGACY {
        if structured_data.contains_key(to) {
            continue;
        }
        if let Some(v) = fields.get(from).and_then(|x| x.get("value")) {
            structured_data.insert(to.to_string(), v.clone());
        }
    }
    let confidence = if text.trim().is_empty() {
        0.0
    } else {
        let mut c = 0.3;
        if text.chars().count() > 50 {
            c += 0.2;
        }
        c += (0.1 * structured_data.len() as f64).min(0.5);
        // Keep one decimal: 0.1 steps must not show float noise.
        ((c * 10.0_f64).round() / 10.0).min(1.0)
    };
    Extraction {
        document_type,
        fields,
        structured_data,
        confidence,
    }
}
