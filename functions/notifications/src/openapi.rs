//! This function's part of the API document (feature `openapi`, never in
//! the release binary; docs/openapi-design.md): the caller's notifications
//! (spec 8). One `utoipa::path` stub per operation, named after its
//! handler, at the seed path with its trailing slash. The shapes are the
//! ones `Notification::to_json`, `stats` and the handlers write; the bodies
//! the ones the handlers read, with limits from the same constants.

// The stubs only carry their `utoipa::path` attribute: nothing calls them.
#![allow(dead_code)]

use serde_json::{json, Value};
use shared::domain::notifications::{LINK_MAX, MESSAGE_MAX, METADATA_MAX_BYTES, TITLE_MAX, TYPES};
use shared::openapi::DetailRef;
use utoipa::openapi::schema::{ObjectBuilder, SchemaType};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::handlers::BARE_LIST_MAX;

const TAG: &str = "notifications";

fn schema(value: Value) -> RefOr<Schema> {
    RefOr::T(serde_json::from_value(value).expect("a valid schema"))
}

fn kind() -> RefOr<Schema> {
    schema(json!({"type": "string", "enum": TYPES}))
}

fn title_in() -> RefOr<Schema> {
    required_text(TITLE_MAX)
}

fn message_in() -> RefOr<Schema> {
    required_text(MESSAGE_MAX)
}

/// Text the validator trims: not blank once trimmed (a number is taken
/// as its text, as in every text field of the contract).
fn required_text(max: usize) -> RefOr<Schema> {
    schema(json!({
        "type": ["string", "number"],
        "pattern": shared::openapi::trimmed_text_pattern(max, false),
        "description": format!("At most {max} characters once trimmed; not blank; a number is taken as its text."),
    }))
}

fn link_in() -> RefOr<Schema> {
    schema(json!({
        "type": ["string", "number", "null"],
        "pattern": shared::openapi::trimmed_text_pattern(LINK_MAX, true),
        "description": format!("At most {LINK_MAX} characters once trimmed; not checked as a URL (relative links allowed); a number is taken as its text."),
    }))
}

/// Any JSON value, described.
fn any_value(description: String) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(SchemaType::AnyValue)
        .description(Some(description))
        .into()
}

fn metadata_in() -> RefOr<Schema> {
    any_value(format!(
        "Any JSON value, at most {METADATA_MAX_BYTES} bytes once serialised; null or absent: `{{}}`."
    ))
}

fn metadata_out() -> RefOr<Schema> {
    any_value("The JSON value given at creation (`{}` by default).".into())
}

/// `Notification` (spec 8.1).
#[derive(ToSchema)]
#[schema(as = Notification)]
struct NotificationOut {
    #[schema(format = Uuid)]
    id: String,
    /// The owner (the caller).
    #[schema(format = Uuid)]
    user: String,
    #[schema(schema_with = kind)]
    notification_type: String,
    title: String,
    message: String,
    #[schema(required = true)]
    link: Option<String>,
    #[schema(schema_with = metadata_out)]
    metadata: Value,
    is_read: bool,
    #[schema(required = true, format = DateTime)]
    read_at: Option<String>,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    updated_at: String,
}

/// The body of `POST /api/notifications/`; unknown fields are ignored.
#[derive(ToSchema)]
#[schema(as = NotificationCreate)]
struct NotificationCreate {
    #[schema(schema_with = title_in)]
    title: String,
    #[schema(schema_with = message_in)]
    message: String,
    /// Default `info`.
    #[schema(schema_with = kind, required = false)]
    notification_type: String,
    #[schema(schema_with = link_in, required = false)]
    link: Option<String>,
    #[schema(schema_with = metadata_in, required = false)]
    metadata: Value,
}

/// The body of `PUT /api/notifications/{id}/`: only `is_read` is writable
/// (`read_at` follows it).
#[derive(ToSchema)]
#[schema(as = NotificationReadState)]
struct NotificationReadState {
    #[schema(schema_with = shared::openapi::boolean_input)]
    is_read: bool,
}

/// The body of `PATCH /api/notifications/{id}/`: `is_read`, optional.
#[derive(ToSchema)]
#[schema(as = NotificationReadStatePatch)]
struct NotificationReadStatePatch {
    #[schema(schema_with = shared::openapi::boolean_input, required = false)]
    is_read: bool,
}

/// `NotificationUpdated` (spec 8.1).
#[derive(ToSchema)]
#[schema(as = NotificationUpdated)]
struct NotificationUpdated {
    is_read: bool,
}

#[derive(ToSchema)]
#[schema(as = UnreadCount)]
struct UnreadCount {
    #[schema(minimum = 0)]
    unread_count: i64,
}

/// `{"message": "<n> notifications ..."}`.
#[derive(ToSchema)]
#[schema(as = NotificationsMessage)]
struct NotificationsMessage {
    message: String,
}

