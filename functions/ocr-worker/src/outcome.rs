//! What a reading becomes: the `analysis_data` stored on the document, the
//! owner's notification, and the reminder before an expiry date.

use chrono::{NaiveDate, TimeZone, Utc};
use serde_json::{json, Value};
use shared::domain::documents::{bounded_text, Document};
use shared::domain::limits::MAX_ACTIVE_REMINDERS_PER_VEHICLE;
use shared::domain::notifications::Notification;
use shared::domain::reminders::Reminder;
use shared::store::vehicles::VehicleEffect;
use shared::store::Write;
use shared::Error;

use crate::extract::{self, Extraction};
use crate::text::DocumentText;
use crate::OcrState;

/// A document's text and what was extracted from it.
pub struct Reading {
    pub text: String,
    pub source: &'static str,
    pub pages: u32,
    pub ocr_confidence: Option<f64>,
    pub extraction: Extraction,
}

pub fn reading(text: DocumentText, today: NaiveDate) -> Reading {
    let extraction = extract::extract(&text.text, today);
    Reading {
        source: text.source.as_str(),
        pages: text.pages,
        ocr_confidence: text.ocr_confidence,
        extraction,
        text: text.text,
    }
}

impl Reading {
    /// The text as stored (bounded).
    pub fn kept_text(&self) -> &str {
        bounded_text(&self.text).0
    }

    /// `analysis_data` (spec 7.3 keys first, for the reference's clients).
    pub fn analysis_data(&self, reminder_id: Option<&str>) -> Value {
        let e = &self.extraction;
        let mut data = json!({
            "status": "success",
            "document_type": e.document_type,
            "structured_data": e.structured_data,
            "confidence": e.confidence,
            "source": self.source,
            "fields": e.fields,
            "pages": self.pages,
            "text_chars": self.text.chars().count(),
            "truncated": bounded_text(&self.text).1,
        });
        if let Some(c) = self.ocr_confidence {
            data["ocr_confidence"] = json!((c * 1000.0).round() / 1000.0);
        }
        if let Some(facts) = e.invoice() {
            data["suggested_maintenance"] = json!({
                "service_date": facts.date.map(|d| d.to_string()),
                "cost": facts.total,
                "mileage": facts.mileage,
                "service_type": facts.services.first(),
                "services": facts.services,
                "garage_name": facts.garage_name,
                "invoice_number": facts.invoice_number,
            });
        }
        if let Some(expiry) = e.expiry() {
            data["expires_on"] = json!(expiry.to_string());
        }
        if let Some(id) = reminder_id {
            data["reminder_id"] = json!(id);
        }
        data
    }
}

pub fn failure_data(message: &str) -> Value {
    json!({
        "status": "error",
        "document_type": "other",
        "structured_data": {},
        "confidence": 0.0,
        "error": message,
    })
}

/// What a type is called in a notification.
fn type_label(kind: &str) -> &'static str {
    match kind {
        "invoice" => "facture",
        "registration" => "certificat d'immatriculation",
        "insurance" => "attestation d'assurance",
        "inspection" => "contrôle technique",
        "maintenance" => "document d'entretien",
        "receipt" => "reçu",
        "contract" => "contrat",
        _ => "document",
    }
}

pub fn done_notice(document: &Document, reading: &Reading) -> Notification {
    let e = &reading.extraction;
    let mut facts = vec![type_label(e.document_type).to_string()];
    if let Some(total) = e
        .structured_data
        .get("total_amount")
        .and_then(Value::as_str)
    {
        facts.push(format!("total {total} €"));
    }
    if let Some(date) = e
        .structured_data
        .get("date")
        .and_then(Value::as_str)
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
    {
        facts.push(format!("du {}", date.format("%d/%m/%Y")));
    }
    if let Some(plate) = e
        .structured_data
        .get("license_plate")
        .and_then(Value::as_str)
    {
        facts.push(format!("immatriculation {plate}"));
    }
    if let Some(expiry) = e.expiry() {
        facts.push(format!("valable jusqu'au {}", expiry.format("%d/%m/%Y")));
    }
    Notification::new(
        &document.owner_id,
        "success",
        format!("Document analysé : {}", document.title),
        format!("« {} » a été lu : {}.", document.title, facts.join(", ")),
        Some(format!("/documents/{}", document.id)),
        json!({"document_id": document.id, "document_type": e.document_type}),
    )
}

