//! This function's part of the API document (feature `openapi`, never in
//! the release binary; docs/openapi-design.md): the owners' diagnostics and
//! the threads of their replies (spec 6). One `utoipa::path` stub per
//! operation, named after its handler, at the seed path with its trailing
//! slash; the reference's other spelling (`add_reply/`) is in `ALIASES`.
//!
//! The shapes are the ones `Diagnostic::to_json`, `to_detail_json`,
//! `Reply::to_json`, `stats`, the views and `analysis::request` write, the
//! structured `analysis` being a serialised `domain::diagnosis::Diagnosis`;
//! the bodies the ones `input::diagnostic`, `input::reply` and
//! `input::reference` read, with the limits of the same constants. One
//! schema of another function is referenced by name, not copied: `Vehicle`
//! (a diagnostic's `vehicle_info`). Every operation reads a token: none is
//! public.

// The stubs only carry their `utoipa::path` attribute: nothing calls them.
#![allow(dead_code)]

use serde_json::{json, Value};
use shared::domain::diagnosis::{Severity, SOURCE_OFFLINE, SOURCE_OPENAI};
use shared::domain::diagnostics::{
    analysis as analysis_state, diagnostics_reached, thread_full, COMPLETED, DESCRIPTION_MAX,
    IN_PROGRESS, MAX_DIAGNOSTICS_PER_USER, MAX_FAULT_CODES, MAX_REPLIES_PER_DIAGNOSTIC,
    MAX_SYMPTOMS, MESSAGE_MAX, METADATA_MAX_BYTES, PENDING, SENDER_AI, SENDER_MECHANIC,
    SENDER_TYPES, SENDER_USER, STATUSES, SYMPTOM_MAX, TITLE_MAX,
};
use shared::openapi::{
    trimmed_text_pattern, DetailRef, FieldErrorsRef, PlanLimitRef, TRIMMED_SPACE,
};
use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, SchemaType};
use utoipa::openapi::{Ref, RefOr, Schema};
use utoipa::{OpenApi, PartialSchema, ToSchema};

use crate::analysis::{NOT_ANALYSED, NOT_QUEUED, REQUESTED};
use crate::handlers::FOREIGN_VEHICLE;
use crate::input::MAX_MILEAGE;

const DIAGNOSTICS: &str = "diagnostics";
const REPLIES: &str = "replies";
const DIAGNOSTIC_ID: &str = "The diagnostic id";
const REPLY_ID: &str = "The reply id";

fn schema(value: Value) -> RefOr<Schema> {
    RefOr::T(serde_json::from_value(value).expect("a valid schema"))
}

/// A schema without a type: any JSON value.
fn any_json(description: String) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(SchemaType::AnyValue)
        .description(Some(description))
        .into()
}

/// The letters `dtc::normalize` takes first (any case), then the
/// characters of the second place and of the last three.
const CODE_SYSTEMS: &str = "PBCU";
const CODE_SECOND: &str = "0-3";

/// A fault code as sent: what `normalize` accepts once the item is
/// trimmed (`string_list`, then `normalize` itself), in any case.
fn code_in_pattern() -> String {
    let s = TRIMMED_SPACE;
    let lower = CODE_SYSTEMS.to_ascii_lowercase();
    format!("^[{s}]*[{CODE_SYSTEMS}{lower}][{CODE_SECOND}][0-9A-Fa-f]{{3}}[{s}]*$")
}

/// A fault code as stored: `normalize`'s canonical form.
fn code_out_pattern() -> String {
    format!("^[{CODE_SYSTEMS}][{CODE_SECOND}][0-9A-F]{{3}}$")
}

/// The severities a `Diagnosis` serialises, in rising order.
fn severities() -> Vec<Value> {
    // A new severity fails this match: it then joins the list too.
    let rank = |s: Severity| match s {
        Severity::Low => 0,
        Severity::Medium => 1,
        Severity::High => 2,
        Severity::Critical => 3,
    };
    let all = [
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];
    assert!(all.iter().enumerate().all(|(i, s)| rank(*s) == i));
    all.iter()
        .map(|s| serde_json::to_value(s).expect("a severity serialises"))
        .collect()
}

/// The likelihoods of a probable cause (the code table's and the ones
/// the model's answers are reduced to).
const LIKELIHOODS: [&str; 3] = ["high", "medium", "low"];

/// What `diagnosis::code_facts` says of a code.
const CODE_STATUSES: [&str; 3] = ["known", "manufacturer_specific", "unknown"];

const ANALYSIS_STATUSES: [&str; 5] = [
    analysis_state::NONE,
    analysis_state::QUEUED,
    analysis_state::PROCESSING,
    analysis_state::DONE,
    analysis_state::FAILED,
];

// ---- inputs -------------------------------------------------------------

/// A text that `Fields::text` trims, required and not blank (every text
/// of this function); JSON numbers are taken as their text.
fn text_in(max: usize) -> Value {
    json!({
        "type": ["string", "number"],
        "pattern": trimmed_text_pattern(max, false),
        "description": format!(
            "At most {max} characters once trimmed; not blank; null is a 400; a number is taken as its text."
        ),
    })
}

fn title_in() -> RefOr<Schema> {
    schema(text_in(TITLE_MAX))
}

fn description_in() -> RefOr<Schema> {
    schema(text_in(DESCRIPTION_MAX))
}

fn message_in() -> RefOr<Schema> {
    schema(text_in(MESSAGE_MAX))
}

/// `input::reference`: a string (trimmed) or a number; null, blank or
/// another type is the field's error.
fn reference_in(what: &str, refusal: &str) -> RefOr<Schema> {
    schema(json!({
        "type": "string",
        "format": "uuid",
        "description": format!(
            "The id of one of the caller's {what} (spaces around are trimmed; a number is read as \
             its text). Missing, null or blank: 400; any other id: 400 after the other fields' \
             checks (`{refusal}`)."
        ),
    }))
}

fn vehicle_in() -> RefOr<Schema> {
    reference_in("vehicles", FOREIGN_VEHICLE)
}

fn diagnostic_in() -> RefOr<Schema> {
    reference_in("diagnostics", "You can only reply to your own diagnostics.")
}

fn status_in() -> RefOr<Schema> {
    schema(json!({
        "type": "string",
        "enum": STATUSES,
        "description": "Absent: unchanged; null or another value: 400.",
    }))
}

fn fault_codes_in() -> RefOr<Schema> {
    schema(json!({
        "type": ["array", "null"],
        "items": {"type": "string", "pattern": code_in_pattern()},
        "maxItems": MAX_FAULT_CODES,
        "description": format!(
            "OBD-II codes: a letter P, B, C or U, a digit 0 to 3, three hexadecimal digits, in any \
             case (`p0301` is kept as `P0301`); at most {MAX_FAULT_CODES} items as sent, repeats \
             dropped; null is an empty list. The codes the title and description name are added \
             after them (at most {MAX_FAULT_CODES} in all). On an edit, absent keeps the stored \
             codes (merged again with the new text)."
        ),
    }))
}

fn symptoms_in() -> RefOr<Schema> {
    schema(json!({
        "type": ["array", "null"],
        "items": {"type": "string", "pattern": trimmed_text_pattern(SYMPTOM_MAX, false)},
        "maxItems": MAX_SYMPTOMS,
        "description": format!(
            "Short symptoms: at most {MAX_SYMPTOMS} items as sent, each at most {SYMPTOM_MAX} \
             characters once trimmed, none blank; repeats are dropped (the first kept); null is \
             an empty list."
        ),
    }))
}

