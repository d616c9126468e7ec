//! This function's part of the API document (feature `openapi`, never in
//! the release binary; docs/openapi-design.md): the owners' documents
//! (spec 7). One `utoipa::path` stub per operation, named after its
//! handler, at the seed path with its trailing slash; the reference's other
//! spellings (`by_type/`, `by-vehicle/`, `upload_url/`, `download/`,
//! `create-maintenance/`) are `ALIASES`.
//!
//! The shapes are the ones `Document::to_json`, `stats`, the views and the
//! analysis handlers write; the bodies the ones `DocumentForm` reads (a
//! multipart upload, or JSON / form-encoded metadata) and `read_metadata`,
//! `upload_url` and `batch_analyze` check, with the limits of the same
//! constants. `POST /api/documents/` is the only operation of the API whose
//! body is listed in three media types: the file itself can only come as
//! `multipart/form-data`, and the confirmation of a presigned upload is
//! JSON or form-encoded. Two schemas of other functions are referenced by
//! name, not copied: `Vehicle` (a document's `vehicle_info`) and
//! `Maintenance` / `MaintenanceCreate` (the record made from an invoice,
//! which goes through the same rules as `POST /api/maintenances/`). Every
//! operation reads a token: none is public.

// The stubs only carry their `utoipa::path` attribute: nothing calls them.
#![allow(dead_code)]

use serde_json::{json, Value};
use shared::domain::documents::{
    status, DESCRIPTION_MAX, MAX_BATCH_ANALYZE, MAX_BYTES_PER_USER, MAX_DOCUMENTS_PER_USER,
    MAX_FILE_BYTES, MAX_MULTIPART_BODY_BYTES, MAX_MULTIPART_FILE_BYTES, MAX_TEXT_CHARS,
    SEARCH_DIGEST_CHARS, TITLE_MAX, TYPES, VIEW_LIMIT,
};
use shared::domain::files::{FileKind, MAX_FILE_NAME_CHARS};
use shared::openapi::{
    trimmed_text_pattern, DetailRef, FieldErrorsRef, PlanLimitRef, TRIMMED_SPACE,
};
use utoipa::openapi::schema::{AnyOfBuilder, OneOfBuilder};
use utoipa::openapi::{Ref, RefOr, Schema};
use utoipa::{OpenApi, PartialSchema, ToSchema};

use crate::files::DOWNLOAD_TTL;
use crate::form::UPLOAD_URL_PATH;
use crate::uploads::UPLOAD_TTL;

const TAG: &str = "documents";
const ID: &str = "The document id";

fn schema(value: Value) -> RefOr<Schema> {
    RefOr::T(serde_json::from_value(value).expect("a valid schema"))
}

/// The file kinds an upload may be (`FileKind`), in the order of the
/// refusal message.
const KINDS: [FileKind; 6] = [
    FileKind::Pdf,
    FileKind::Jpeg,
    FileKind::Png,
    FileKind::Gif,
    FileKind::Doc,
    FileKind::Docx,
];

/// The MIME types of `KINDS`: what `mime_type` holds.
fn stored_types() -> Vec<&'static str> {
    KINDS.iter().map(|k| k.mime()).collect()
}

/// The declared types `FileKind::from_declared` takes: the stored ones and
/// the two old JPEG spellings.
fn declarable_types() -> Vec<&'static str> {
    let mut types = stored_types();
    for extra in ["image/jpg", "image/pjpeg"] {
        assert_eq!(FileKind::from_declared(extra), Some(FileKind::Jpeg));
        types.push(extra);
    }
    types
}

fn megabytes(bytes: i64) -> i64 {
    bytes / (1024 * 1024)
}

// ---- inputs -------------------------------------------------------------

/// A text that `Fields::text` trims; JSON numbers are taken as their text.
fn text_value(max: usize, required: bool, nullable: bool) -> Value {
    let mut kinds = vec![json!("string"), json!("number")];
    if nullable {
        kinds.push(json!("null"));
    }
    json!({"type": kinds, "pattern": trimmed_text_pattern(max, !required)})
}

fn title_in() -> RefOr<Schema> {
    let mut value = text_value(TITLE_MAX, true, false);
    value["description"] = json!(format!(
        "At most {TITLE_MAX} characters once trimmed; not blank; a number is taken as its text."
    ));
    schema(value)
}

fn description_in() -> RefOr<Schema> {
    let mut value = text_value(DESCRIPTION_MAX, false, true);
    value["description"] = json!(format!(
        "At most {DESCRIPTION_MAX} characters once trimmed; may be empty; null: none."
    ));
    schema(value)
}

fn document_type_in() -> RefOr<Schema> {
    schema(json!({
        "type": "string",
        "enum": TYPES,
        "description": "Absent: `other` on a create, unchanged on an edit; null is a 400.",
    }))
}

/// `handlers::read_vehicle`: absent, null or blank is none; another type
/// is a 400; an id that is not one of the caller's vehicles is a 400
/// after the other fields' errors.
fn vehicle_in() -> RefOr<Schema> {
    schema(json!({
        "type": ["string", "null"],
        "description": "One of the caller's vehicles (anything else: 400 `vehicle`: `You can only create documents for your own vehicles.`); empty or null: none. Set on the create only: edits ignore it.",
    }))
}

/// The same in a multipart body, where every field is text.
fn vehicle_part() -> RefOr<Schema> {
    schema(json!({
        "type": "string",
        "description": "One of the caller's vehicles (anything else: 400 `vehicle`); empty: none.",
    }))
}

fn title_part() -> RefOr<Schema> {
    schema(json!({
        "type": "string",
        "pattern": trimmed_text_pattern(TITLE_MAX, false),
        "description": format!("At most {TITLE_MAX} characters once trimmed; not blank."),
    }))
}

fn description_part() -> RefOr<Schema> {
    schema(json!({
        "type": "string",
        "pattern": trimmed_text_pattern(DESCRIPTION_MAX, true),
        "description": format!("At most {DESCRIPTION_MAX} characters once trimmed; empty allowed."),
    }))
}

