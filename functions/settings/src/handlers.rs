//! Settings endpoints. Every field is optional on PUT and PATCH alike (all
//! have defaults, spec 12.2.2); the timezone must be an IANA name.

use std::str::FromStr;

use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{Map, Value};
use shared::auth::CurrentUser;
use shared::domain::settings::{
    Settings, CUSTOM_SETTINGS_MAX_BYTES, LANGUAGES, THEMES, TIMEZONE_MAX,
};
use shared::http::body::type_name;
use shared::http::pagination::RequestUrl;
use shared::http::validate::{Field, Fields, Text, NULL};
use shared::http::{ok, JsonBody, Page};
use shared::{time, Error, Result};

use crate::SettingsState;

const NOT_FOUND: Error = Error::NotFound(Some("UserSettings"));

/// A non-null choice, or nothing.
fn choice(f: &mut Fields, name: &str, choices: &[&str]) -> Option<String> {
    let value = f.choice(name, choices, false);
    f.not_null(name, value)
}

/// A boolean (null is refused by the validator itself).
fn flag(f: &mut Fields, name: &str) -> Option<bool> {
    f.boolean(name, false).value()
}

/// Applies a body to `settings`, reporting every bad field together.
fn apply(settings: &mut Settings, body: &Map<String, Value>) -> Result<()> {
    let mut f = Fields::partial(body, true);
    let language = choice(&mut f, "language", LANGUAGES);
    let theme = choice(&mut f, "theme", THEMES);
    let timezone = match f.text("timezone", Text::required(TIMEZONE_MAX)) {
        Field::Value(tz) if chrono_tz::Tz::from_str(&tz).is_err() => {
            f.error(
                "timezone",
                format!(
                    "\"{tz}\" is not a valid time zone (use an IANA name such as Europe/Paris)."
                ),
            );
            None
        }
        other => other.value(),
    };
    let email = flag(&mut f, "email_notifications");
    let push = flag(&mut f, "push_notifications");
    let reminders = flag(&mut f, "maintenance_reminders");
    let alerts = flag(&mut f, "subscription_alerts");
    let public = flag(&mut f, "profile_public");
    // A settings bag is an object (the reference accepted any JSON shape).
    let custom = match f.raw("custom_settings", false) {
        None => None,
        Some(value @ Value::Object(_)) if value.to_string().len() > CUSTOM_SETTINGS_MAX_BYTES => {
            f.error(
                "custom_settings",
                format!("Ensure this value has at most {CUSTOM_SETTINGS_MAX_BYTES} bytes of JSON."),
            );
            None
        }
        Some(Value::Object(map)) => Some(Value::Object(map.clone())),
        Some(Value::Null) => {
            f.error("custom_settings", NULL);
            None
        }
        Some(other) => {
            f.error(
                "custom_settings",
                format!(
                    "Expected a dictionary of items but got type \"{}\".",
                    type_name(other)
                ),
            );
            None
        }
    };
    f.finish()?;
    let fields: [(&mut bool, Option<bool>); 5] = [
        (&mut settings.email_notifications, email),
        (&mut settings.push_notifications, push),
        (&mut settings.maintenance_reminders, reminders),
        (&mut settings.subscription_alerts, alerts),
        (&mut settings.profile_public, public),
    ];
    for (slot, value) in fields {
        if let Some(v) = value {
            *slot = v;
        }
    }
    if let Some(v) = language {
        settings.language = v;
    }
    if let Some(v) = theme {
        settings.theme = v;
    }
    if let Some(v) = timezone {
        settings.timezone = v;
    }
    if let Some(v) = custom {
        settings.custom_settings = v;
    }
    Ok(())
}

/// Validates and stores a body over `before`.
async fn save(
    state: &SettingsState,
    before: &Settings,
    body: &Map<String, Value>,
) -> Result<Settings> {
    let mut after = before.clone();
    apply(&mut after, body)?;
    after.updated_at = time::now();
    after.version = before.version + 1;
    state.store.settings().replace(before, &after).await?;
    Ok(after)
}

pub async fn me(
    State(state): State<SettingsState>,
    CurrentUser(user): CurrentUser,
) -> Result<Response> {
    Ok(ok(state
        .store
        .settings()
        .get_or_create(&user.id)
        .await?
        .to_json()))
}

pub async fn update_me(
    State(state): State<SettingsState>,
    CurrentUser(user): CurrentUser,
    JsonBody(body): JsonBody,
) -> Result<Response> {
    let before = state.store.settings().get_or_create(&user.id).await?;
    Ok(ok(save(&state, &before, &body).await?.to_json()))
}

/// Back to the defaults (the reference refused the method, spec 12.2.3).
pub async fn reset(
    State(state): State<SettingsState>,
    CurrentUser(user): CurrentUser,
) -> Result<Response> {
    let before = state.store.settings().get_or_create(&user.id).await?;
    let mut after = before.reset();
    after.updated_at = time::now();
    after.version = before.version + 1;
    state.store.settings().replace(&before, &after).await?;
    Ok(ok(after.to_json()))
}

/// The caller's row if it exists, without creating it.
pub async fn list(
    State(state): State<SettingsState>,
    CurrentUser(user): CurrentUser,
    url: RequestUrl,
) -> Result<Response> {
    let rows: Vec<Value> = state
        .store
        .settings()
        .get(&user.id)
        .await?
        .iter()
        .map(Settings::to_json)
        .collect();
    Ok(ok(Page::paginate(rows, &url)?))
}

async fn own(state: &SettingsState, user_id: &str, id: &str) -> Result<Settings> {
    state
        .store
        .settings()
        .get(user_id)
        .await?
        .filter(|s| s.id == id)
        .ok_or(NOT_FOUND)
}

pub async fn detail(
    State(state): State<SettingsState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response> {
    Ok(ok(own(&state, &user.id, &id).await?.to_json()))
}

/// As `update_me`, answering `SettingsUpdated` (spec 12.2.5).
pub async fn update_one(
    State(state): State<SettingsState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Response> {
    let before = own(&state, &user.id, &id).await?;
    Ok(ok(save(&state, &before, &body).await?.to_updated_json()))
}