fn mileage_in() -> RefOr<Schema> {
    schema(json!({
        "type": ["integer", "null"],
        "minimum": 0,
        "maximum": MAX_MILEAGE,
        "description": format!(
            "The odometer in km, 0 to {MAX_MILEAGE} (a numeric string is read too); null: none."
        ),
    }))
}

fn metadata_new_in() -> RefOr<Schema> {
    any_json(format!(
        "Any JSON (an object, usually) of at most {METADATA_MAX_BYTES} bytes once serialised; \
         absent or null: `{{}}`."
    ))
}

fn metadata_edit_in() -> RefOr<Schema> {
    any_json(format!(
        "Any JSON (an object, usually) of at most {METADATA_MAX_BYTES} bytes once serialised; \
         null: `{{}}`; absent: unchanged."
    ))
}

/// The body of `POST /api/diagnostics/`; `status` and unknown fields are
/// ignored (a new diagnostic is `pending`).
#[derive(ToSchema)]
#[schema(as = DiagnosticCreate)]
struct DiagnosticCreate {
    #[schema(schema_with = vehicle_in)]
    vehicle: String,
    #[schema(schema_with = title_in)]
    title: String,
    #[schema(schema_with = description_in)]
    description: String,
    #[schema(schema_with = fault_codes_in, required = false)]
    fault_codes: Vec<String>,
    #[schema(schema_with = symptoms_in, required = false)]
    symptoms: Vec<String>,
    #[schema(schema_with = mileage_in, required = false)]
    mileage: Option<i64>,
}

/// The body of `PUT /api/diagnostics/{id}/`: `title` and `description`
/// required, the other fields unchanged when absent; `vehicle`, the
/// analysis fields and unknown fields are ignored.
#[derive(ToSchema)]
#[schema(as = DiagnosticWrite)]
struct DiagnosticWrite {
    #[schema(schema_with = title_in)]
    title: String,
    #[schema(schema_with = description_in)]
    description: String,
    #[schema(schema_with = status_in, required = false)]
    status: String,
    #[schema(schema_with = fault_codes_in, required = false)]
    fault_codes: Vec<String>,
    #[schema(schema_with = symptoms_in, required = false)]
    symptoms: Vec<String>,
    #[schema(schema_with = mileage_in, required = false)]
    mileage: Option<i64>,
}

/// The body of `PATCH /api/diagnostics/{id}/`: the same fields, none
/// required.
#[derive(ToSchema)]
#[schema(as = DiagnosticPatch)]
struct DiagnosticPatch {
    #[schema(schema_with = title_in, required = false)]
    title: String,
    #[schema(schema_with = description_in, required = false)]
    description: String,
    #[schema(schema_with = status_in, required = false)]
    status: String,
    #[schema(schema_with = fault_codes_in, required = false)]
    fault_codes: Vec<String>,
    #[schema(schema_with = symptoms_in, required = false)]
    symptoms: Vec<String>,
    #[schema(schema_with = mileage_in, required = false)]
    mileage: Option<i64>,
}

/// The body of `POST /api/diagnostics/{id}/reply/`: the diagnostic is the
/// path's (a `diagnostic` here is ignored, as unknown fields are).
#[derive(ToSchema)]
#[schema(as = DiagnosticReplyWrite)]
struct DiagnosticReplyWrite {
    #[schema(schema_with = message_in)]
    message: String,
    #[schema(schema_with = metadata_new_in, required = false)]
    metadata: Value,
}

/// The body of `POST /api/replies/`: the reply with its diagnostic.
#[derive(ToSchema)]
#[schema(as = ReplyCreate)]
struct ReplyCreate {
    #[schema(schema_with = diagnostic_in)]
    diagnostic: String,
    #[schema(schema_with = message_in)]
    message: String,
    #[schema(schema_with = metadata_new_in, required = false)]
    metadata: Value,
}

/// The body of `PUT /api/replies/{id}/`: `message` required; the
/// diagnostic, the sender and unknown fields are ignored.
#[derive(ToSchema)]
#[schema(as = ReplyWrite)]
struct ReplyWrite {
    #[schema(schema_with = message_in)]
    message: String,
    #[schema(schema_with = metadata_edit_in, required = false)]
    metadata: Value,
}

/// The body of `PATCH /api/replies/{id}/`: the same fields, none required.
#[derive(ToSchema)]
#[schema(as = ReplyPatch)]
struct ReplyPatch {
    #[schema(schema_with = message_in, required = false)]
    message: String,
    #[schema(schema_with = metadata_edit_in, required = false)]
    metadata: Value,
}

// ---- outputs ------------------------------------------------------------

fn vehicle_info_out() -> RefOr<Schema> {
    schema(json!({
        "oneOf": [{"$ref": "#/components/schemas/Vehicle"}, {"type": "null"}],
        "description": "The vehicle as `GET /api/vehicles/` shows it, or null.",
    }))
}

fn status_out() -> RefOr<Schema> {
    schema(json!({
        "type": "string",
        "enum": STATUSES,
        "description": format!(
            "`{PENDING}` when created; the first analysis answered moves a `{PENDING}` one to \
             `{IN_PROGRESS}`; the owner sets it (`{COMPLETED}` included) with PUT or PATCH."
        ),
    }))
}

fn fault_codes_out() -> RefOr<Schema> {
    schema(json!({
        "type": "array",
        "items": {"type": "string", "pattern": code_out_pattern()},
        "maxItems": MAX_FAULT_CODES,
        "description": "Normalised OBD-II codes: the ones given, then the ones the title and description name, each once.",
    }))
}

fn symptoms_out() -> RefOr<Schema> {
    schema(json!({
        "type": "array",
        "items": {"type": "string", "minLength": 1, "maxLength": SYMPTOM_MAX},
        "maxItems": MAX_SYMPTOMS,
    }))
}

fn mileage_out() -> RefOr<Schema> {
    schema(json!({
        "type": ["integer", "null"],
        "minimum": 0,
        "maximum": MAX_MILEAGE,
        "description": "The odometer in km when the problem was reported, or null.",
    }))
}

fn ai_analysis_out() -> RefOr<Schema> {
    schema(json!({
        "type": ["string", "null"],
        "description": "The readable answer (in French) of the latest analysis done, or null before one. A new analysis replaces it when it is done.",
    }))
}

fn analysis_out() -> RefOr<Schema> {
    schema(json!({
        "oneOf": [{"$ref": "#/components/schemas/Diagnosis"}, {"type": "null"}],
        "description": "The structured answer of the latest analysis done, or null before one.",
    }))
}

fn analysis_status_out() -> RefOr<Schema> {
    schema(json!({
        "type": "string",
        "enum": ANALYSIS_STATUSES,
        "description": "Where the latest analysis stands: queued by a create, a reply of the owner or `request_ai_analysis/`; `failed` with `analysis_error` (also when none was queued: the queue was down, or the plan's AI analyses of the month are used up).",
    }))
}

fn analysis_error_out() -> RefOr<Schema> {
    schema(json!({
        "type": ["string", "null"],
        "description": "Why the latest analysis failed or was not queued (the queue down; the plan's AI analyses of the month used up, with the plan that lifts the limit), or null.",
    }))
}

fn confidence_score_out() -> RefOr<Schema> {
    schema(json!({
        "type": ["string", "null"],
        "pattern": r"^(100\.00|[0-9]{1,2}\.[0-9]{2})$",
        "description": "The latest analysis' confidence in percent with 2 decimals, as text, or null before one.",
        "examples": ["87.50"],
    }))
}