fn file_description(required: bool) -> String {
    let kinds = declarable_types().join(", ");
    let presence = if required {
        "Required (`No file was submitted.`), not empty."
    } else {
        "Optional: a new file replaces the old one (which is deleted) and resets the analysis; not empty."
    };
    format!(
        "The file, at most {} MiB (over it: the 413 that points to `{UPLOAD_URL_PATH}`); its \
         name at most {MAX_FILE_NAME_CHARS} characters once cleaned (the path before the last \
         `/` or `\\` dropped, control and invisible characters removed). Its type is read from \
         its bytes: PDF, JPEG, PNG, GIF, DOC or DOCX, else a 400; a declared part type other than \
         `application/octet-stream` must be one of {kinds} and agree with the bytes. {presence}",
        megabytes(MAX_MULTIPART_FILE_BYTES)
    )
}

fn binary(required: bool) -> Value {
    json!({
        "type": "string",
        "format": "binary",
        "contentMediaType": "application/octet-stream",
        "description": file_description(required),
    })
}

fn file_part() -> RefOr<Schema> {
    schema(binary(true))
}

fn new_file_part() -> RefOr<Schema> {
    schema(binary(false))
}

fn upload_key_in() -> RefOr<Schema> {
    schema(json!({
        "type": "string",
        "pattern": format!("[^{TRIMMED_SPACE}]"),
        "description": format!(
            "The `upload_key` of `POST {UPLOAD_URL_PATH}`, after the file was PUT to its `url`. \
             Unknown, expired, another user's or already used: 400 `upload_key` (`Unknown or \
             expired upload.`); nothing uploaded: 400 `file`. The object is then checked like a \
             multipart file, with the larger bound of {} MiB.",
            megabytes(MAX_FILE_BYTES)
        ),
    }))
}

/// The multipart body of `POST /api/documents/`: the file with its
/// metadata (`DocumentForm`, then `read_metadata`, `read_vehicle` and
/// `check_part`).
#[derive(ToSchema)]
#[schema(as = DocumentUpload)]
struct DocumentUpload {
    #[schema(schema_with = file_part)]
    file: Vec<u8>,
    #[schema(schema_with = title_part)]
    title: String,
    #[schema(schema_with = document_type_in, required = false)]
    document_type: String,
    #[schema(schema_with = description_part, required = false)]
    description: String,
    #[schema(schema_with = vehicle_part, required = false)]
    vehicle: String,
}

/// The JSON (or form-encoded) body of `POST /api/documents/`: the
/// confirmation of a presigned upload, with the document's metadata.
#[derive(ToSchema)]
#[schema(as = DocumentUploadConfirm)]
struct DocumentUploadConfirm {
    #[schema(schema_with = upload_key_in)]
    upload_key: String,
    #[schema(schema_with = title_in)]
    title: String,
    #[schema(schema_with = document_type_in, required = false)]
    document_type: String,
    #[schema(schema_with = description_in, required = false)]
    description: String,
    #[schema(schema_with = vehicle_in, required = false)]
    vehicle: String,
}

/// The multipart body of `PUT /api/documents/{id}/`: the metadata, and a
/// new file when one is sent. `vehicle` is ignored.
#[derive(ToSchema)]
#[schema(as = DocumentReplaceUpload)]
struct DocumentReplaceUpload {
    #[schema(schema_with = title_part)]
    title: String,
    #[schema(schema_with = new_file_part, required = false)]
    file: Vec<u8>,
    #[schema(schema_with = document_type_in, required = false)]
    document_type: String,
    #[schema(schema_with = description_part, required = false)]
    description: String,
}

/// The multipart body of `PATCH /api/documents/{id}/`: the same, nothing
/// required.
#[derive(ToSchema)]
#[schema(as = DocumentPatchUpload)]
struct DocumentPatchUpload {
    #[schema(schema_with = title_part, required = false)]
    title: String,
    #[schema(schema_with = new_file_part, required = false)]
    file: Vec<u8>,
    #[schema(schema_with = document_type_in, required = false)]
    document_type: String,
    #[schema(schema_with = description_part, required = false)]
    description: String,
}

/// The JSON body of `PUT /api/documents/{id}/`: the metadata (`title`
/// required); `vehicle`, `upload_key` and unknown fields are ignored.
#[derive(ToSchema)]
#[schema(as = DocumentWrite)]
struct DocumentWrite {
    #[schema(schema_with = title_in)]
    title: String,
    #[schema(schema_with = document_type_in, required = false)]
    document_type: String,
    #[schema(schema_with = description_in, required = false)]
    description: String,
}

/// The JSON body of `PATCH /api/documents/{id}/`: the same, nothing
/// required.
#[derive(ToSchema)]
#[schema(as = DocumentPatch)]
struct DocumentPatch {
    #[schema(schema_with = title_in, required = false)]
    title: String,
    #[schema(schema_with = document_type_in, required = false)]
    document_type: String,
    #[schema(schema_with = description_in, required = false)]
    description: String,
}

fn filename_in() -> RefOr<Schema> {
    schema(json!({
        "type": ["string", "number"],
        "pattern": trimmed_text_pattern(MAX_FILE_NAME_CHARS, false),
        "description": format!(
            "The file's name: not blank; at most {MAX_FILE_NAME_CHARS} characters once cleaned \
             (the path before the last `/` or `\\` dropped, control and invisible characters \
             removed, spaces collapsed, spaces and dots trimmed at both ends), else a 400; kept \
             as the document's `file_name`."
        ),
    }))
}

fn content_type_in() -> RefOr<Schema> {
    schema(json!({
        "type": "string",
        "enum": declarable_types(),
        "description": "The file's type, in any case (`;` parameters ignored); another type is a 400. The PUT must send it as its `Content-Type` (it is signed); the bytes must then agree with it.",
    }))
}

fn size_in() -> RefOr<Schema> {
    schema(json!({
        "type": ["integer", "null"],
        "minimum": 1,
        "maximum": MAX_FILE_BYTES,
        "description": format!(
            "The file's size in bytes, if known (a numeric string is read too): over {MAX_FILE_BYTES} \
             is a 400 at once; checked again on the uploaded object either way."
        ),
    }))
}

/// The body of `POST /api/documents/upload-url/`; unknown fields are ignored.
#[derive(ToSchema)]
#[schema(as = DocumentUploadUrlWrite)]
struct DocumentUploadUrlWrite {
    #[schema(schema_with = filename_in)]
    filename: String,
    #[schema(schema_with = content_type_in)]
    content_type: String,
    #[schema(schema_with = size_in, required = false)]
    size: i64,
}

