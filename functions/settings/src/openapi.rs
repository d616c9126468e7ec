//! This function's part of the API document (feature `openapi`, never in
//! the release binary; docs/openapi-design.md). One `utoipa::path` stub per
//! operation, named after its handler, at the seed path with its trailing
//! slash; aliases listed with `shared::openapi::alias`. The shapes below
//! are the ones `Settings::to_json` / `to_updated_json` write and `apply`
//! reads, with their limits taken from the same constants. The route test
//! (`infra/tests/openapi.rs`) checks these operations against the router.

// The stubs only carry their `utoipa::path` attribute: nothing calls them.
#![allow(dead_code)]

use serde_json::Value;
use shared::domain::settings::{CUSTOM_SETTINGS_MAX_BYTES, LANGUAGES, THEMES, TIMEZONE_MAX};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::{OpenApi, ToSchema};

const TAG: &str = "settings";

fn choice(values: &[&str]) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values.iter().copied()))
}

fn language() -> utoipa::openapi::Object {
    choice(LANGUAGES).build()
}

fn theme() -> utoipa::openapi::Object {
    choice(THEMES).build()
}

/// On input: an IANA time zone name, as `chrono_tz` knows them.
fn timezone_in() -> utoipa::openapi::Object {
    let names: Vec<&str> = chrono_tz::TZ_VARIANTS
        .iter()
        .map(|tz| tz.name())
        .filter(|name| name.len() <= TIMEZONE_MAX)
        .collect();
    choice(&names)
        .description(Some("An IANA time zone name, e.g. `Europe/Paris`."))
        .build()
}

fn custom_settings_in() -> utoipa::openapi::Object {
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some(format!(
            "Any JSON object, at most {CUSTOM_SETTINGS_MAX_BYTES} bytes once serialised."
        )))
        .build()
}

/// `Settings` (spec 12.1): what GET answers.
#[derive(ToSchema)]
#[schema(as = Settings)]
struct SettingsOut {
    #[schema(format = Uuid)]
    id: String,
    /// The owner's user id.
    #[schema(format = Uuid)]
    user: String,
    #[schema(schema_with = language)]
    language: String,
    #[schema(schema_with = theme)]
    theme: String,
    #[schema(max_length = 50)]
    timezone: String,
    email_notifications: bool,
    push_notifications: bool,
    maintenance_reminders: bool,
    subscription_alerts: bool,
    profile_public: bool,
    #[schema(value_type = Object)]
    custom_settings: Value,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    updated_at: String,
}

/// `SettingsUpdated` (spec 12.2.5): the writable fields, as stored.
#[derive(ToSchema)]
#[schema(as = SettingsUpdated)]
struct SettingsUpdatedOut {
    #[schema(schema_with = language)]
    language: String,
    #[schema(schema_with = theme)]
    theme: String,
    #[schema(max_length = 50)]
    timezone: String,
    email_notifications: bool,
    push_notifications: bool,
    maintenance_reminders: bool,
    subscription_alerts: bool,
    profile_public: bool,
    #[schema(value_type = Object)]
    custom_settings: Value,
}

/// The body of every update: each field optional, none nullable; unknown
/// fields are ignored.
#[derive(ToSchema)]
#[schema(as = SettingsWrite)]
struct SettingsWrite {
    #[schema(schema_with = language, required = false)]
    language: String,
    #[schema(schema_with = theme, required = false)]
    theme: String,
    #[schema(schema_with = timezone_in, required = false)]
    timezone: String,
    #[schema(schema_with = shared::openapi::boolean_input, required = false)]
    email_notifications: bool,
    #[schema(schema_with = shared::openapi::boolean_input, required = false)]
    push_notifications: bool,
    #[schema(schema_with = shared::openapi::boolean_input, required = false)]
    maintenance_reminders: bool,
    #[schema(schema_with = shared::openapi::boolean_input, required = false)]
    subscription_alerts: bool,
    #[schema(schema_with = shared::openapi::boolean_input, required = false)]
    profile_public: bool,
    #[schema(schema_with = custom_settings_in, required = false)]
    custom_settings: Value,
}