fn count_out() -> RefOr<Schema> {
    schema(json!({"type": "integer", "minimum": 0}))
}

fn latest_reply_out() -> RefOr<Schema> {
    schema(json!({
        "oneOf": [{"$ref": "#/components/schemas/Reply"}, {"type": "null"}],
        "description": "The newest reply of the thread, or null.",
    }))
}

/// `Diagnostic` (spec 6.1, `Diagnostic::to_json`), with the structured
/// input and the analysis state.
#[derive(ToSchema)]
#[schema(as = Diagnostic)]
struct DiagnosticOut {
    #[schema(format = Uuid)]
    id: String,
    /// The owner (the caller).
    #[schema(format = Uuid)]
    user: String,
    /// The vehicle's id.
    #[schema(format = Uuid)]
    vehicle: String,
    #[schema(schema_with = vehicle_info_out, required = true)]
    vehicle_info: Option<Value>,
    title: String,
    description: String,
    #[schema(schema_with = status_out)]
    status: String,
    #[schema(schema_with = fault_codes_out)]
    fault_codes: Vec<String>,
    #[schema(schema_with = symptoms_out)]
    symptoms: Vec<String>,
    #[schema(schema_with = mileage_out, required = true)]
    mileage: Option<i64>,
    #[schema(schema_with = ai_analysis_out, required = true)]
    ai_analysis: Option<String>,
    #[schema(schema_with = analysis_out, required = true)]
    analysis: Option<Value>,
    #[schema(schema_with = analysis_status_out)]
    analysis_status: String,
    #[schema(schema_with = analysis_error_out, required = true)]
    analysis_error: Option<String>,
    #[schema(schema_with = confidence_score_out, required = true)]
    confidence_score: Option<String>,
    /// Messages in the thread: the owner's and the assistant's.
    #[schema(schema_with = count_out)]
    replies_count: i64,
    #[schema(schema_with = latest_reply_out, required = true)]
    latest_reply: Option<Value>,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    updated_at: String,
}

/// `DiagnosticDetail` (`Diagnostic::to_detail_json`): the diagnostic with
/// its whole thread.
struct DiagnosticDetailOut;

impl PartialSchema for DiagnosticDetailOut {
    fn schema() -> RefOr<Schema> {
        schema(json!({
            "allOf": [
                {"$ref": "#/components/schemas/Diagnostic"},
                {
                    "type": "object",
                    "properties": {"all_replies": {
                        "type": "array",
                        "items": {"$ref": "#/components/schemas/Reply"},
                        "description": "Every reply of the thread, oldest first."
                    }},
                    "required": ["all_replies"]
                }
            ]
        }))
    }
}

impl ToSchema for DiagnosticDetailOut {
    fn name() -> std::borrow::Cow<'static, str> {
        "DiagnosticDetail".into()
    }
}

fn sender_out() -> RefOr<Schema> {
    schema(json!({
        "type": ["string", "null"],
        "format": "uuid",
        "description": "The author's user id (the owner); null for the assistant's answers.",
    }))
}

fn sender_type_out() -> RefOr<Schema> {
    schema(json!({
        "type": "string",
        "enum": SENDER_TYPES,
        "description": format!(
            "`{SENDER_USER}`: the owner's message; `{SENDER_AI}`: the assistant's answer to an \
             analysis; `{SENDER_MECHANIC}`: never written through this API."
        ),
    }))
}

fn metadata_out() -> RefOr<Schema> {
    any_json(
        "What the author attached (`{}` by default); on the assistant's answers an object with \
         `analysis_id`, `source`, `severity`, `safe_to_drive` and `confidence`."
            .into(),
    )
}

/// `Reply` (spec 6.1, `Reply::to_json`): a message of a diagnostic's
/// thread.
#[derive(ToSchema)]
#[schema(as = Reply)]
struct ReplyOut {
    #[schema(format = Uuid)]
    id: String,
    /// The diagnostic's id.
    #[schema(format = Uuid)]
    diagnostic: String,
    #[schema(schema_with = sender_out, required = true)]
    sender: Option<String>,
    #[schema(schema_with = sender_type_out)]
    sender_type: String,
    message: String,
    #[schema(schema_with = metadata_out)]
    metadata: Value,
    #[schema(format = DateTime)]
    created_at: String,
}

fn likelihood_out() -> RefOr<Schema> {
    schema(json!({"type": "string", "enum": LIKELIHOODS}))
}

fn cause_code_out() -> RefOr<Schema> {
    schema(json!({
        "type": "string",
        "pattern": code_out_pattern(),
        "description": "The code of the report it comes from; absent for a cause from the symptoms.",
    }))
}

/// A probable cause of a `Diagnosis`, the most likely first.
#[derive(ToSchema)]
#[schema(as = DiagnosisCause)]
struct DiagnosisCauseOut {
    cause: String,
    #[schema(schema_with = likelihood_out)]
    likelihood: String,
    #[schema(schema_with = cause_code_out, required = false)]
    code: Option<String>,
}

fn code_out() -> RefOr<Schema> {
    schema(json!({"type": "string", "pattern": code_out_pattern()}))
}

fn code_status_out() -> RefOr<Schema> {
    schema(json!({
        "type": "string",
        "enum": CODE_STATUSES,
        "description": "In the table of generic codes; reserved to the manufacturers (its meaning depends on the make); or a generic code the table does not list.",
    }))
}

fn code_title_out() -> RefOr<Schema> {
    schema(json!({
        "type": "string",
        "description": "The code's title in English (known codes only; absent otherwise).",
    }))
}

fn code_causes_out() -> RefOr<Schema> {
    schema(json!({
        "type": "array",
        "items": {"type": "string"},
        "minItems": 1,
        "description": "The table's causes in English (absent when there are none).",
    }))
}

/// `[min, max]` in euros (`widen`, the code table, or the model's answer
/// bounded and rounded).
fn cost_range_out() -> RefOr<Schema> {
    schema(json!({
        "type": "array",
        "items": {"type": "number", "minimum": 0},
        "minItems": 2,
        "maxItems": 2,
        "description": "An estimated repair cost in euros, `[min, max]`; absent when unknown.",
    }))
}

/// What the code table says of one code of the report.
#[derive(ToSchema)]
#[schema(as = DiagnosisCode)]
struct DiagnosisCodeOut {
    #[schema(schema_with = code_out)]
    code: String,
    #[schema(schema_with = code_status_out)]
    status: String,
    #[schema(schema_with = code_title_out, required = false)]
    title: Option<String>,
    #[schema(schema_with = code_causes_out, required = false)]
    causes: Vec<String>,
    #[schema(schema_with = cost_range_out, required = false)]
    estimated_cost_eur: Vec<f64>,
}

fn summary_out() -> RefOr<Schema> {
    schema(json!({
        "type": "string",
        "minLength": 1,
        "description": "A short explanation in the owner's language (the model's; absent offline).",
    }))
}

fn severity_out() -> RefOr<Schema> {
    schema(json!({"type": "string", "enum": severities()}))
}

fn confidence_out() -> RefOr<Schema> {
    schema(json!({"type": "number", "minimum": 0, "maximum": 1}))
}

fn source_out() -> RefOr<Schema> {
    schema(json!({
        "type": "string",
        "enum": [SOURCE_OFFLINE, SOURCE_OPENAI],
        "description": format!(
            "`{SOURCE_OPENAI}`: the model's answer; `{SOURCE_OFFLINE}`: the code table and \
             symptom rules (no key configured, or the model's answer was not usable)."
        ),
    }))
}