fn document_ids_in() -> RefOr<Schema> {
    schema(json!({
        "type": "array",
        "items": {"type": "string"},
        "minItems": 1,
        "maxItems": MAX_BATCH_ANALYZE,
        "uniqueItems": true,
        "description": format!(
            "Ids of the caller's documents, each once, 1 to {MAX_BATCH_ANALYZE} (a number is \
             read as its text). Absent, empty or not a list: 400 `No document IDs provided.`; \
             any id that is not one of the caller's documents, or twice: 400 `Some documents not \
             found or not accessible.`; more than {MAX_BATCH_ANALYZE}: 400."
        ),
    }))
}

/// The body of `POST /api/documents/batch_analyze/`.
#[derive(ToSchema)]
#[schema(as = DocumentBatchAnalyzeWrite)]
struct DocumentBatchAnalyzeWrite {
    #[schema(schema_with = document_ids_in)]
    document_ids: Vec<String>,
}

/// A property of the maintenances function's `MaintenanceCreate`: the
/// overrides of `create_maintenance/` go through the same rules
/// (`shared::usecases::maintenance_input`).
fn maintenance_field(name: &str) -> RefOr<Schema> {
    RefOr::Ref(Ref::new(format!(
        "#/components/schemas/MaintenanceCreate/properties/{name}"
    )))
}

fn m_vehicle() -> RefOr<Schema> {
    maintenance_field("vehicle")
}
fn m_service_date() -> RefOr<Schema> {
    maintenance_field("service_date")
}
fn m_service_type() -> RefOr<Schema> {
    maintenance_field("service_type")
}
fn m_description() -> RefOr<Schema> {
    maintenance_field("description")
}
fn m_mileage() -> RefOr<Schema> {
    maintenance_field("mileage")
}
fn m_cost() -> RefOr<Schema> {
    maintenance_field("cost")
}
fn m_status() -> RefOr<Schema> {
    maintenance_field("status")
}
fn m_invoice_url() -> RefOr<Schema> {
    maintenance_field("invoice_url")
}
fn m_performed_by() -> RefOr<Schema> {
    maintenance_field("performed_by")
}

/// The body of `POST /api/documents/{id}/create_maintenance/`: the fields
/// of `MaintenanceCreate`, each optional, over what was read from the
/// invoice (`prefill::suggested`); the result must pass the rules of `POST
/// /api/maintenances/`. Defaults: `vehicle` the document's (required when
/// it has none), `service_date` the invoice's date (required when none was
/// read), `service_type` the service read (else `Entretien`), `description`
/// the title with the invoice number, the garage and the services,
/// `mileage` and `cost` the ones read, `status` `COMPLETED`. Unknown fields
/// are ignored.
#[derive(ToSchema)]
#[schema(as = MaintenanceFromDocument)]
struct MaintenanceFromDocument {
    #[schema(schema_with = m_vehicle, required = false)]
    vehicle: String,
    #[schema(schema_with = m_service_date, required = false)]
    service_date: String,
    #[schema(schema_with = m_service_type, required = false)]
    service_type: String,
    #[schema(schema_with = m_description, required = false)]
    description: String,
    #[schema(schema_with = m_mileage, required = false)]
    mileage: i64,
    #[schema(schema_with = m_cost, required = false)]
    cost: String,
    #[schema(schema_with = m_status, required = false)]
    status: String,
    #[schema(schema_with = m_invoice_url, required = false)]
    invoice_url: String,
    #[schema(schema_with = m_performed_by, required = false)]
    performed_by: String,
}

// ---- outputs ------------------------------------------------------------

fn nullable_string() -> RefOr<Schema> {
    schema(json!({"type": ["string", "null"]}))
}

fn nullable_uuid() -> RefOr<Schema> {
    schema(json!({"type": ["string", "null"], "format": "uuid"}))
}

fn nullable_datetime() -> RefOr<Schema> {
    schema(json!({"type": ["string", "null"], "format": "date-time"}))
}

fn document_type_out() -> RefOr<Schema> {
    schema(json!({"type": "string", "enum": TYPES}))
}

fn vehicle_info_out() -> RefOr<Schema> {
    schema(json!({
        "oneOf": [{"$ref": "#/components/schemas/Vehicle"}, {"type": "null"}],
        "description": "The vehicle as `GET /api/vehicles/` shows it, or null.",
    }))
}

fn file_link() -> RefOr<Schema> {
    schema(json!({
        "type": "string",
        "description": format!(
            "Where to download the file: a presigned link that works for {} minutes (PDF and \
             images shown inline, Word files downloaded, under `file_name`). In `GET \
             /api/vehicles/{{id}}/documents/`, the path `/api/documents/{{id}}/file/` instead, \
             which redirects to a fresh link.",
            DOWNLOAD_TTL.as_secs() / 60
        ),
    }))
}

fn file_name_out() -> RefOr<Schema> {
    schema(json!({
        "type": "string",
        "minLength": 1,
        "maxLength": MAX_FILE_NAME_CHARS,
        "description": "The cleaned original name (`document.<ext>` when nothing was left of it).",
    }))
}

fn file_size_out() -> RefOr<Schema> {
    schema(json!({"type": "integer", "minimum": 1, "maximum": MAX_FILE_BYTES}))
}

fn mime_type_out() -> RefOr<Schema> {
    schema(json!({
        "type": "string",
        "enum": stored_types(),
        "description": "The type read from the bytes.",
    }))
}

fn extracted_text_out() -> RefOr<Schema> {
    schema(json!({
        "type": ["string", "null"],
        "maxLength": MAX_TEXT_CHARS,
        "description": format!(
            "The text the analysis read (at most {MAX_TEXT_CHARS} characters); null before an \
             analysis, and on the answer of a create."
        ),
    }))
}

fn analysis_data_out() -> RefOr<Schema> {
    schema(json!({
        "type": "object",
        "description": "What the last analysis found, as the OCR worker writes it (`{}` until one is done): `status` (`success` or `error`), the detected `document_type`, `structured_data`, `confidence`, and for an invoice `suggested_maintenance` (what `create_maintenance/` prefills).",
    }))
}

