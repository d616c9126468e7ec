//! The assistant's one-shot actions (spec 13.2.9 to 13.2.11), with the
//! spec's bodies, French errors and shapes: `maintenance_suggestions/`,
//! `diagnostic/` (Premium), `maintenance_ask/`. Each answered call counts
//! one message of the month's allowance.

use axum::extract::State;
use axum::response::Response;
use serde_json::{json, Map, Value};
use shared::auth::CurrentUser;
use shared::domain::assistant::CONTENT_MAX;
use shared::http::{ok, JsonBody};
use shared::{time, Error, Result};

use crate::chat::client_history;
use crate::{engine, quota, AssistantState};

fn refuse(message: impl Into<String>) -> Error {
    Error::message(400, message)
}

/// A vehicle field given: a non-blank text or a number.
fn given(info: &Map<String, Value>, key: &str) -> bool {
    match info.get(key) {
        Some(Value::String(s)) => !s.trim().is_empty(),
        Some(Value::Number(_)) => true,
        _ => false,
    }
}

fn text(info: &Map<String, Value>, key: &str) -> String {
    match &info[key] {
        Value::String(s) => s.trim().chars().take(100).collect(),
        other => other.to_string(),
    }
}

fn whole(info: &Map<String, Value>, key: &str) -> Result<i64> {
    let value = match &info[key] {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    value
        .filter(|v| v.is_finite() && *v >= 0.0 && *v <= 10_000_000.0)
        .map(|v| v as i64)
        .ok_or_else(|| refuse(format!("Champ invalide: {key}")))
}

/// `vehicleInfo` with `keys` all given, or the spec's errors.
fn vehicle_info<'a>(
    body: &'a Map<String, Value>,
    keys: &[&str],
    missing_prefix: &str,
) -> Result<&'a Map<String, Value>> {
    let info = body
        .get("vehicleInfo")
        .and_then(Value::as_object)
        .ok_or_else(|| Error::internal("checked by the caller"))?;
    let missing: Vec<&str> = keys.iter().copied().filter(|k| !given(info, k)).collect();
    if missing.is_empty() {
        Ok(info)
    } else {
        Err(refuse(format!("{missing_prefix}{}", missing.join(", "))))
    }
}

fn label(info: &Map<String, Value>) -> String {
    format!(
        "{} {} {}",
        text(info, "year"),
        text(info, "make"),
        text(info, "model")
    )
}

fn has_vehicle(body: &Map<String, Value>) -> bool {
    body.get("vehicleInfo").is_some_and(Value::is_object)
}

fn some_text<'a>(body: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    body.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// `POST /api/assistant/maintenance_suggestions/` `{vehicleInfo: {make,
/// model, year, mileage}}`: five suggestions at most.
pub async fn maintenance_suggestions(
    State(state): State<AssistantState>,
    CurrentUser(user): CurrentUser,
    JsonBody(body): JsonBody,
) -> Result<Response> {
    if !has_vehicle(&body) {
        return Err(refuse("Les informations du véhicule sont requises"));
    }
    let info = vehicle_info(
        &body,
        &["make", "model", "year", "mileage"],
        "Champs manquants: ",
    )?;
    let (year, mileage) = (whole(info, "year")?, whole(info, "mileage")?);
    quota::count_one(&state, &user).await?;
    let suggestions = engine::maintenance_suggestions(
        &state,
        &user,
        &text(info, "make"),
        &text(info, "model"),
        year,
        mileage,
    )
    .await?;
    Ok(ok(json!({
        "vehicleInfo": info,
        "suggestions": suggestions,
        "generatedAt": time::format(&time::now()),
    })))
}

/// `POST /api/assistant/diagnostic/` (Premium) `{symptoms, vehicleInfo:
/// {make, model, year}}`.
pub async fn diagnostic(
    State(state): State<AssistantState>,
    CurrentUser(user): CurrentUser,
    JsonBody(body): JsonBody,
) -> Result<Response> {
    quota::require_diagnostic(&user)?;
    let symptoms = some_text(&body, "symptoms");
    let (Some(symptoms), true) = (symptoms, has_vehicle(&body)) else {
        return Err(refuse(
            "Les symptômes et les informations du véhicule sont requis",
        ));
    };
    if symptoms.chars().count() > CONTENT_MAX {
        return Err(refuse(format!(
            "Les symptômes dépassent {CONTENT_MAX} caractères"
        )));
    }
    let info = vehicle_info(
        &body,
        &["make", "model", "year"],
        "Champs manquants du véhicule: ",
    )?;
    whole(info, "year")?;
    quota::count_one(&state, &user).await?;
    let result = engine::diagnostic(&state, &user, &label(info), symptoms).await?;
    Ok(ok(result))
}

/// `POST /api/assistant/maintenance_ask/` `{question, vehicleInfo: {make,
/// model, year}, history?}`.
pub async fn maintenance_ask(
    State(state): State<AssistantState>,
    CurrentUser(user): CurrentUser,
    JsonBody(body): JsonBody,
) -> Result<Response> {
    let question = some_text(&body, "question");
    let (Some(question), true) = (question, has_vehicle(&body)) else {
        return Err(refuse(
            "La question et les informations du véhicule sont requises",
        ));
    };
    if question.chars().count() > CONTENT_MAX {
        return Err(refuse(format!(
            "La question dépasse {CONTENT_MAX} caractères"
        )));
    }
    let info = vehicle_info(
        &body,
        &["make", "model", "year"],
        "Champs manquants du véhicule: ",
    )?;
    let history = client_history(body.get("history"))?;
    whole(info, "year")?;
    quota::count_one(&state, &user).await?;
    let reply = engine::maintenance_ask(&state, &user, &label(info), question, &history).await?;
    Ok(ok(json!({
        "question": question,
        "answer": reply.text,
        "vehicleInfo": info,
        "offline": reply.offline,
        "timestamp": time::format(&time::now()),
    })))
}