/// `Diagnosis` (`domain::diagnosis`): the structured answer of an
/// analysis, the same from the model and offline.
#[derive(ToSchema)]
#[schema(as = Diagnosis)]
struct DiagnosisOut {
    #[schema(schema_with = summary_out, required = false)]
    summary: Option<String>,
    /// The most likely first.
    probable_causes: Vec<DiagnosisCauseOut>,
    #[schema(schema_with = severity_out)]
    severity: String,
    /// Whether the car may be driven (never with a `critical` severity).
    safe_to_drive: bool,
    /// What to do, in order.
    recommended_actions: Vec<String>,
    #[schema(schema_with = cost_range_out, required = false)]
    estimated_cost_eur: Vec<f64>,
    #[schema(schema_with = confidence_out)]
    confidence: f64,
    /// The facts of every code of the report (given or written), in order.
    codes: Vec<DiagnosisCodeOut>,
    #[schema(schema_with = source_out)]
    source: String,
}

/// One status's count in `DiagnosticStats`.
#[derive(ToSchema)]
#[schema(as = DiagnosticStatusCount)]
struct DiagnosticStatusCount {
    #[schema(schema_with = status_out)]
    status: String,
    #[schema(minimum = 1)]
    count: i64,
}

fn average_confidence_out() -> RefOr<Schema> {
    schema(json!({
        "type": "number",
        "minimum": 0,
        "maximum": 100,
        "description": "The mean `confidence_score` of the diagnostics that have one, in percent, rounded to 2 decimals; 0 without any.",
    }))
}

/// `GET /api/diagnostics/stats/` (spec 6.2.7, `diagnostics::stats`).
#[derive(ToSchema)]
#[schema(as = DiagnosticStats)]
struct DiagnosticStats {
    #[schema(schema_with = count_out)]
    total_diagnostics: i64,
    /// The statuses that occur, in alphabetical order.
    by_status: Vec<DiagnosticStatusCount>,
    #[schema(schema_with = average_confidence_out)]
    average_confidence_score: f64,
}

/// The vehicle of a `by_vehicle/` group.
#[derive(ToSchema)]
#[schema(as = DiagnosticGroupVehicle)]
struct DiagnosticGroupVehicle {
    #[schema(format = Uuid)]
    id: String,
    make: String,
    model: String,
    year: i64,
}

fn group_vehicle() -> RefOr<Schema> {
    schema(json!({
        "oneOf": [{"$ref": "#/components/schemas/DiagnosticGroupVehicle"}, {"type": "null"}],
        "description": "The vehicle, or null when it is no longer found.",
    }))
}

/// A group of `GET /api/diagnostics/by_vehicle/`.
#[derive(ToSchema)]
#[schema(as = DiagnosticsOfVehicle)]
struct DiagnosticsOfVehicle {
    #[schema(schema_with = group_vehicle, required = true)]
    vehicle: Option<Value>,
    /// Its diagnostics, newest first.
    diagnostics: Vec<DiagnosticOut>,
}

fn requested_message() -> RefOr<Schema> {
    schema(json!({"type": "string", "enum": [REQUESTED]}))
}

fn pending_status() -> RefOr<Schema> {
    schema(json!({
        "type": "string",
        "enum": [analysis_state::QUEUED, analysis_state::PROCESSING],
    }))
}

/// `POST /api/diagnostics/{id}/request_ai_analysis/`: the analysis that
/// is waiting or running.
#[derive(ToSchema)]
#[schema(as = DiagnosticAnalysisRequested)]
struct DiagnosticAnalysisRequested {
    #[schema(schema_with = requested_message)]
    message: String,
    #[schema(format = Uuid)]
    diagnostic_id: String,
    /// The analysis' id: the one just queued, or the one already waiting
    /// or running.
    #[schema(format = Uuid)]
    analysis_id: String,
    #[schema(schema_with = pending_status)]
    analysis_status: String,
}

/// `{"error": ...}`: the shape of the thread's and the edit's refusals.
#[derive(ToSchema)]
#[schema(as = DiagnosticRefusal)]
struct DiagnosticRefusal {
    error: String,
}

/// A 400 of a body: field errors, or a body that cannot be parsed.
struct Invalid;
impl ToSchema for Invalid {}
impl PartialSchema for Invalid {
    fn schema() -> RefOr<Schema> {
        OneOfBuilder::new()
            .item(FieldErrorsRef::schema())
            .item(DetailRef::schema())
            .into()
    }
}

/// A 400 of a reply: a full thread (`error`), field errors, or a body
/// that cannot be parsed.
struct RefusalOrInvalid;
impl ToSchema for RefusalOrInvalid {}
impl PartialSchema for RefusalOrInvalid {
    fn schema() -> RefOr<Schema> {
        OneOfBuilder::new()
            .item(Ref::from_schema_name(DiagnosticRefusal::name()))
            .item(FieldErrorsRef::schema())
            .item(DetailRef::schema())
            .into()
    }
}

// ---- operations ---------------------------------------------------------

const CONFLICT: &str =
    "The diagnostic (or its vehicle) was changed by another request meanwhile: reload and retry";
const REPLY_CONFLICT: &str =
    "The reply or its diagnostic was changed by another request meanwhile: reload and retry";
/// Replaced in `openapi()` (it quotes the handlers' messages).
const CREATE_INVALID: &str = "Invalid input";
const REPLY_INVALID: &str = "Invalid input, or a full thread";

#[utoipa::path(get, path = "/api/diagnostics/", tag = DIAGNOSTICS,
    summary = "The caller's diagnostics, newest first",
    extensions(("x-paged" = json!(true))),
    responses(
        (status = 200, description = "A page of diagnostics", body = Vec<DiagnosticOut>),
        (status = 400, description = "A `status` that is not a status (`Select a valid choice. ... is not one of the available choices.`)", body = inline(FieldErrorsRef))))]
fn list() {}

/// How a create or a reply past the month's AI analyses goes.
fn quota() -> String {
    format!(
        "Every analysis queued counts one in the month's AI analyses of the account's plan \
         (calendar month, UTC; `ai_analyses_per_month`: 5 on Free); past them the owner's \
         writing is kept all the same (201), not analysed: `analysis_status` `{failed}`, \
         `analysis_error` naming the limit and the plan that lifts it, then `{NOT_ANALYSED}`",
        failed = analysis_state::FAILED,
    )
}

#[utoipa::path(post, path = "/api/diagnostics/", tag = DIAGNOSTICS,
    summary = "Report a problem on one of the caller's vehicles; its analysis is queued",
    request_body(content = DiagnosticCreate, description = "The diagnostic"),
    responses(
        (status = 201, description = "The diagnostic created, `pending`, its analysis `queued` (or `failed` with `analysis_error` when the queue could not take it or the plan's AI analyses of the month are used up: the diagnostic is kept)", body = DiagnosticOut),
        (status = 400, description = CREATE_INVALID, body = inline(Invalid)),
        (status = 409, description = CONFLICT, body = inline(DetailRef))))]
fn create() {}

#[utoipa::path(get, path = "/api/diagnostics/{id}/", tag = DIAGNOSTICS,
    summary = "One of the caller's diagnostics with its whole thread",
    params(("id" = String, Path, description = DIAGNOSTIC_ID)),
    responses((status = 200, description = "The diagnostic", body = DiagnosticDetailOut)))]