fn analysis_status_out() -> RefOr<Schema> {
    schema(json!({
        "type": "string",
        "enum": [status::NONE, status::QUEUED, status::PROCESSING, status::DONE, status::FAILED],
        "description": "Where the analysis of the current file stands; a new file is back to `none`.",
    }))
}

/// `Document` (spec 7.1, `Document::to_json`), with the analysis state.
#[derive(ToSchema)]
#[schema(as = Document)]
struct DocumentOut {
    #[schema(format = Uuid)]
    id: String,
    /// The owner (the caller).
    #[schema(format = Uuid)]
    user: String,
    /// The vehicle's id, or null.
    #[schema(schema_with = nullable_uuid, required = true)]
    vehicle: Option<String>,
    #[schema(schema_with = vehicle_info_out, required = true)]
    vehicle_info: Option<Value>,
    #[schema(schema_with = document_type_out)]
    document_type: String,
    title: String,
    #[schema(schema_with = nullable_string, required = true)]
    description: Option<String>,
    #[schema(schema_with = file_link)]
    file: String,
    /// The same value as `file`.
    #[schema(schema_with = file_link)]
    file_url: String,
    #[schema(schema_with = file_name_out)]
    file_name: String,
    #[schema(schema_with = file_size_out)]
    file_size: i64,
    #[schema(schema_with = mime_type_out)]
    mime_type: String,
    #[schema(schema_with = extracted_text_out, required = true)]
    extracted_text: Option<String>,
    #[schema(schema_with = analysis_data_out)]
    analysis_data: Value,
    #[schema(schema_with = analysis_status_out)]
    analysis_status: String,
    /// Why the last analysis failed, or null.
    #[schema(schema_with = nullable_string, required = true)]
    analysis_error: Option<String>,
    #[schema(schema_with = nullable_datetime, required = true)]
    analyzed_at: Option<String>,
    is_analyzed: bool,
    /// The maintenance recorded from this document, or null.
    #[schema(schema_with = nullable_uuid, required = true)]
    maintenance: Option<String>,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    updated_at: String,
}

/// The 413 of a multipart body too large for the function (`form::too_large`).
#[derive(ToSchema)]
#[schema(as = DocumentTooLarge)]
struct DocumentTooLarge {
    detail: String,
    /// The largest file a multipart body may carry.
    #[schema(schema_with = multipart_max_out)]
    max_bytes: i64,
    /// Where larger files go.
    #[schema(schema_with = upload_url_out)]
    upload_url: String,
}

fn multipart_max_out() -> RefOr<Schema> {
    schema(json!({"type": "integer", "enum": [MAX_MULTIPART_FILE_BYTES]}))
}

fn upload_url_out() -> RefOr<Schema> {
    schema(json!({"type": "string", "enum": [UPLOAD_URL_PATH]}))
}

/// 413: a multipart body over the function's bounds (`DocumentTooLarge`),
/// or a JSON / form body over 1 MiB (`Detail`).
struct TooLarge;
impl ToSchema for TooLarge {}
impl PartialSchema for TooLarge {
    fn schema() -> RefOr<Schema> {
        AnyOfBuilder::new()
            .item(Ref::from_schema_name(DocumentTooLarge::name()))
            .item(DetailRef::schema())
            .into()
    }
}

/// `{"error": ...}`: the shape of the analysis and prefill refusals.
#[derive(ToSchema)]
#[schema(as = DocumentRefusal)]
struct DocumentRefusal {
    error: String,
}

