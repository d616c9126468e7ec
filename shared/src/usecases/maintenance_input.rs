//! Reading a maintenance from a body: the maintenances function's create
//! and edits, and a maintenance prefilled from an analysed invoice. The
//! non-negative rules apply on update too (the system we replace skipped
//! them).

use crate::domain::maintenances::{Maintenance, STATUSES};
use crate::domain::money::parse_cents;
use crate::domain::users::User;
use crate::http::validate::{Field, Fields, Text, NULL};
use crate::Result;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

#[derive(Default)]
pub struct MaintenanceInput {
    pub vehicle: Option<String>,
    pub service_date: Option<DateTime<Utc>>,
    pub service_type: Option<String>,
    pub description: Option<Option<String>>,
    pub mileage: Option<Option<i64>>,
    pub cost: Option<Option<i64>>,
    pub status: Option<String>,
    pub invoice_url: Option<Option<String>>,
    pub performed_by: Option<Option<String>>,
    pub reminder_sent: Option<bool>,
}

pub const MAX_MILEAGE: i64 = 5_000_000;
pub const SERVICE_TYPE_MAX: usize = 100;
pub const DESCRIPTION_MAX: usize = 10_000;
pub const INVOICE_URL_MAX: usize = 200;
/// Total digits of a cost (two of them decimals).
pub const COST_DIGITS: usize = 10;

/// `creating`: `vehicle` is read (required) and `reminder_sent` ignored;
/// on update it is the other way round.
pub fn read(
    body: &Map<String, Value>,
    partial: bool,
    creating: bool,
    caller: &User,
    owned_vehicle: impl Fn(&str) -> bool,
) -> Result<MaintenanceInput> {
    let mut f = Fields::partial(body, partial);
    let mut input = MaintenanceInput::default();
    if creating {
        match f.raw("vehicle", true) {
            Some(Value::String(id)) if owned_vehicle(id) => input.vehicle = Some(id.clone()),
            Some(Value::String(_)) => f.error(
                "vehicle",
                "You can only create maintenances for your own vehicles",
            ),
            Some(Value::Null) => f.error("vehicle", NULL),
            Some(other) => f.error(
                "vehicle",
                format!(
                    "Incorrect type. Expected pk value, received {}.",
                    crate::http::body::type_name(other)
                ),
            ),
            None => {}
        }
    }
    input.service_date = f.datetime("service_date", true).value();
    input.service_type = f.required_text("service_type", SERVICE_TYPE_MAX);
    input.description = f
        .text("description", Text::optional(DESCRIPTION_MAX))
        .into_update();
    input.mileage = match f.raw("mileage", false) {
        None => None,
        Some(Value::Null) => Some(None),
        Some(_) => match f.integer("mileage", false, i64::MIN, MAX_MILEAGE) {
            Field::Value(km) if km < 0 => {
                f.error("mileage", "Mileage cannot be negative");
                None
            }
            Field::Value(km) => Some(Some(km)),
            _ => None,
        },
    };
    input.cost = match f.raw("cost", false) {
        None => None,
        Some(Value::Null) => Some(None),
        Some(raw) => match parse_cents(raw, COST_DIGITS) {
            Ok(c) if c < 0 => {
                f.error("cost", "Cost cannot be negative");
                None
            }
            Ok(c) => Some(Some(c)),
            Err(message) => {
                f.error("cost", message);
                None
            }
        },
    };
    let status = f.choice("status", STATUSES, false);
    input.status = f.not_null("status", status);
    input.invoice_url = f.url("invoice_url", INVOICE_URL_MAX).into_update();
    // Only the caller may be named as the performer: no probing other ids.
    input.performed_by = match f.raw("performed_by", false) {
        None => None,
        Some(Value::Null) => Some(None),
        Some(Value::String(id)) if *id == caller.id => Some(Some(id.clone())),
        Some(other) => {
            let shown = other
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| other.to_string());
            f.error(
                "performed_by",
                format!("Invalid pk \"{shown}\" - object does not exist."),
            );
            None
        }
    };
    if !creating {
        input.reminder_sent = f.boolean("reminder_sent", false).value();
    }
    f.finish()?;
    Ok(input)
}

impl MaintenanceInput {
    pub fn apply(self, m: &mut Maintenance) {
        if let Some(v) = self.service_date {
            m.service_date = v;
        }
        if let Some(v) = self.service_type {
            m.service_type = v;
        }
        if let Some(v) = self.description {
            m.description = v;
        }
        if let Some(v) = self.mileage {
            m.mileage = v;
        }
        if let Some(v) = self.cost {
            m.cost = v;
        }
        if let Some(v) = self.status {
            m.status = v;
        }
        if let Some(v) = self.invoice_url {
            m.invoice_url = v;
        }
        if let Some(v) = self.performed_by {
            m.performed_by = v;
        }
        if let Some(v) = self.reminder_sent {
            m.reminder_sent = v;
        }
    }
}