fn detail() {}

#[utoipa::path(put, path = "/api/diagnostics/{id}/", tag = DIAGNOSTICS,
    summary = "Replace a diagnostic's fields (`title` and `description` required)",
    params(("id" = String, Path, description = DIAGNOSTIC_ID)),
    request_body(content = DiagnosticWrite, description = "The diagnostic"),
    responses(
        (status = 200, description = "The diagnostic after the update", body = DiagnosticOut),
        (status = 400, description = "Every failing field at once; `detail` for a body that cannot be parsed", body = inline(Invalid)),
        (status = 409, description = CONFLICT, body = inline(DetailRef))))]
fn replace() {}

#[utoipa::path(patch, path = "/api/diagnostics/{id}/", tag = DIAGNOSTICS,
    summary = "Change some of a diagnostic's fields",
    params(("id" = String, Path, description = DIAGNOSTIC_ID)),
    request_body(content = DiagnosticPatch, description = "The fields to change"),
    responses(
        (status = 200, description = "The diagnostic after the update", body = DiagnosticOut),
        (status = 400, description = "Every failing field at once; `detail` for a body that cannot be parsed", body = inline(Invalid)),
        (status = 409, description = CONFLICT, body = inline(DetailRef))))]
fn patch() {}

#[utoipa::path(delete, path = "/api/diagnostics/{id}/", tag = DIAGNOSTICS,
    summary = "Delete a diagnostic with its replies",
    params(("id" = String, Path, description = DIAGNOSTIC_ID)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 409, description = CONFLICT, body = inline(DetailRef))))]
fn delete() {}

#[utoipa::path(get, path = "/api/diagnostics/pending/", tag = DIAGNOSTICS,
    summary = "The caller's `pending` diagnostics, newest first (not paged)",
    responses((status = 200, description = "The diagnostics", body = Vec<DiagnosticOut>)))]
fn pending() {}

#[utoipa::path(get, path = "/api/diagnostics/completed/", tag = DIAGNOSTICS,
    summary = "The caller's `completed` diagnostics, newest first (not paged)",
    responses((status = 200, description = "The diagnostics", body = Vec<DiagnosticOut>)))]
fn completed() {}

#[utoipa::path(get, path = "/api/diagnostics/stats/", tag = DIAGNOSTICS,
    summary = "Counts and the mean confidence over the caller's diagnostics",
    responses((status = 200, description = "The statistics", body = DiagnosticStats)))]
fn stats() {}

#[utoipa::path(get, path = "/api/diagnostics/by_vehicle/", tag = DIAGNOSTICS,
    summary = "The caller's diagnostics grouped by vehicle (not paged)",
    responses((status = 200, description = "The groups", body = Vec<DiagnosticsOfVehicle>)))]
fn by_vehicle() {}

#[utoipa::path(post, path = "/api/diagnostics/{id}/request_ai_analysis/", tag = DIAGNOSTICS,
    summary = "Ask for a new analysis of the diagnostic and its thread",
    params(("id" = String, Path, description = DIAGNOSTIC_ID)),
    responses(
        (status = 200, description = "Queued, or one was already waiting or running (nothing new queued)", body = DiagnosticAnalysisRequested),
        (status = 400, description = "The thread is full (`error`)", body = DiagnosticRefusal),
        (status = 403, description = "The plan's AI analyses of the month are all used (`limit`: `ai_analyses_per_month`): nothing changes", body = inline(PlanLimitRef)),
        (status = 409, description = "The diagnostic kept changing meanwhile: reload and retry", body = inline(DetailRef)),
        (status = 503, description = "The queue could not take the job: the diagnostic is now `failed` with `analysis_error` saying to ask again; retry later", body = inline(DetailRef))))]
fn analysis_request() {}

#[utoipa::path(post, path = "/api/diagnostics/{id}/reply/", tag = REPLIES,
    summary = "Add the owner's reply to a diagnostic's thread; a new analysis is queued",
    params(("id" = String, Path, description = DIAGNOSTIC_ID)),
    request_body(content = DiagnosticReplyWrite, description = "The reply"),
    responses(
        (status = 201, description = "The reply created (`sender_type` `user`)", body = ReplyOut),
        (status = 400, description = REPLY_INVALID, body = inline(RefusalOrInvalid)),
        (status = 409, description = "The diagnostic kept changing meanwhile: reload and retry", body = inline(DetailRef))))]
fn replies_add() {}

#[utoipa::path(get, path = "/api/replies/", tag = REPLIES,
    summary = "The replies of the caller's diagnostics, newest first by default",
    extensions(("x-paged" = json!(true))),
    responses(
        (status = 200, description = "A page of replies", body = Vec<ReplyOut>),
        (status = 400, description = "A `sender_type` that is not a sender type (`Select a valid choice. ... is not one of the available choices.`)", body = inline(FieldErrorsRef))))]
fn replies_list() {}

#[utoipa::path(post, path = "/api/replies/", tag = REPLIES,
    summary = "Add the owner's reply to the diagnostic named in the body; a new analysis is queued",
    request_body(content = ReplyCreate, description = "The reply with its diagnostic"),
    responses(
        (status = 201, description = "The reply created (`sender_type` `user`)", body = ReplyOut),
        (status = 400, description = REPLY_INVALID, body = inline(RefusalOrInvalid)),
        (status = 404, description = "The diagnostic was deleted meanwhile (`No Diagnostic matches the given query.`)", body = inline(DetailRef)),
        (status = 409, description = "The diagnostic kept changing meanwhile: reload and retry", body = inline(DetailRef))))]
fn replies_create() {}

#[utoipa::path(get, path = "/api/replies/{id}/", tag = REPLIES,
    summary = "One reply of the caller's diagnostics",
    params(("id" = String, Path, description = REPLY_ID)),
    responses((status = 200, description = "The reply", body = ReplyOut)))]
fn replies_detail() {}

#[utoipa::path(put, path = "/api/replies/{id}/", tag = REPLIES,
    summary = "Replace the owner's own reply (`message` required)",
    params(("id" = String, Path, description = REPLY_ID)),
    request_body(content = ReplyWrite, description = "The reply"),
    responses(
        (status = 200, description = "The reply after the update", body = ReplyOut),
        (status = 400, description = "Every failing field at once; `detail` for a body that cannot be parsed", body = inline(Invalid)),
        (status = 403, description = "Not the owner's message (`error`: `The assistant's answers cannot be edited.`), once the body is valid", body = DiagnosticRefusal),
        (status = 409, description = REPLY_CONFLICT, body = inline(DetailRef))))]
fn replies_replace() {}

#[utoipa::path(patch, path = "/api/replies/{id}/", tag = REPLIES,
    summary = "Change the owner's own reply",
    params(("id" = String, Path, description = REPLY_ID)),
    request_body(content = ReplyPatch, description = "The fields to change"),
    responses(
        (status = 200, description = "The reply after the update", body = ReplyOut),
        (status = 400, description = "Every failing field at once; `detail` for a body that cannot be parsed", body = inline(Invalid)),
        (status = 403, description = "Not the owner's message (`error`: `The assistant's answers cannot be edited.`), once the body is valid", body = DiagnosticRefusal),
        (status = 409, description = REPLY_CONFLICT, body = inline(DetailRef))))]
fn replies_patch() {}

#[utoipa::path(delete, path = "/api/replies/{id}/", tag = REPLIES,
    summary = "Delete a reply of the caller's diagnostics",
    params(("id" = String, Path, description = REPLY_ID)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 409, description = REPLY_CONFLICT, body = inline(DetailRef))))]