/// A 400 that is a refusal, field errors, or a body that cannot be parsed.
struct RefusalOrInvalid;
impl ToSchema for RefusalOrInvalid {}
impl PartialSchema for RefusalOrInvalid {
    fn schema() -> RefOr<Schema> {
        OneOfBuilder::new()
            .item(Ref::from_schema_name(DocumentRefusal::name()))
            .item(FieldErrorsRef::schema())
            .item(DetailRef::schema())
            .into()
    }
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

fn upload_key_out() -> RefOr<Schema> {
    schema(json!({
        "type": "string",
        "description": "To send as `upload_key` to `POST /api/documents/` once the file is uploaded.",
    }))
}

fn presigned_put_out() -> RefOr<Schema> {
    schema(json!({
        "type": "string",
        "format": "uri",
        "description": "The presigned URL to PUT the file's bytes to.",
    }))
}

fn put_method() -> RefOr<Schema> {
    schema(json!({"type": "string", "enum": ["PUT"]}))
}

fn upload_headers() -> RefOr<Schema> {
    schema(json!({
        "type": "object",
        "properties": {"Content-Type": {"type": "string"}},
        "required": ["Content-Type"],
        "description": "Headers the PUT must send: `Content-Type`, the declared type (it is signed).",
    }))
}

fn upload_ttl_out() -> RefOr<Schema> {
    schema(json!({"type": "integer", "enum": [UPLOAD_TTL.as_secs()]}))
}

fn max_file_out() -> RefOr<Schema> {
    schema(json!({"type": "integer", "enum": [MAX_FILE_BYTES]}))
}

/// `POST /api/documents/upload-url/`: a presigned PUT to a pending key.
#[derive(ToSchema)]
#[schema(as = DocumentUploadUrl)]
struct DocumentUploadUrl {
    #[schema(schema_with = upload_key_out)]
    upload_key: String,
    #[schema(schema_with = presigned_put_out)]
    url: String,
    #[schema(schema_with = put_method)]
    method: String,
    #[schema(schema_with = upload_headers)]
    headers: Value,
    /// Seconds the link works.
    #[schema(schema_with = upload_ttl_out)]
    expires_in: u64,
    #[schema(format = DateTime)]
    expires_at: String,
    /// The largest file accepted.
    #[schema(schema_with = max_file_out)]
    max_bytes: i64,
}

/// The vehicle of a `by_vehicle/` group.
#[derive(ToSchema)]
#[schema(as = DocumentGroupVehicle)]
struct DocumentGroupVehicle {
    #[schema(format = Uuid)]
    id: String,
    make: String,
    model: String,
    year: i64,
}

fn group_vehicle() -> RefOr<Schema> {
    schema(json!({
        "oneOf": [{"$ref": "#/components/schemas/DocumentGroupVehicle"}, {"type": "null"}],
        "description": "Null for the documents filed under no vehicle (the last group).",
    }))
}

/// A group of `GET /api/documents/by_vehicle/`.
#[derive(ToSchema)]
#[schema(as = DocumentsOfVehicle)]
struct DocumentsOfVehicle {
    #[schema(schema_with = group_vehicle, required = true)]
    vehicle: Option<Value>,
    /// Its documents, newest first.
    documents: Vec<DocumentOut>,
}

fn count_out() -> RefOr<Schema> {
    schema(json!({"type": "integer", "minimum": 0}))
}

/// One type's count in `DocumentStats`.
#[derive(ToSchema)]
#[schema(as = DocumentTypeCount)]
struct DocumentTypeCount {
    #[schema(schema_with = document_type_out)]
    document_type: String,
    #[schema(minimum = 1)]
    count: i64,
}

/// `GET /api/documents/stats/` (spec 7.2.9, `documents::stats`).
#[derive(ToSchema)]
#[schema(as = DocumentStats)]
struct DocumentStats {
    #[schema(schema_with = count_out)]
    total_documents: i64,
    /// The types that occur, in alphabetical order.
    by_type: Vec<DocumentTypeCount>,
    #[schema(schema_with = count_out)]
    analyzed: i64,
    #[schema(schema_with = count_out)]
    unanalyzed: i64,
    #[schema(schema_with = count_out)]
    total_storage_bytes: i64,
    /// `total_storage_bytes` in MiB, rounded to 2 decimals.
    #[schema(minimum = 0)]
    total_storage_mb: f64,
}

/// `POST /api/documents/{id}/analyze/`: the job is queued.
#[derive(ToSchema)]
#[schema(as = DocumentAnalysisStarted)]
struct DocumentAnalysisStarted {
    message: String,
    #[schema(format = Uuid)]
    document_id: String,
    /// The analysis' id (the document's, until a newer request).
    #[schema(format = Uuid)]
    task_id: String,
}

fn batch_count_out() -> RefOr<Schema> {
    schema(json!({"type": "integer", "minimum": 1, "maximum": MAX_BATCH_ANALYZE}))
}

/// `POST /api/documents/batch_analyze/`: one job per document queued.
#[derive(ToSchema)]
#[schema(as = DocumentBatchAnalysisStarted)]
struct DocumentBatchAnalysisStarted {
    message: String,
    #[schema(schema_with = batch_count_out)]
    document_count: i64,
    /// The batch's id, the `analysis_id` of each document.
    #[schema(format = Uuid)]
    task_id: String,
}

/// 201 of `create_maintenance/`: the maintenances function's `Maintenance`
/// with the document's id.
struct MaintenanceFromDocumentOut;
impl ToSchema for MaintenanceFromDocumentOut {}
impl PartialSchema for MaintenanceFromDocumentOut {
    fn schema() -> RefOr<Schema> {
        schema(json!({
            "allOf": [
                {"$ref": "#/components/schemas/Maintenance"},
                {
                    "type": "object",
                    "properties": {"document": {
                        "type": "string",
                        "format": "uuid",
                        "description": "The document it was recorded from."
                    }},
                    "required": ["document"]
                }
            ]
        }))
    }
}

/// 409 of `create_maintenance/`: a maintenance already recorded from the
/// document, or a concurrent change.
struct MaintenanceConflict;
impl ToSchema for MaintenanceConflict {}
impl PartialSchema for MaintenanceConflict {
    fn schema() -> RefOr<Schema> {
        schema(json!({
            "oneOf": [
                {
                    "type": "object",
                    "properties": {
                        "error": {"type": "string"},
                        "maintenance": {"type": "string", "format": "uuid", "description": "The maintenance already recorded."}
                    },
                    "required": ["error", "maintenance"]
                },
                {"$ref": "#/components/schemas/Detail"}
            ]
        }))
    }
}

// ---- operations ---------------------------------------------------------

/// Replaced by `too_large_description` (it needs the constants).
const TOO_LARGE: &str = "The body is too large";
const UNSUPPORTED: &str =
    "The body is neither multipart, JSON nor form-encoded (the media type is echoed)";
const CONFLICT: &str =
    "The document (or its vehicle) was changed by another request meanwhile: reload and retry";

/// The 403 of a document beyond the plan's limits.
const PLAN_LIMIT: &str = "One more document beyond the plan's documents (`limit`: `max_documents`) or its storage (`limit`: `storage_mb`, in MiB): the plan that lifts it is named";

#[utoipa::path(get, path = "/api/documents/", tag = TAG,
    summary = "The caller's documents, newest first",
    extensions(("x-paged" = json!(true))),
    responses(
        (status = 200, description = "A page of documents, each with a fresh download link and its extracted text", body = Vec<DocumentOut>),
        (status = 400, description = "A `document_type` that is not a type (`Select a valid choice. ... is not one of the available choices.`)", body = inline(FieldErrorsRef))))]
fn list() {}

#[utoipa::path(post, path = "/api/documents/", tag = TAG,
    summary = "Add a document: upload its file, or confirm a presigned upload",
    request_body(
        description = "A multipart upload of the file with its metadata, or (JSON or form-encoded) the `upload_key` of a presigned upload with the metadata. Unknown fields are ignored.",
        content(
            (DocumentUpload = "multipart/form-data"),
            (DocumentUploadConfirm = "application/json"),
            (DocumentUploadConfirm = "application/x-www-form-urlencoded"))),
    responses(
        (status = 201, description = "The document created (`extracted_text` null, `analysis_status` `none`)", body = DocumentOut),
        (status = 400, description = "Every failing field at once (`title`, `document_type`, `description`, `vehicle`, `file`); then, one at a time, a vehicle that is not the caller's, the file's checks in order (size, declared type, content: `file`), an unknown `upload_key`, the account's storage limit (`file`: `Storage limit reached: ...`). `detail` for a body that cannot be parsed (`Multipart form parse error - ...`, `JSON parse error - ...`).", body = inline(Invalid)),
        (status = 403, description = PLAN_LIMIT, body = inline(PlanLimitRef)),
        (status = 404, description = "The vehicle was deleted meanwhile (`No Vehicle matches the given query.`)", body = inline(DetailRef)),
        (status = 409, description = CONFLICT, body = inline(DetailRef)),
        (status = 413, description = TOO_LARGE, body = inline(TooLarge)),
        (status = 415, description = UNSUPPORTED, body = inline(DetailRef))))]