#[utoipa::path(get, path = "/api/settings/", tag = TAG,
    summary = "The caller's settings as a page of 0 or 1 item (not created here)",
    extensions(("x-paged" = json!(true))),
    responses((status = 200, description = "A page", body = Vec<SettingsOut>)))]
fn list() {}

#[utoipa::path(get, path = "/api/settings/me/", tag = TAG,
    summary = "The caller's settings, created with the defaults on first access",
    responses((status = 200, description = "The settings", body = SettingsOut)))]
fn me() {}

#[utoipa::path(put, path = "/api/settings/me/", tag = TAG,
    summary = "Update the caller's settings (every field optional)",
    request_body(content = SettingsWrite, description = "Fields to change; an absent body changes nothing"),
    responses((status = 200, description = "The settings after the update", body = SettingsOut)))]
fn update_me_put() {}

#[utoipa::path(patch, path = "/api/settings/me/", tag = TAG,
    summary = "Update the caller's settings (same as PUT)",
    request_body(content = SettingsWrite, description = "Fields to change; an absent body changes nothing"),
    responses((status = 200, description = "The settings after the update", body = SettingsOut)))]
fn update_me_patch() {}

#[utoipa::path(post, path = "/api/settings/reset/", tag = TAG,
    summary = "Back to the defaults",
    responses((status = 200, description = "The default settings", body = SettingsOut)))]
fn reset() {}

#[utoipa::path(get, path = "/api/settings/{id}/", tag = TAG,
    summary = "The caller's settings by id (another user's: 404)",
    params(("id" = String, Path, format = Uuid, description = "The settings id")),
    responses((status = 200, description = "The settings", body = SettingsOut)))]
fn detail() {}

#[utoipa::path(put, path = "/api/settings/{id}/", tag = TAG,
    summary = "Update the caller's settings by id",
    params(("id" = String, Path, format = Uuid, description = "The settings id")),
    request_body(content = SettingsWrite, description = "Fields to change; an absent body changes nothing"),
    responses((status = 200, description = "The writable fields after the update", body = SettingsUpdatedOut)))]
fn update_one_put() {}

#[utoipa::path(patch, path = "/api/settings/{id}/", tag = TAG,
    summary = "Update the caller's settings by id (same as PUT)",
    params(("id" = String, Path, format = Uuid, description = "The settings id")),
    request_body(content = SettingsWrite, description = "Fields to change; an absent body changes nothing"),
    responses((status = 200, description = "The writable fields after the update", body = SettingsUpdatedOut)))]
fn update_one_patch() {}

#[derive(OpenApi)]
#[openapi(
    paths(list, me, update_me_put, update_me_patch, reset, detail, update_one_put, update_one_patch),
    components(schemas(SettingsOut, SettingsUpdatedOut, SettingsWrite)),
    tags((name = "settings", description = "The signed-in user's preferences (spec 12)"))
)]
struct Doc;

/// This function's operations at their seed paths (`ALIASES` are applied
/// once the document is merged).
pub fn openapi() -> utoipa::openapi::OpenApi {
    Doc::openapi()
}

/// The other paths of the router's operations: `update_me` is the
/// reference's path of PUT/PATCH `me`.
pub const ALIASES: &[shared::openapi::Alias] = &[(
    "/api/settings/me/",
    "/api/settings/update_me/",
    &["put", "patch"],
)];

#[cfg(test)]
mod tests {
    #[test]
    fn the_document_has_every_operation_of_the_router() {
        let doc = serde_json::to_value(super::openapi()).unwrap();
        let paths = doc["paths"].as_object().unwrap();
        assert_eq!(paths.len(), 4);
        assert!(
            doc["components"]["schemas"]["SettingsWrite"]["properties"]["timezone"]["enum"]
                .as_array()
                .unwrap()
                .iter()
                .any(|tz| tz == "Europe/Paris")
        );
    }
}