fn replies_delete() {}

#[derive(OpenApi)]
#[openapi(
    paths(
        list, create, detail, replace, patch, delete, pending, completed, stats, by_vehicle,
        analysis_request, replies_add, replies_list, replies_create, replies_detail,
        replies_replace, replies_patch, replies_delete
    ),
    components(schemas(
        DiagnosticOut, DiagnosticDetailOut, ReplyOut, DiagnosisOut, DiagnosisCauseOut,
        DiagnosisCodeOut, DiagnosticCreate, DiagnosticWrite, DiagnosticPatch,
        DiagnosticReplyWrite, ReplyCreate, ReplyWrite, ReplyPatch, DiagnosticStats,
        DiagnosticStatusCount, DiagnosticGroupVehicle, DiagnosticsOfVehicle,
        DiagnosticAnalysisRequested, DiagnosticRefusal
    )),
    tags(
        (name = "diagnostics", description = "The caller's diagnostics (spec 6): problem reports on their vehicles, with optional fault codes, symptoms and mileage. A new diagnostic, a reply of its owner or a request queues an AI analysis, which the assistant answers in the thread. An unknown diagnostic, or another user's, is a 404 `No Diagnostic matches the given query.`"),
        (name = "replies", description = "The threads of the caller's diagnostics: the owner's messages and the assistant's answers (spec 6). An unknown reply, or another user's, is a 404 `No Reply matches the given query.`")
    )
)]
struct Doc;

/// This function's operations at their seed paths (`ALIASES` are applied
/// once the document is merged), with the query parameters and the
/// descriptions that need the handlers' constants.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = Doc::openapi();
    let statuses = quoted(STATUSES);
    set_parameters(
        &mut doc,
        "/api/diagnostics/",
        json!([
            query(
                "vehicle",
                json!({"type": "string"}),
                "Only the diagnostics of this vehicle (an id); empty is ignored; an unknown id selects nothing.",
            ),
            query(
                "status",
                json!({"type": "string", "enum": with_empty(STATUSES)}),
                &format!("Only diagnostics of this status ({statuses}); empty is ignored; another value is a 400."),
            ),
            query(
                "search",
                json!({"type": "string"}),
                "Words (spaces or commas between them, `\"...\"` for a phrase) that must all occur, case and accents ignored, in the title, the description, the fault codes, or the vehicle's make and model.",
            ),
            query(
                "ordering",
                json!({"type": "string"}),
                "`created_at` or `updated_at`, `-` for descending, several separated by commas; unknown fields are ignored. Default `-created_at`.",
            ),
        ]),
    );
    set_parameters(
        &mut doc,
        "/api/diagnostics/by_vehicle/",
        json!([query(
            "vehicle_id",
            json!({"type": "string"}),
            "Only this vehicle's group (an id); absent or empty: every group; an unknown id: none.",
        )]),
    );
    set_parameters(
        &mut doc,
        "/api/replies/",
        json!([
            query(
                "diagnostic",
                json!({"type": "string"}),
                "Only the replies of this diagnostic (an id); empty is ignored; an unknown id selects nothing.",
            ),
            query(
                "sender_type",
                json!({"type": "string", "enum": with_empty(SENDER_TYPES)}),
                &format!(
                    "Only replies of this sender type ({}); empty is ignored; another value is a \
                     400.",
                    quoted(SENDER_TYPES)
                ),
            ),
            query(
                "is_ai_response",
                json!({"type": "string"}),
                &format!(
                    "`true`/`1` (any case): only the assistant's answers; `false`/`0`: only the \
                     others (`{SENDER_USER}` when no `sender_type` is given); any other value is \
                     ignored. With a `sender_type` that contradicts it: an empty page."
                ),
            ),
            query(
                "ordering",
                json!({"type": "string"}),
                "`created_at` (oldest first) or `-created_at` (newest first, the default); only the first known field counts, unknown ones are ignored.",
            ),
        ]),
    );
    describe(
        &mut doc,
        "/api/diagnostics/",
        "get",
        format!(
            "Every diagnostic of the account (at most {MAX_DIAGNOSTICS_PER_USER}), filtered, \
             searched and ordered, then paged."
        ),
    );
    describe(
        &mut doc,
        "/api/diagnostics/",
        "post",
        format!(
            "The diagnostic is `{PENDING}`; its analysis is queued at once (`analysis_status` \
             `{queued}`, answered in the thread by the assistant). When the queue cannot take \
             the job, the diagnostic is still created (201) with `analysis_status` `{failed}` \
             and `analysis_error` `{NOT_QUEUED}`. {quota}. `fault_codes` keeps the codes given, then the \
             ones the title and description name, each once, at most {MAX_FAULT_CODES}. An \
             account keeps at most {MAX_DIAGNOSTICS_PER_USER} diagnostics.",
            queued = analysis_state::QUEUED,
            failed = analysis_state::FAILED,
            quota = quota(),
        ),
    );
    set_response(
        &mut doc,
        "/api/diagnostics/",
        "post",
        "400",
        format!(
            "Every failing field at once (`vehicle`, `title`, `description`, `fault_codes`, \
             `symptoms`, `mileage`; a list's items as `Item N: ...`); then a vehicle that is not \
             the caller's (`vehicle`: `{FOREIGN_VEHICLE}`), then the account's limit \
             (`non_field_errors`: `{}`). `detail` for a body that cannot be parsed.",
            diagnostics_reached()
        ),
    );
    for method in ["put", "patch"] {
        describe(
            &mut doc,
            "/api/diagnostics/{id}/",
            method,
            format!(
                "The vehicle cannot change (`vehicle` is ignored), nor the analysis fields (the \
                 assistant's). The codes given (else the stored ones) are merged again with the \
                 ones the title and description name, at most {MAX_FAULT_CODES}. No analysis is \
                 queued."
            ),
        );
    }
    let newest = |status: &str| {
        format!(
            "A bare array of the caller's diagnostics whose `status` is `{status}`, newest first \
             (at most {MAX_DIAGNOSTICS_PER_USER})."
        )
    };
    describe(
        &mut doc,
        "/api/diagnostics/pending/",
        "get",
        newest(PENDING),
    );
    describe(
        &mut doc,
        "/api/diagnostics/completed/",
        "get",
        newest(COMPLETED),
    );
    describe(
        &mut doc,
        "/api/diagnostics/by_vehicle/",
        "get",
        "The caller's diagnostics (of `vehicle_id` when given), newest first, one group per \
         vehicle in the order of its newest diagnostic."
            .into(),
    );
    let full = thread_full();
    describe(
        &mut doc,
        "/api/diagnostics/{id}/request_ai_analysis/",
        "post",
        format!(
            "Queues a new analysis (`analysis_status` `{queued}`, a new `analysis_id`); the \
             assistant answers in the thread and fills `ai_analysis`, `analysis` and \
             `confidence_score`. While one is `{queued}` or `{processing}`, nothing new is queued \
             and the answer names that one. A thread of {MAX_REPLIES_PER_DIAGNOSTIC} messages or \
             more (the assistant's answers count too): 400 `error`: `{full}`. Each analysis \
             queued counts one in the month's AI analyses of the plan (calendar month, UTC; \
             `ai_analyses_per_month`: 5 on Free): past them, a 403 `plan_limit` naming the plan \
             that lifts it, and nothing changes. No body is read.",
            queued = analysis_state::QUEUED,
            processing = analysis_state::PROCESSING,
        ),
    );
    let reply = format!(
        "The owner's message (`sender_type` `{SENDER_USER}`), which queues a new analysis of \
         the diagnostic with its thread (the diagnostic's `analysis_status` `{queued}`). A \
         thread of {MAX_REPLIES_PER_DIAGNOSTIC} messages or more (the assistant's answers \
         count too): 400 `error`: `{full}`. When the queue cannot take the job, the reply is \
         still created (201) and the diagnostic is `{failed}` with `analysis_error` \
         `{NOT_QUEUED}`. {quota}.",
        queued = analysis_state::QUEUED,
        failed = analysis_state::FAILED,
        quota = quota(),
    );
    describe(
        &mut doc,
        "/api/diagnostics/{id}/reply/",
        "post",
        reply.clone(),
    );
    describe(&mut doc, "/api/replies/", "post", reply);
    set_response(
        &mut doc,
        "/api/diagnostics/{id}/reply/",
        "post",
        "400",
        format!(
            "Every failing field at once (`message`, `metadata`); then a full thread (`error`: \
             `{full}`). `detail` for a body that cannot be parsed."
        ),
    );
    set_response(
        &mut doc,
        "/api/replies/",
        "post",
        "400",
        format!(
            "Every failing field at once (`diagnostic`, `message`, `metadata`); then a diagnostic \
             that is not the caller's (`diagnostic`: `You can only reply to your own \
             diagnostics.`), then a full thread (`error`: `{full}`). `detail` for a body that \
             cannot be parsed."
        ),
    );
    for method in ["put", "patch"] {
        describe(
            &mut doc,
            "/api/replies/{id}/",
            method,
            format!(
                "Only the owner's messages (`sender_type` `{SENDER_USER}`) can be edited; the \
                 diagnostic's `latest_reply` follows. No analysis is queued."
            ),
        );
    }
    describe(
        &mut doc,
        "/api/replies/{id}/",
        "delete",
        "Any reply of the caller's diagnostics, the assistant's included; the diagnostic's \
         `replies_count` and `latest_reply` follow (its analysis stays)."
            .into(),
    );
    doc
}