fn create() {}

#[utoipa::path(get, path = "/api/documents/{id}/", tag = TAG,
    summary = "One of the caller's documents, with its extracted text (another user's: 404)",
    params(("id" = String, Path, description = ID)),
    responses((status = 200, description = "The document", body = DocumentOut)))]
fn detail() {}

#[utoipa::path(put, path = "/api/documents/{id}/", tag = TAG,
    summary = "Replace a document's metadata (`title` required), and its file when one is sent",
    params(("id" = String, Path, description = ID)),
    request_body(
        description = "The metadata, as multipart (with an optional new file) or JSON (or form-encoded); `vehicle`, `upload_key` and unknown fields are ignored",
        content(
            (DocumentReplaceUpload = "multipart/form-data"),
            (DocumentWrite = "application/json"))),
    responses(
        (status = 200, description = "The document after the update", body = DocumentOut),
        (status = 400, description = "Every failing field at once; then the new file's checks (`file`), the account's storage limit (`file`); `detail` for a body that cannot be parsed", body = inline(Invalid)),
        (status = 403, description = "A new, larger file beyond the plan's storage (`limit`: `storage_mb`)", body = inline(PlanLimitRef)),
        (status = 409, description = CONFLICT, body = inline(DetailRef)),
        (status = 413, description = TOO_LARGE, body = inline(TooLarge)),
        (status = 415, description = UNSUPPORTED, body = inline(DetailRef))))]
fn replace() {}

#[utoipa::path(patch, path = "/api/documents/{id}/", tag = TAG,
    summary = "Change some of a document's metadata, or its file",
    params(("id" = String, Path, description = ID)),
    request_body(
        description = "The fields to change, as multipart (with an optional new file) or JSON (or form-encoded); `vehicle`, `upload_key` and unknown fields are ignored",
        content(
            (DocumentPatchUpload = "multipart/form-data"),
            (DocumentPatch = "application/json"))),
    responses(
        (status = 200, description = "The document after the update", body = DocumentOut),
        (status = 400, description = "Every failing field at once; then the new file's checks (`file`), the account's storage limit (`file`); `detail` for a body that cannot be parsed", body = inline(Invalid)),
        (status = 403, description = "A new, larger file beyond the plan's storage (`limit`: `storage_mb`)", body = inline(PlanLimitRef)),
        (status = 409, description = CONFLICT, body = inline(DetailRef)),
        (status = 413, description = TOO_LARGE, body = inline(TooLarge)),
        (status = 415, description = UNSUPPORTED, body = inline(DetailRef))))]
fn patch() {}

#[utoipa::path(delete, path = "/api/documents/{id}/", tag = TAG,
    summary = "Delete a document and its file",
    params(("id" = String, Path, description = ID)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 409, description = CONFLICT, body = inline(DetailRef))))]
fn delete() {}

#[utoipa::path(get, path = "/api/documents/{id}/file/", tag = TAG,
    summary = "Download the file: a redirect to a fresh presigned link",
    params(("id" = String, Path, description = ID)),
    responses(
        (status = 302, description = "To the file", headers(
            ("Location" = String, description = "A presigned link to the file (see `Document.file`)")))))]
fn file() {}

#[utoipa::path(post, path = "/api/documents/upload-url/", tag = TAG,
    summary = "A presigned PUT for a file too large for a multipart request",
    request_body(content = DocumentUploadUrlWrite, description = "The file to come"),
    responses(
        (status = 201, description = "Where to PUT the file; then `POST /api/documents/` with `upload_key`", body = DocumentUploadUrl),
        (status = 403, description = PLAN_LIMIT, body = inline(PlanLimitRef))))]
fn upload_url() {}

#[utoipa::path(get, path = "/api/documents/unanalyzed/", tag = TAG,
    summary = "The caller's documents not analysed yet, newest first (not paged)",
    responses((status = 200, description = "The documents", body = Vec<DocumentOut>)))]
fn unanalyzed() {}

#[utoipa::path(get, path = "/api/documents/by-type/", tag = TAG,
    summary = "The caller's documents of one type, newest first (not paged)",
    responses((status = 200, description = "The documents", body = Vec<DocumentOut>)))]
fn by_type() {}

#[utoipa::path(get, path = "/api/documents/by_vehicle/", tag = TAG,
    summary = "The caller's documents grouped by vehicle (not paged)",
    responses((status = 200, description = "The groups", body = Vec<DocumentsOfVehicle>)))]
fn by_vehicle() {}

#[utoipa::path(get, path = "/api/documents/stats/", tag = TAG,
    summary = "Counts and storage over the caller's documents",
    responses((status = 200, description = "The statistics", body = DocumentStats)))]
fn stats() {}

#[utoipa::path(post, path = "/api/documents/{id}/analyze/", tag = TAG,
    summary = "Ask for the document's analysis (OCR and field extraction)",
    params(("id" = String, Path, description = ID)),
    responses(
        (status = 202, description = "Queued: the document is `queued` with `task_id` as its analysis (a newer request supersedes one still queued or running)", body = DocumentAnalysisStarted),
        (status = 400, description = "A Word file (`Analysis is only available for images and PDFs.`)", body = DocumentRefusal),
        (status = 409, description = CONFLICT, body = inline(DetailRef))))]
fn analyze() {}

#[utoipa::path(post, path = "/api/documents/batch_analyze/", tag = TAG,
    summary = "Ask for the analysis of several documents",
    request_body(content = DocumentBatchAnalyzeWrite, description = "The documents"),
    responses(
        (status = 202, description = "Queued, one job per document, all under `task_id`", body = DocumentBatchAnalysisStarted),
        (status = 400, description = "`error`: no ids, an id that is not one of the caller's documents (or twice), too many; `detail` or `non_field_errors` for a body that cannot be parsed or is not an object", body = inline(RefusalOrInvalid)),
        (status = 409, description = CONFLICT, body = inline(DetailRef))))]
fn batch_analyze() {}