#[derive(ToSchema)]
struct NotificationTypeCount {
    #[schema(schema_with = kind)]
    notification_type: String,
    count: i64,
}

/// `GET /api/notifications/stats/` (spec 8.2.8).
#[derive(ToSchema)]
#[schema(as = NotificationStats)]
struct NotificationStats {
    total_notifications: i64,
    unread: i64,
    read: i64,
    /// The types the caller has, in name order.
    by_type: Vec<NotificationTypeCount>,
}

/// `choice_filter`: a type, or empty for every type.
fn type_filter() -> RefOr<Schema> {
    let mut values: Vec<&str> = TYPES.to_vec();
    values.push("");
    schema(json!({"type": "string", "enum": values}))
}

/// What `bool_filter` reads: `true`/`1`, `false`/`0`; anything else is
/// ignored (no filter), so any text is valid.
fn is_read_filter() -> RefOr<Schema> {
    schema(json!({"type": "string", "examples": ["true", "false", "1", "0"]}))
}

fn ordering() -> RefOr<Schema> {
    let fields = crate::handlers::ORDERING_FIELDS;
    schema(json!({
        "type": "string",
        "description": format!("Comma-separated, `-` for descending; among: {}; unknown fields are ignored.", fields.join(", ")),
        "examples": ["-created_at"],
    }))
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
struct ListFilters {
    // Described in `PARAM_DESCRIPTIONS` (as with every `schema_with`).
    #[param(schema_with = type_filter)]
    notification_type: Option<String>,
    #[param(schema_with = is_read_filter)]
    is_read: Option<String>,
    /// Words (or "quoted phrases") all found in the title or message (any case).
    search: Option<String>,
    #[param(schema_with = ordering)]
    ordering: Option<String>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
struct ByType {
    /// Only this `notification_type` (an unknown one: none).
    #[param(rename = "type")]
    kind: Option<String>,
}

#[utoipa::path(get, path = "/api/notifications/", tag = TAG,
    summary = "The caller's notifications, filtered, searched and ordered",
    params(ListFilters),
    extensions(("x-paged" = json!(true))),
    responses((status = 200, description = "A page", body = Vec<NotificationOut>)))]
fn list() {}

#[utoipa::path(post, path = "/api/notifications/", tag = TAG,
    summary = "Create a notification for oneself",
    description = "Past `MAX_NOTIFICATIONS_KEPT` (500) notifications, the oldest are dropped.",
    request_body(content = NotificationCreate, description = "The notification"),
    responses((status = 201, description = "The notification", body = NotificationOut)))]
fn create() {}

#[utoipa::path(get, path = "/api/notifications/unread/", tag = TAG,
    summary = "Unread notifications, newest first (not paged)",
    responses((status = 200, description = "The newest unread notifications", body = Vec<NotificationOut>)))]
fn unread() {}

#[utoipa::path(get, path = "/api/notifications/unread_count/", tag = TAG,
    summary = "The number of unread notifications",
    responses((status = 200, description = "The count", body = UnreadCount)))]
fn unread_count() {}

#[utoipa::path(get, path = "/api/notifications/stats/", tag = TAG,
    summary = "Counts of the caller's notifications: read, unread, by type",
    responses((status = 200, description = "The counts", body = NotificationStats)))]
fn stats() {}

#[utoipa::path(get, path = "/api/notifications/by_type/", tag = TAG,
    summary = "Notifications of one type (or all), newest first (not paged)",
    params(ByType),
    responses((status = 200, description = "The newest matching notifications", body = Vec<NotificationOut>)))]
fn by_type() {}

#[utoipa::path(post, path = "/api/notifications/mark-all-read/", tag = TAG,
    summary = "Mark every unread notification read (no body)",
    responses((status = 200, description = "How many changed: `<n> notifications marked as read.`", body = NotificationsMessage)))]
fn mark_all_read() {}

#[utoipa::path(delete, path = "/api/notifications/delete_all_read/", tag = TAG,
    summary = "Delete every read notification",
    responses((status = 200, description = "How many went: `<n> notifications deleted.`", body = NotificationsMessage)))]
fn delete_all_read() {}

#[utoipa::path(get, path = "/api/notifications/{id}/", tag = TAG,
    summary = "One of the caller's notifications",
    params(("id" = String, Path, description = "The notification's id")),
    responses((status = 200, description = "The notification", body = NotificationOut)))]
fn detail() {}

#[utoipa::path(put, path = "/api/notifications/{id}/", tag = TAG,
    summary = "Set the read state (`is_read` required)",
    params(("id" = String, Path, description = "The notification's id")),
    request_body(content = NotificationReadState, description = "The read state"),
    responses((status = 200, description = "The read state as stored", body = NotificationUpdated)))]
fn replace() {}

#[utoipa::path(patch, path = "/api/notifications/{id}/", tag = TAG,
    summary = "Set the read state (`is_read` optional)",
    params(("id" = String, Path, description = "The notification's id")),
    request_body(content = NotificationReadStatePatch, description = "The read state"),
    responses((status = 200, description = "The read state as stored", body = NotificationUpdated)))]