/// `values` as a list of code spans, for descriptions.
fn quoted(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The values of a `choice_filter`, and the empty one it ignores.
fn with_empty<'a>(values: &[&'a str]) -> Vec<&'a str> {
    let mut all = values.to_vec();
    all.push("");
    all
}

fn query(name: &str, schema: Value, description: &str) -> Value {
    json!({
        "name": name,
        "in": "query",
        "required": false,
        "description": description,
        "schema": schema,
    })
}

fn operation<'a>(
    doc: &'a mut utoipa::openapi::OpenApi,
    path: &str,
    method: &str,
) -> &'a mut utoipa::openapi::path::Operation {
    let item = doc
        .paths
        .paths
        .get_mut(path)
        .unwrap_or_else(|| panic!("{path} is documented"));
    let op = match method {
        "get" => item.get.as_mut(),
        "post" => item.post.as_mut(),
        "put" => item.put.as_mut(),
        "patch" => item.patch.as_mut(),
        "delete" => item.delete.as_mut(),
        _ => None,
    };
    op.unwrap_or_else(|| panic!("{method} {path} is documented"))
}

fn set_parameters(doc: &mut utoipa::openapi::OpenApi, path: &str, params: Value) {
    let params: Vec<utoipa::openapi::path::Parameter> =
        serde_json::from_value(params).expect("valid parameters");
    let op = operation(doc, path, "get");
    op.parameters.get_or_insert_with(Vec::new).extend(params);
}

fn describe(doc: &mut utoipa::openapi::OpenApi, path: &str, method: &str, text: String) {
    operation(doc, path, method).description = Some(text);
}

/// Sets the description of a response the operation declares.
fn set_response(
    doc: &mut utoipa::openapi::OpenApi,
    path: &str,
    method: &str,
    status: &str,
    text: String,
) {
    let responses = &mut operation(doc, path, method).responses.responses;
    match responses.get_mut(status) {
        Some(RefOr::T(response)) => response.description = text,
        _ => panic!("{method} {path} declares its {status}"),
    }
}

