//! `POST /api/documents/{id}/create_maintenance/`: an analysed invoice
//! becomes a maintenance record, prefilled from what was read (date, cost,
//! mileage, service) and linked to the document. The body may override any
//! field; the result goes through the same rules as `POST
//! /api/maintenances/` (the odometer rule, the vehicle's reminders), in one
//! transaction with the document's link, so one invoice makes one record.

use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{json, Map, Value};
use shared::auth::collections::{MAINTENANCES, REMINDERS, VEHICLES};
use shared::auth::UserData;
use shared::domain::documents::{status, Document};
use shared::domain::maintenances::{Maintenance, COMPLETED};
use shared::http::{created, JsonBody};
use shared::usecases::{maintenance_input as input, odometer};
use shared::{time, Error, Result};

use crate::handlers::owned;
use crate::DocumentsState;

type Everything = UserData<{ VEHICLES | MAINTENANCES | REMINDERS }>;

/// The maintenance the document suggests, as a request body would say it.
fn suggested(document: &Document) -> Map<String, Value> {
    let hint = &document.analysis_data["suggested_maintenance"];
    let mut body = Map::new();
    if let Some(vehicle) = &document.vehicle_id {
        body.insert("vehicle".into(), json!(vehicle));
    }
    body.insert("status".into(), json!(COMPLETED));
    let service = hint["service_type"]
        .as_str()
        .filter(|s| !s.is_empty())
        .unwrap_or("Entretien");
    body.insert("service_type".into(), json!(service));
    if let Some(date) = hint["service_date"].as_str() {
        body.insert("service_date".into(), json!(date));
    }
    if let Some(cost) = hint["cost"].as_str() {
        body.insert("cost".into(), json!(cost));
    }
    if let Some(km) = hint["mileage"].as_i64() {
        body.insert("mileage".into(), json!(km));
    }
    let mut about = vec![document.title.clone()];
    if let Some(number) = hint["invoice_number"].as_str() {
        about.push(format!("facture n° {number}"));
    }
    if let Some(garage) = hint["garage_name"].as_str() {
        about.push(garage.to_string());
    }
    if let Some(services) = hint["services"].as_array().filter(|s| s.len() > 1) {
        let names: Vec<&str> = services.iter().filter_map(Value::as_str).collect();
        about.push(names.join(", "));
    }
    body.insert("description".into(), json!(about.join(" — ")));
    body
}

pub async fn create_maintenance(
    State(state): State<DocumentsState>,
    partition: Everything,
    Path(id): Path<String>,
    JsonBody(overrides): JsonBody,
) -> Result<Response> {
    let user = &partition.user;
    let document = owned(&state, &user.id, &id).await?;
    if let Some(existing) = document
        .maintenance_id
        .as_deref()
        .filter(|m| partition.fleet.maintenances.iter().any(|r| r.id == *m))
    {
        return Err(Error::Body {
            status: 409,
            body: json!({
                "error": "A maintenance was already recorded from this document.",
                "maintenance": existing,
            }),
        });
    }
    let readable = document.analysis_status == status::DONE
        && matches!(document.effective_type(), "invoice" | "maintenance");
    if !readable {
        return Err(Error::message(
            400,
            "Only an analysed invoice or maintenance document can prefill a maintenance.",
        ));
    }
    let mut body = suggested(&document);
    body.extend(overrides);
    if !body.contains_key("vehicle") {
        return Err(Error::field("vehicle", "This field is required."));
    }
    let fleet = &partition.fleet;
    let input = input::read(&body, false, true, user, |v| fleet.vehicle(v).is_some())?;
    let vehicle = input
        .vehicle
        .as_deref()
        .and_then(|v| fleet.vehicle(v))
        .ok_or_else(|| Error::internal("validated vehicle missing"))?
        .clone();
    let now = time::now();
    let mut record = Maintenance {
        id: uuid::Uuid::now_v7().to_string(),
        owner_id: user.id.clone(),
        vehicle_id: vehicle.id.clone(),
        service_date: now,
        service_type: String::new(),
        description: None,
        mileage: None,
        cost: None,
        status: COMPLETED.to_string(),
        invoice_url: None,
        performed_by: None,
        reminder_sent: false,
        created_at: now,
        updated_at: now,
        version: 0,
    };
    input.apply(&mut record);
    let mut also = odometer::after_record_change(
        &state.store,
        &fleet.reminders,
        &vehicle,
        &fleet.maintenances,
        &record,
        false,
        now,
    )?;
    let mut linked = document.clone();
    linked.maintenance_id = Some(record.id.clone());
    also.push(state.store.documents().tx_save(&document, &mut linked)?);
    state
        .store
        .maintenances()
        .create(
            &record,
            &vehicle,
            also,
            Default::default(),
            user.plan.as_ref(),
        )
        .await?;
    let mut answer = record.to_json(Some(&vehicle), user);
    answer["document"] = json!(document.id);
    Ok(created(answer))
}
