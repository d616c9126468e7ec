//! The fields of a diagnostic or a reply as sent, validated (spec 6.2.2,
//! 6.2.4, 6.2.8): text limits, the structured input (fault codes,
//! symptoms, mileage), the vehicle reference.

use serde_json::{Map, Value};
use shared::domain::diagnostics::{
    DESCRIPTION_MAX, MAX_FAULT_CODES, MAX_SYMPTOMS, MESSAGE_MAX, METADATA_MAX_BYTES, STATUSES,
    SYMPTOM_MAX, TITLE_MAX,
};
use shared::domain::dtc::{find_codes, normalize};
use shared::http::validate::{Fields, Text, BLANK, NULL, REQUIRED};

/// The highest odometer reading accepted (as the maintenances' mileage).
pub const MAX_MILEAGE: i64 = 5_000_000;

/// The writable fields of a create or an edit; `None` is "not sent".
#[derive(Debug, Default)]
pub struct DiagnosticInput {
    pub title: Option<String>,
    pub description: Option<String>,
    pub status: Option<String>,
    pub fault_codes: Option<Vec<String>>,
    pub symptoms: Option<Vec<String>>,
    pub mileage: Option<Option<i64>>,
}

/// Reads the fields; a create and a PUT require title and description.
pub fn diagnostic(f: &mut Fields, creating: bool) -> DiagnosticInput {
    let title = if creating || !f.is_partial() {
        f.required_text("title", TITLE_MAX)
    } else {
        f.text("title", Text::required(TITLE_MAX)).value()
    };
    let description = if creating || !f.is_partial() {
        f.required_text("description", DESCRIPTION_MAX)
    } else {
        f.text("description", Text::required(DESCRIPTION_MAX))
            .value()
    };
    // Any status sent with a create is ignored (always `pending`).
    let status = if creating {
        None
    } else {
        let choice = f.choice("status", STATUSES, false);
        f.not_null("status", choice)
    };
    let fault_codes = fault_codes(f);
    let symptoms = f.string_list("symptoms", MAX_SYMPTOMS, SYMPTOM_MAX).value();
    let mileage = f.integer("mileage", false, 0, MAX_MILEAGE).into_update();
    DiagnosticInput {
        title,
        description,
        status,
        fault_codes,
        symptoms,
        mileage,
    }
}

/// `fault_codes`: a list of OBD-II codes, each normalised (`p0301` is
/// `P0301`); a code that is not one is the item's error.
fn fault_codes(f: &mut Fields) -> Option<Vec<String>> {
    let raw = f.string_list("fault_codes", MAX_FAULT_CODES, 16).value()?;
    let mut codes: Vec<String> = Vec::new();
    let mut failed = false;
    for (i, item) in raw.iter().enumerate() {
        match normalize(item) {
            Ok(code) if !codes.contains(&code) => codes.push(code),
            Ok(_) => {}
            Err(message) => {
                f.error("fault_codes", format!("Item {}: {message}", i + 1));
                failed = true;
            }
        }
    }
    (!failed).then_some(codes)
}

/// The codes a diagnostic keeps: those given, then those its text names
/// (in order, once each), at most `MAX_FAULT_CODES`.
pub fn merged_codes(given: &[String], title: &str, description: &str) -> Vec<String> {
    let mut codes = given.to_vec();
    for code in find_codes(&format!("{title}\n{description}")) {
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    codes.truncate(MAX_FAULT_CODES);
    codes
}

/// A reply's message and metadata (`{}` when absent or null).
pub struct ReplyInput {
    pub message: Option<String>,
    pub metadata: Option<Value>,
}

pub fn reply(f: &mut Fields, creating: bool) -> ReplyInput {
    let message = if creating || !f.is_partial() {
        f.required_text("message", MESSAGE_MAX)
    } else {
        f.text("message", Text::required(MESSAGE_MAX)).value()
    };
    let metadata = metadata(f);
    ReplyInput { message, metadata }
}

/// `metadata`: any JSON (`{}` for null), bounded in size.
fn metadata(f: &mut Fields) -> Option<Value> {
    let raw = f.raw("metadata", false)?.clone();
    match raw {
        Value::Null => Some(Value::Object(Map::new())),
        _ if raw.to_string().len() > METADATA_MAX_BYTES => {
            f.error(
                "metadata",
                format!("Ensure this field is at most {METADATA_MAX_BYTES} bytes of JSON."),
            );
            None
        }
        _ => Some(raw),
    }
}

/// A reference to one of the caller's items by id (`vehicle`,
/// `diagnostic`): a string or a number; anything else is the field's
/// error.
pub fn reference(f: &mut Fields, name: &str, raw: Option<&Value>) -> Option<String> {
    match raw {
        None | Some(Value::Null) => {
            f.error(name, if raw.is_none() { REQUIRED } else { NULL });
            None
        }
        Some(Value::String(id)) if id.trim().is_empty() => {
            f.error(name, BLANK);
            None
        }
        Some(Value::String(id)) => Some(id.trim().to_string()),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(other) => {
            f.error(
                name,
                format!(
                    "Incorrect type. Expected pk value, received {}.",
                    shared::http::body::type_name(other)
                ),
            );
            None
        }
    }
}