/// The reference's other spelling of the reply path (the router's
/// `at(router, &[seed, alias], ...)`).
pub const ALIASES: &[shared::openapi::Alias] = &[(
    "/api/diagnostics/{id}/reply/",
    "/api/diagnostics/{id}/add_reply/",
    &["post"],
)];

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};
    use shared::domain::diagnosis::{code_facts, Severity};
    use shared::domain::diagnostics::{
        analysis, Diagnostic, NewDiagnostic, Reply, DESCRIPTION_MAX, MAX_FAULT_CODES, MAX_SYMPTOMS,
        MESSAGE_MAX, SENDER_TYPES, SENDER_USER, STATUSES, SYMPTOM_MAX, TITLE_MAX,
    };
    use shared::domain::dtc::{normalize, CodeTable};
    use shared::openapi::trimmed_text_pattern;

    use crate::input::MAX_MILEAGE;

    fn doc() -> Value {
        serde_json::to_value(super::openapi()).unwrap()
    }

    fn schemas() -> Value {
        doc()["components"]["schemas"].clone()
    }

    /// The property names of an object schema, sorted.
    fn properties(schema: &Value) -> Vec<String> {
        keys(&schema["properties"])
    }

    /// The names of an object's members, sorted.
    fn keys(value: &Value) -> Vec<String> {
        let mut names: Vec<String> = value.as_object().unwrap().keys().cloned().collect();
        names.sort();
        names
    }

    /// The required names of an object schema, sorted.
    fn required(schema: &Value) -> Vec<String> {
        let mut names: Vec<String> = schema["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn the_document_has_every_operation_of_the_router() {
        let doc = doc();
        let paths = doc["paths"].as_object().unwrap();
        assert_eq!(paths.len(), 10);
        let operations: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
        assert_eq!(operations, 18);
        // Every path the router declares is documented, or an alias.
        let source = include_str!("lib.rs");
        let declared: Vec<String> = source
            .split('"')
            .skip(1)
            .step_by(2)
            .filter(|literal| literal.starts_with("/api/"))
            .map(|literal| format!("{literal}/"))
            .collect();
        for path in &declared {
            let alias = super::ALIASES.iter().any(|(_, a, _)| a == path);
            assert!(paths.contains_key(path) != alias, "{path}");
        }
        assert_eq!(declared.len(), paths.len() + super::ALIASES.len());
        for (seed, path, methods) in super::ALIASES {
            assert!(!paths.contains_key(*path), "{path} is an alias");
            for method in *methods {
                assert!(paths[*seed].get(*method).is_some(), "{method} {seed}");
            }
        }
        for name in keys(&doc["components"]["schemas"]) {
            assert!(
                name.starts_with("Diagnos") || name.starts_with("Reply"),
                "{name}: the merged document shares one namespace of schemas"
            );
        }
        for item in paths.values() {
            for op in item.as_object().unwrap().values() {
                assert!(
                    op.get("security").is_none(),
                    "every operation reads a token"
                );
            }
        }
    }

    /// The representations' fields are the ones `to_json` writes, all of
    /// them required (a field is always there, null or not).
    #[test]
    fn the_schemas_have_the_representations_fields() {
        let schemas = schemas();
        let mut d = Diagnostic::new(
            "u1",
            NewDiagnostic {
                vehicle_id: "v1".into(),
                title: "Ratés".into(),
                description: "Ratés au ralenti".into(),
                fault_codes: vec!["P0301".into()],
                symptoms: vec![],
                mileage: None,
            },
        );
        let reply = Reply::new(&d, Some("u1"), SENDER_USER, "Toujours".into(), json!({}));
        d.latest_reply = Some(reply.clone());
        let diagnostic = d.to_json(None);
        assert_eq!(properties(&schemas["Diagnostic"]), keys(&diagnostic));
        assert_eq!(required(&schemas["Diagnostic"]), keys(&diagnostic));
        assert_eq!(properties(&schemas["Reply"]), keys(&reply.to_json()));
        assert_eq!(required(&schemas["Reply"]), keys(&reply.to_json()));
        let detail = d.to_detail_json(None, &[reply]);
        let extra = &schemas["DiagnosticDetail"]["allOf"][1];
        let mut all = keys(&diagnostic);
        all.extend(properties(extra));
        all.sort();
        assert_eq!(all, keys(&detail));
        let stats = shared::domain::diagnostics::stats(&[d]);
        assert_eq!(properties(&schemas["DiagnosticStats"]), keys(&stats));
        assert_eq!(
            properties(&schemas["DiagnosticStatusCount"]),
            keys(&stats["by_status"][0])
        );
    }

    #[test]
    fn limits_come_from_the_constants() {
        let schemas = schemas();
        let create = &schemas["DiagnosticCreate"];
        assert_eq!(
            create["required"],
            json!(["vehicle", "title", "description"])
        );
        let p = &create["properties"];
        assert_eq!(
            p["title"]["pattern"],
            trimmed_text_pattern(TITLE_MAX, false)
        );
        assert_eq!(
            p["description"]["pattern"],
            trimmed_text_pattern(DESCRIPTION_MAX, false)
        );
        assert_eq!(p["fault_codes"]["maxItems"], MAX_FAULT_CODES);
        assert_eq!(p["symptoms"]["maxItems"], MAX_SYMPTOMS);
        assert_eq!(
            p["symptoms"]["items"]["pattern"],
            trimmed_text_pattern(SYMPTOM_MAX, false)
        );
        assert_eq!(p["mileage"]["maximum"], MAX_MILEAGE);
        assert!(p.get("status").is_none(), "a create ignores `status`");
        assert_eq!(
            schemas["DiagnosticWrite"]["required"],
            json!(["title", "description"])
        );
        assert!(schemas["DiagnosticPatch"].get("required").is_none());
        assert_eq!(
            schemas["DiagnosticWrite"]["properties"]["status"]["enum"],
            json!(STATUSES)
        );
        for name in ["DiagnosticReplyWrite", "ReplyWrite"] {
            assert_eq!(schemas[name]["required"], json!(["message"]), "{name}");
            assert_eq!(
                schemas[name]["properties"]["message"]["pattern"],
                trimmed_text_pattern(MESSAGE_MAX, false)
            );
        }
        assert_eq!(
            schemas["ReplyCreate"]["required"],
            json!(["diagnostic", "message"])
        );
        assert!(schemas["ReplyPatch"].get("required").is_none());
        let metadata = &schemas["ReplyCreate"]["properties"]["metadata"];
        assert!(metadata.get("type").is_none(), "any JSON");
        assert!(metadata["description"]
            .as_str()
            .unwrap()
            .contains(&shared::domain::diagnostics::METADATA_MAX_BYTES.to_string()));
        let out = &schemas["Diagnostic"]["properties"];
        assert_eq!(out["status"]["enum"], json!(STATUSES));
        assert_eq!(
            out["analysis_status"]["enum"],
            json!([
                analysis::NONE,
                analysis::QUEUED,
                analysis::PROCESSING,
                analysis::DONE,
                analysis::FAILED
            ])
        );
        assert_eq!(
            schemas["Reply"]["properties"]["sender_type"]["enum"],
            json!(SENDER_TYPES)
        );
        let requested = &schemas["DiagnosticAnalysisRequested"]["properties"];
        assert_eq!(requested["message"]["enum"][0], crate::analysis::REQUESTED);
    }

    /// The pattern of a code as sent takes what `normalize` takes, and
    /// only that, character by character.
    #[test]
    fn the_fault_code_pattern_is_the_normalizers() {
        let pattern = super::code_in_pattern();
        assert!(
            pattern.contains("[PBCUpbcu][0-3][0-9A-Fa-f]{3}"),
            "{pattern}"
        );
        for c in (0x21u8..0x7f).map(char::from) {
            let first = "PBCUpbcu".contains(c);
            assert_eq!(normalize(&format!("{c}0301")).is_ok(), first, "{c}");
            let second = ('0'..='3').contains(&c);
            assert_eq!(normalize(&format!("P{c}301")).is_ok(), second, "{c}");
            let rest = c.is_ascii_hexdigit();
            assert_eq!(normalize(&format!("P03{c}1")).is_ok(), rest, "{c}");
        }
        assert_eq!(normalize(" c0a1f\u{3000}").unwrap(), "C0A1F");
        assert!(normalize("P03011").is_err() && normalize("P030").is_err());
        assert_eq!(super::code_out_pattern(), "^[PBCU][0-3][0-9A-F]{3}$");
    }

    /// The enums of `Diagnosis` are the ones the analysis writes.
    #[test]
    fn the_diagnosis_enums_are_the_analysis() {
        let schemas = schemas();
        let diagnosis = &schemas["Diagnosis"]["properties"];
        assert_eq!(
            diagnosis["severity"]["enum"],
            json!(["low", "medium", "high", "critical"])
        );
        assert_eq!(
            serde_json::to_value(Severity::Critical).unwrap(),
            diagnosis["severity"]["enum"][3]
        );
        let codes: Vec<String> = ["P0301", "P1690", "P0000"].map(String::from).to_vec();
        let facts = code_facts(&codes, CodeTable::embedded());
        let statuses: Vec<&str> = facts.iter().map(|f| f.status.as_str()).collect();
        assert_eq!(
            schemas["DiagnosisCode"]["properties"]["status"]["enum"],
            json!(statuses)
        );
        let offline = shared::domain::diagnosis::offline(
            &shared::domain::diagnosis::Complaint {
                text: "Ratés, bruit de frein, P0301 P0420".into(),
                ..Default::default()
            },
            CodeTable::embedded(),
        );
        let likelihoods = &schemas["DiagnosisCause"]["properties"]["likelihood"]["enum"];
        for cause in &offline.probable_causes {
            assert!(
                likelihoods
                    .as_array()
                    .unwrap()
                    .contains(&json!(cause.likelihood)),
                "{cause:?}"
            );
        }
        // Every property the structure writes is documented.
        let written = serde_json::to_value(&offline).unwrap();
        for key in keys(&written) {
            assert!(diagnosis.get(&key).is_some(), "{key}");
        }
        assert_eq!(
            schemas["Diagnosis"]["required"],
            json!([
                "probable_causes",
                "severity",
                "safe_to_drive",
                "recommended_actions",
                "confidence",
                "codes",
                "source"
            ])
        );
    }

    #[test]
    fn every_query_parameter_is_described() {
        let doc = doc();
        let mut seen = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                for p in op["parameters"].as_array().into_iter().flatten() {
                    seen += 1;
                    assert!(
                        p["description"].as_str().is_some_and(|d| !d.is_empty()),
                        "{method} {path} {}",
                        p["name"]
                    );
                }
            }
        }
        // 9 query parameters, and `id` on 10 operations.
        assert_eq!(seen, 19);
    }
}