#[utoipa::path(post, path = "/api/documents/{id}/create_maintenance/", tag = TAG,
    summary = "Record a maintenance from an analysed invoice, once",
    params(("id" = String, Path, description = ID)),
    request_body(content = MaintenanceFromDocument, description = "Fields overriding what was read from the document; an absent body takes the suggestion as it is"),
    responses(
        (status = 201, description = "The maintenance recorded, linked to the document (its `maintenance`), with the vehicle's odometer and reminders updated as by `POST /api/maintenances/`", body = inline(MaintenanceFromDocumentOut)),
        (status = 400, description = "`error`: the document is not an analysed (`done`) invoice or maintenance document (its type, or the detected type when it is `other`); field errors of the maintenance as `POST /api/maintenances/` gives them (`vehicle` required when the document has none); `detail` for a body that cannot be parsed", body = inline(RefusalOrInvalid)),
        (status = 403, description = "The plan's maintenance records of the month are all used (`limit`: `maintenances_per_month`)", body = inline(PlanLimitRef)),
        (status = 409, description = "A maintenance was already recorded from this document (`error`, and its id as `maintenance`), or a concurrent change (`detail`: retry)", body = inline(MaintenanceConflict))))]
fn create_maintenance() {}

#[derive(OpenApi)]
#[openapi(
    paths(
        list, create, detail, replace, patch, delete, file, upload_url, unanalyzed, by_type,
        by_vehicle, stats, analyze, batch_analyze, create_maintenance
    ),
    components(schemas(
        DocumentOut, DocumentUpload, DocumentUploadConfirm, DocumentReplaceUpload,
        DocumentPatchUpload, DocumentWrite, DocumentPatch, DocumentUploadUrlWrite,
        DocumentBatchAnalyzeWrite, MaintenanceFromDocument, DocumentTooLarge, DocumentRefusal,
        DocumentUploadUrl, DocumentGroupVehicle, DocumentsOfVehicle, DocumentTypeCount,
        DocumentStats, DocumentAnalysisStarted, DocumentBatchAnalysisStarted
    )),
    tags((name = "documents", description = "The caller's documents (spec 7): files in a private bucket, uploaded through the function (multipart) or straight to S3 (presigned PUT), shown through short-lived links, analysed on request. An unknown document, or another user's, is a 404 `No Document matches the given query.`"))
)]
struct Doc;