fn patch() {}

#[utoipa::path(delete, path = "/api/notifications/{id}/", tag = TAG,
    summary = "Delete a notification",
    params(("id" = String, Path, description = "The notification's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 409, description = "It kept changing meanwhile: retry", body = inline(DetailRef))))]
fn delete() {}

#[utoipa::path(post, path = "/api/notifications/{id}/mark_as_read/", tag = TAG,
    summary = "Mark one notification read (already read: unchanged)",
    params(("id" = String, Path, description = "The notification's id")),
    responses((status = 200, description = "The notification", body = NotificationOut)))]
fn mark_as_read() {}

#[utoipa::path(post, path = "/api/notifications/{id}/mark_as_unread/", tag = TAG,
    summary = "Mark one notification unread (`read_at` cleared)",
    params(("id" = String, Path, description = "The notification's id")),
    responses((status = 200, description = "The notification", body = NotificationOut)))]
fn mark_as_unread() {}

#[derive(OpenApi)]
#[openapi(
    paths(
        list, create, unread, unread_count, stats, by_type, mark_all_read, delete_all_read,
        detail, replace, patch, delete, mark_as_read, mark_as_unread
    ),
    components(schemas(
        NotificationOut, NotificationCreate, NotificationReadState, NotificationReadStatePatch,
        NotificationUpdated, UnreadCount, NotificationsMessage, NotificationStats
    )),
    tags((name = "notifications", description = "The caller's notifications and their unread counter (spec 8)"))
)]
struct Doc;

/// This function's operations at their seed paths; the list's filters
/// are validated (a 400).
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = Doc::openapi();
    for (name, text) in PARAM_DESCRIPTIONS {
        let param = get(&mut doc, "/api/notifications/")
            .parameters
            .iter_mut()
            .flatten()
            .find(|p| p.name == *name)
            .expect("a documented parameter");
        param.description = Some((*text).into());
    }
    // Without a body these are a 400 (required fields).
    for (path, put) in [
        ("/api/notifications/", false),
        ("/api/notifications/{id}/", true),
    ] {
        let item = doc.paths.paths.get_mut(path).expect("a documented path");
        let op = if put {
            item.put.as_mut()
        } else {
            item.post.as_mut()
        };
        op.and_then(|op| op.request_body.as_mut())
            .expect("a body")
            .required = Some(utoipa::openapi::Required::True);
    }
    get(&mut doc, "/api/notifications/")
        .responses
        .responses
        .insert(
            "400".into(),
            utoipa::openapi::Ref::new("#/components/responses/ValidationError").into(),
        );
    for path in ["/api/notifications/unread/", "/api/notifications/by_type/"] {
        get(&mut doc, path).description = Some(format!(
            "A bare array of the newest {BARE_LIST_MAX} at most."
        ));
    }
    doc
}

/// The list's parameters given by `schema_with`: `IntoParams` then drops
/// the field's doc comment, so their descriptions are set here.
const PARAM_DESCRIPTIONS: &[(&str, &str)] = &[
    (
        "notification_type",
        "Only this type (empty: every type; an unknown one: 400).",
    ),
    (
        "is_read",
        "Only read (`true`/`1`) or unread (`false`/`0`) ones; any other value: no filter.",
    ),
    ("ordering", "Default `-created_at`."),
];

fn get<'a>(
    doc: &'a mut utoipa::openapi::OpenApi,
    path: &str,
) -> &'a mut utoipa::openapi::path::Operation {
    let item = doc.paths.paths.get_mut(path).expect("a documented path");
    item.get.as_mut().expect("a GET")
}

/// `mark_all_as_read` is the reference's path of `mark-all-read`.
pub const ALIASES: &[shared::openapi::Alias] = &[(
    "/api/notifications/mark-all-read/",
    "/api/notifications/mark_all_as_read/",
    &["post"],
)];

#[cfg(test)]
mod tests {
    #[test]
    fn the_document_has_every_operation_of_the_router() {
        let doc = serde_json::to_value(super::openapi()).unwrap();
        let paths = doc["paths"].as_object().unwrap();
        assert_eq!(paths.len(), 10);
        let create = &doc["components"]["schemas"]["NotificationCreate"]["properties"];
        assert_eq!(
            create["title"]["pattern"],
            shared::openapi::trimmed_text_pattern(shared::domain::notifications::TITLE_MAX, false)
        );
    }

    #[test]
    fn every_query_parameter_is_described() {
        let doc = serde_json::to_value(super::openapi()).unwrap();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                for p in op["parameters"].as_array().into_iter().flatten() {
                    assert!(
                        p["description"].as_str().is_some_and(|d| !d.is_empty()),
                        "{method} {path} {}",
                        p["name"]
                    );
                }
            }
        }
    }
}