pub fn failed_notice(document: &Document, message: &str) -> Notification {
    Notification::new(
        &document.owner_id,
        "warning",
        format!("Analyse impossible : {}", document.title),
        format!("« {} » n'a pas pu être lu. {message}", document.title),
        Some(format!("/documents/{}", document.id)),
        json!({"document_id": document.id}),
    )
}

/// Writes beyond the document and its text, and the reminder they keep.
#[derive(Default)]
pub struct Effects {
    pub writes: Vec<Write>,
    pub reminder_id: Option<String>,
}

/// An insurance certificate or an inspection report filed under a vehicle
/// and valid until a future date gets a reminder due on that date (the
/// usual thresholds warn a month and a week before). A new reading of the
/// same document moves the same reminder.
pub async fn effects(
    state: &OcrState,
    document: &Document,
    reading: &Reading,
    today: NaiveDate,
) -> Result<Effects, Error> {
    let kind = effective_type(document, reading);
    let (service_type, title) = match kind {
        "insurance" => ("Assurance", "Renouveler l'assurance"),
        "inspection" => ("Contrôle technique", "Prochain contrôle technique"),
        _ => return Ok(Effects::default()),
    };
    let (Some(expiry), Some(vehicle_id)) = (reading.extraction.expiry(), &document.vehicle_id)
    else {
        return Ok(Effects::default());
    };
    if expiry <= today {
        return Ok(Effects::default());
    }
    let reminders = state.store.reminders();
    let previous = async {
        match &document.reminder_id {
            Some(id) => reminders.get(&document.owner_id, id).await,
            None => Ok(None),
        }
    };
    let vehicles = state.store.vehicles();
    let (vehicle, previous) =
        tokio::try_join!(vehicles.get(&document.owner_id, vehicle_id), previous)?;
    let Some(vehicle) = vehicle else {
        return Ok(Effects::default());
    };
    let existing = previous.filter(Reminder::is_active);
    let due = expiry
        .and_hms_opt(9, 0, 0)
        .map(|t| Utc.from_utc_datetime(&t));
    let mut writes = Vec::new();
    let reminder_id = match existing {
        Some(current) => {
            let mut after = current.clone();
            after.due_date = due;
            after.notified_level = 0;
            after.version = current.version + 1;
            after.updated_at = shared::time::now();
            let after = after.realigned();
            writes.push(reminders.tx_replace(current.version, &after)?);
            after.id
        }
        // At the vehicle's limit of active reminders, the reading is still
        // recorded; only the reminder is left out.
        None if vehicle.active_reminders >= MAX_ACTIVE_REMINDERS_PER_VEHICLE => {
            return Ok(Effects::default())
        }
        None => {
            let mut reminder = Reminder::new(&document.owner_id, vehicle_id, service_type, title);
            reminder.due_date = due;
            reminder.notes = Some(format!("D'après le document « {} ».", document.title));
            let reminder = reminder.realigned();
            writes.push(reminders.tx_create(&reminder)?);
            let effect = VehicleEffect {
                active_reminders: 1,
                ..VehicleEffect::default()
            };
            writes.extend(state.store.vehicles().tx_effect(&vehicle, effect)?);
            reminder.id
        }
    };
    Ok(Effects {
        writes,
        reminder_id: Some(reminder_id),
    })
}

/// The owner's type, or the detected one when the owner left `other`.
pub fn effective_type<'a>(document: &'a Document, reading: &'a Reading) -> &'a str {
    if document.document_type == shared::domain::documents::DEFAULT_TYPE {
        reading.extraction.document_type
    } else {
        &document.document_type
    }
}
