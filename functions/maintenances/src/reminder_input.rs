//! Reading a reminder, or a completion, from a body.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use shared::domain::money::parse_cents;
use shared::domain::reminders::{Reminder, STATUSES};
use shared::http::validate::{Field, Fields, Text, NULL};
use shared::{time, Result};

pub(crate) const MAX_MILEAGE: i64 = 5_000_000;
pub(crate) const MAX_DAYS_BEFORE: i64 = 365;
pub(crate) const MAX_KM_BEFORE: i64 = 100_000;
pub(crate) const MAX_RECURRENCE_MONTHS: i64 = 120;
pub(crate) const MAX_RECURRENCE_KM: i64 = 1_000_000;
pub(crate) const TITLE_MAX: usize = 255;
pub(crate) const NOTES_MAX: usize = 10_000;

/// The fields a body sets; `None` leaves a field as it is.
#[derive(Default)]
pub struct ReminderInput {
    pub vehicle: Option<String>,
    pub service_type: Option<String>,
    pub title: Option<String>,
    pub notes: Option<Option<String>>,
    pub due_date: Option<Option<DateTime<Utc>>>,
    pub due_mileage: Option<Option<i64>>,
    pub recurrence_months: Option<Option<i64>>,
    pub recurrence_km: Option<Option<i64>>,
    pub remind_days_before: Option<i64>,
    pub urgent_days_before: Option<i64>,
    pub remind_km_before: Option<i64>,
    pub urgent_km_before: Option<i64>,
    pub status: Option<String>,
}

/// A nullable whole number in `min..=max`.
fn nullable_integer(f: &mut Fields, name: &str, min: i64, max: i64) -> Option<Option<i64>> {
    match f.integer(name, false, min, max) {
        Field::Absent => None,
        Field::Null => Some(None),
        Field::Value(v) => Some(Some(v)),
    }
}

/// A number with a default, never null.
fn threshold(f: &mut Fields, name: &str, max: i64) -> Option<i64> {
    let value = f.integer(name, false, 0, max);
    f.not_null(name, value)
}

/// `creating`: `vehicle` is required (its ownership is checked by the
/// caller) and `status` is not read.
pub fn read(body: &Map<String, Value>, partial: bool, creating: bool) -> Result<ReminderInput> {
    let mut f = Fields::partial(body, partial);
    let mut input = ReminderInput::default();
    if creating {
        match f.raw("vehicle", true) {
            Some(Value::String(id)) => input.vehicle = Some(id.clone()),
            Some(Value::Null) => f.error("vehicle", NULL),
            Some(other) => f.error(
                "vehicle",
                format!(
                    "Incorrect type. Expected pk value, received {}.",
                    shared::http::body::type_name(other)
                ),
            ),
            None => {}
        }
    }
    input.service_type = f.required_text("service_type", crate::input::SERVICE_TYPE_MAX);
    // The title defaults to the service type.
    input.title = match f.text("title", Text::optional(TITLE_MAX)) {
        Field::Value(t) if !t.is_empty() => Some(t),
        _ => None,
    };
    input.notes = f.text("notes", Text::optional(NOTES_MAX)).into_update();
    input.due_date = f.datetime("due_date", false).into_update();
    input.due_mileage = nullable_integer(&mut f, "due_mileage", 0, MAX_MILEAGE);
    input.recurrence_months =
        nullable_integer(&mut f, "recurrence_months", 1, MAX_RECURRENCE_MONTHS);
    input.recurrence_km = nullable_integer(&mut f, "recurrence_km", 1, MAX_RECURRENCE_KM);
    input.remind_days_before = threshold(&mut f, "remind_days_before", MAX_DAYS_BEFORE);
    input.urgent_days_before = threshold(&mut f, "urgent_days_before", MAX_DAYS_BEFORE);
    input.remind_km_before = threshold(&mut f, "remind_km_before", MAX_KM_BEFORE);
    input.urgent_km_before = threshold(&mut f, "urgent_km_before", MAX_KM_BEFORE);
    if !creating {
        let status = f.choice("status", STATUSES, false);
        input.status = f.not_null("status", status);
    }
    f.finish()?;
    Ok(input)
}

impl ReminderInput {
    pub fn apply(self, r: &mut Reminder) {
        if let Some(v) = self.service_type {
            if r.title.is_empty() && self.title.is_none() {
                r.title = v.clone();
            }
            r.service_type = v;
        }
        if let Some(v) = self.title {
            r.title = v;
        }
        if let Some(v) = self.notes {
            r.notes = v;
        }
        if let Some(v) = self.due_date {
            r.due_date = v;
        }
        if let Some(v) = self.due_mileage {
            r.due_mileage = v;
        }
        if let Some(v) = self.recurrence_months {
            r.recurrence_months = v;
        }
        if let Some(v) = self.recurrence_km {
            r.recurrence_km = v;
        }
        if let Some(v) = self.remind_days_before {
            r.remind_days_before = v;
        }
        if let Some(v) = self.urgent_days_before {
            r.urgent_days_before = v;
        }
        if let Some(v) = self.remind_km_before {
            r.remind_km_before = v;
        }
        if let Some(v) = self.urgent_km_before {
            r.urgent_km_before = v;
        }
        if let Some(v) = self.status {
            r.status = v;
        }
    }
}

/// The rules across fields, on the reminder as it would be stored.
pub fn check(r: &Reminder) -> Result<()> {
    let mut errors = shared::FieldErrors::new();
    if r.due_date.is_none() && r.due_mileage.is_none() {
        errors.add("non_field_errors", "Set a due date, a due mileage or both.");
    }
    if r.urgent_days_before > r.remind_days_before {
        errors.add(
            "urgent_days_before",
            "Must not be more than remind_days_before.",
        );
    }
    if r.urgent_km_before > r.remind_km_before {
        errors.add(
            "urgent_km_before",
            "Must not be more than remind_km_before.",
        );
    }
    errors.into_result()
}

/// `POST /api/reminders/{id}/complete/`.
pub struct Completion {
    pub completed_at: Option<DateTime<Utc>>,
    pub mileage: Option<i64>,
    pub record_maintenance: bool,
    pub cost: Option<i64>,
    pub description: Option<String>,
}

pub fn read_completion(body: &Map<String, Value>) -> Result<Completion> {
    let mut f = Fields::new(body);
    let completed_at = match f.datetime("completed_at", false) {
        Field::Value(at) if at > time::now() + chrono::Duration::minutes(5) => {
            f.error("completed_at", "Cannot be in the future.");
            None
        }
        other => other.value(),
    };
    let mileage = f.integer("mileage", false, 0, MAX_MILEAGE).value();
    let record_maintenance = f
        .boolean("record_maintenance", false)
        .value()
        .unwrap_or(false);
    let cost = match f.raw("cost", false) {
        None | Some(Value::Null) => None,
        Some(raw) => match parse_cents(raw, crate::input::COST_DIGITS) {
            Ok(c) if c < 0 => {
                f.error("cost", "Cost cannot be negative");
                None
            }
            Ok(c) => Some(c),
            Err(message) => {
                f.error("cost", message);
                None
            }
        },
    };
    let description = f
        .text("description", Text::optional(crate::input::DESCRIPTION_MAX))
        .value();
    f.finish()?;
    Ok(Completion {
        completed_at,
        mileage,
        record_maintenance,
        cost,
        description,
    })
}