/// This function's operations at their seed paths (`ALIASES` are applied
/// once the document is merged), with the query parameters and the
/// descriptions that need the handlers' constants.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = Doc::openapi();
    let types = TYPES
        .iter()
        .map(|t| format!("`{t}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut type_filter: Vec<&str> = TYPES.to_vec();
    type_filter.push("");
    set_parameters(
        &mut doc,
        "/api/documents/",
        json!([
            query(
                "document_type",
                json!({"type": "string", "enum": type_filter}),
                &format!("Only documents of this type ({types}); empty is ignored; another value is a 400."),
            ),
            query(
                "is_analyzed",
                json!({"type": "string"}),
                "`true`/`1` or `false`/`0` (any case): only analysed, or only not analysed, documents; any other value is ignored.",
            ),
            query(
                "vehicle",
                json!({"type": "string"}),
                "Only the documents of this vehicle (an id); empty is ignored.",
            ),
            query(
                "search",
                json!({"type": "string"}),
                &format!("Words (spaces or commas between them, `\"...\"` for a phrase) that must all occur, case and accents ignored, in the title, the description, the first {SEARCH_DIGEST_CHARS} characters of the extracted text, or the vehicle's make and model."),
            ),
            query(
                "ordering",
                json!({"type": "string"}),
                "`created_at`, `updated_at` or `file_size`, `-` for descending, several separated by commas; unknown fields are ignored. Default `-created_at`.",
            ),
        ]),
    );
    set_parameters(
        &mut doc,
        "/api/documents/by-type/",
        json!([query(
            "type",
            json!({"type": "string"}),
            &format!(
                "The type ({types}); absent or empty: every type; another value selects nothing."
            ),
        )]),
    );
    set_parameters(
        &mut doc,
        "/api/documents/by_vehicle/",
        json!([query(
            "vehicle_id",
            json!({"type": "string"}),
            "Only this vehicle's group (an id); absent or empty: every group.",
        )]),
    );
    let newest = format!(
        "A bare array of the newest {VIEW_LIMIT} documents at most that the view selects, each \
         with a fresh download link and its extracted text."
    );
    describe(
        &mut doc,
        "/api/documents/unanalyzed/",
        "get",
        format!("{newest} Selected: `is_analyzed` false."),
    );
    describe(
        &mut doc,
        "/api/documents/by-type/",
        "get",
        format!("{newest} Selected: the documents of `type`."),
    );
    describe(
        &mut doc,
        "/api/documents/by_vehicle/",
        "get",
        format!(
            "The newest {VIEW_LIMIT} documents at most (of `vehicle_id` when given), grouped by \
             vehicle: the vehicles in the order of their newest document, then the documents \
             filed under no vehicle (`\"vehicle\": null`)."
        ),
    );
    describe(
        &mut doc,
        "/api/documents/",
        "post",
        format!(
            "Two ways in. (1) `multipart/form-data` with the file (up to {} MiB: a synchronous \
             Lambda event carries about 6 MB, base64 included) and the metadata; a multipart \
             body may carry `upload_key` instead of `file`. (2) Larger files (up to {} MiB): \
             `POST {UPLOAD_URL_PATH}`, PUT the bytes to the link it answers, then this operation \
             with `upload_key` and the metadata (JSON or form-encoded); the object is checked \
             (size, type from its bytes) and moved under the document, once. The account's plan \
             bounds its documents and their total size (`max_documents`, `storage_mb` in MiB: \
             50 and 100 on Free), a 403 `plan_limit` past them; whatever the plan, an account \
             keeps at most {MAX_DOCUMENTS_PER_USER} documents and {} MiB (400 `file`).",
            megabytes(MAX_MULTIPART_FILE_BYTES),
            megabytes(MAX_FILE_BYTES),
            megabytes(MAX_BYTES_PER_USER),
        ),
    );
    describe(
        &mut doc,
        "/api/documents/upload-url/",
        "post",
        format!(
            "The link works {} minutes, for one PUT of at most {} MiB with the declared \
             `Content-Type`; an upload never confirmed is dropped after a day. The account's \
             limits are checked now (its plan's: 403 `plan_limit`; at most \
             {MAX_DOCUMENTS_PER_USER} documents and {} MiB whatever the plan: 400 `file`) and \
             again at the confirmation.",
            UPLOAD_TTL.as_secs() / 60,
            megabytes(MAX_FILE_BYTES),
            megabytes(MAX_BYTES_PER_USER),
        ),
    );
    describe(
        &mut doc,
        "/api/documents/batch_analyze/",
        "post",
        format!(
            "At most {MAX_BATCH_ANALYZE} documents; all of them must be the caller's, or nothing \
             is queued. Word files are queued too (the worker marks them `failed`)."
        ),
    );
    describe(
        &mut doc,
        "/api/documents/{id}/file/",
        "get",
        format!(
            "The link works {} minutes: PDF and images are shown inline, Word files downloaded, \
             under the document's `file_name`.",
            DOWNLOAD_TTL.as_secs() / 60
        ),
    );
    // The multipart bodies: the file part's accepted types. A multipart
    // body is read up to `MAX_MULTIPART_BODY_BYTES`.
    let file_types = declarable_types().join(", ") + ", application/octet-stream";
    for (path, method) in [
        ("/api/documents/", "post"),
        ("/api/documents/{id}/", "put"),
        ("/api/documents/{id}/", "patch"),
    ] {
        let body = operation(&mut doc, path, method)
            .request_body
            .as_mut()
            .expect("a body");
        let multipart = body
            .content
            .get_mut("multipart/form-data")
            .expect("a multipart body");
        multipart.encoding.insert(
            "file".into(),
            utoipa::openapi::encoding::EncodingBuilder::new()
                .content_type(Some(file_types.clone()))
                .build(),
        );
    }
    for (path, method) in [
        ("/api/documents/", "post"),
        ("/api/documents/{id}/", "put"),
        ("/api/documents/{id}/", "patch"),
    ] {
        let responses = &mut operation(&mut doc, path, method).responses.responses;
        match responses.get_mut("413") {
            Some(RefOr::T(response)) => response.description = too_large_description(),
            _ => panic!("{method} {path} declares its 413"),
        }
    }
    doc
}

/// The 413 of a body that carries a file (`form::too_large`), or of a JSON
/// or form body over the shared bound.
fn too_large_description() -> String {
    format!(
        "A multipart body over the function's bounds (a declared length over \
         {MAX_MULTIPART_BODY_BYTES} bytes, or a file over {} MiB): `DocumentTooLarge`, which \
         points to the presigned upload; a JSON or form body over {} MiB: `detail` only.",
        megabytes(MAX_MULTIPART_FILE_BYTES),
        megabytes(shared::http::body::MAX_BODY_BYTES as i64),
    )
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

/// The reference's other spellings of the paths (the router's
/// `at(router, &[seed, alias], ...)`).
pub const ALIASES: &[shared::openapi::Alias] = &[
    (
        "/api/documents/by-type/",
        "/api/documents/by_type/",
        &["get"],
    ),
    (
        "/api/documents/by_vehicle/",
        "/api/documents/by-vehicle/",
        &["get"],
    ),
    (
        "/api/documents/upload-url/",
        "/api/documents/upload_url/",
        &["post"],
    ),
    (
        "/api/documents/{id}/file/",
        "/api/documents/{id}/download/",
        &["get"],
    ),
    (
        "/api/documents/{id}/create_maintenance/",
        "/api/documents/{id}/create-maintenance/",
        &["post"],
    ),
];

#[cfg(test)]
mod tests {
    use serde_json::Value;
    use shared::domain::documents::{MAX_MULTIPART_FILE_BYTES, TITLE_MAX, TYPES};

    fn doc() -> Value {
        serde_json::to_value(super::openapi()).unwrap()
    }

    #[test]
    fn the_document_has_every_operation_of_the_router() {
        let doc = doc();
        let paths = doc["paths"].as_object().unwrap();
        assert_eq!(paths.len(), 11);
        let operations: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
        assert_eq!(operations, 15);
        for (_, path, methods) in super::ALIASES {
            assert!(!paths.contains_key(*path), "{path} is an alias");
            assert!(!methods.is_empty());
        }
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        for name in schemas.keys() {
            assert!(
                name.starts_with("Document") || name == "MaintenanceFromDocument",
                "{name}: the merged document shares one namespace of schemas"
            );
        }
        let write = &schemas["DocumentWrite"];
        assert_eq!(
            write["properties"]["title"]["pattern"],
            shared::openapi::trimmed_text_pattern(TITLE_MAX, false)
        );
        assert_eq!(write["required"], serde_json::json!(["title"]));
        let kinds = &schemas["Document"]["properties"]["document_type"]["enum"];
        assert_eq!(kinds.as_array().unwrap().len(), TYPES.len());
    }

    #[test]
    fn the_upload_takes_three_media_types_and_the_file_as_binary() {
        let doc = doc();
        let body = &doc["paths"]["/api/documents/"]["post"]["requestBody"]["content"];
        let types: Vec<&String> = body.as_object().unwrap().keys().collect();
        assert_eq!(types.len(), 3, "{types:?}");
        for media in [
            "multipart/form-data",
            "application/json",
            "application/x-www-form-urlencoded",
        ] {
            assert!(body.get(media).is_some(), "{media}");
        }
        let multipart = &body["multipart/form-data"];
        assert!(multipart["encoding"]["file"]["contentType"]
            .as_str()
            .unwrap()
            .contains("application/pdf"));
        let upload = &doc["components"]["schemas"]["DocumentUpload"];
        assert_eq!(upload["properties"]["file"]["format"], "binary");
        let required: Vec<&str> = upload["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(required, ["file", "title"]);
        let confirm = &doc["components"]["schemas"]["DocumentUploadConfirm"];
        assert_eq!(
            confirm["required"],
            serde_json::json!(["upload_key", "title"])
        );
        let too_large = &doc["components"]["schemas"]["DocumentTooLarge"];
        assert_eq!(
            too_large["properties"]["max_bytes"]["enum"][0],
            MAX_MULTIPART_FILE_BYTES
        );
        assert_eq!(
            too_large["properties"]["upload_url"]["enum"][0],
            crate::form::UPLOAD_URL_PATH
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
        // 7 query parameters, and `id` on 7 operations.
        assert_eq!(seen, 14);
    }
}
