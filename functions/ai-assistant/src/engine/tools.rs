//! The tools the model may call. Each reads only the caller's `Facts`
//! (read from the caller's own partitions: the model never chooses whose
//! data), takes its arguments as untrusted JSON, and answers a bounded
//! JSON text.

use serde_json::{json, Value};
use shared::ai::Tool;
use shared::domain::dtc::{self, CodeTable, Lookup};
use shared::domain::maintenances::COMPLETED;

use super::data::{urgency, vehicle_name, Facts};

/// Items one tool answer lists at most.
pub const MAX_ITEMS: usize = 20;
/// Characters one tool answer holds at most.
pub const MAX_CHARS: usize = 4_000;
/// Longest free text of a record (a title, a description) in a tool answer.
const MAX_TEXT: usize = 200;

pub const LIST_VEHICLES: &str = "list_vehicles";
pub const VEHICLE_HISTORY: &str = "vehicle_history";
pub const REMINDERS_DUE: &str = "reminders_due";
pub const DIAGNOSTICS: &str = "diagnostics";
pub const FAULT_CODE: &str = "fault_code";

/// The answer when a vehicle argument names none of the caller's vehicles.
pub const NO_SUCH_VEHICLE: &str = "no such vehicle among yours";

fn object(properties: Value, required: &[&str]) -> Value {
    json!({
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

/// The tools, described with strict JSON schemas (every property required,
/// nothing else allowed; "any vehicle" is a null).
pub fn definitions() -> Vec<Tool> {
    let vehicle = json!({
        "type": "string",
        "description": "One of the owner's vehicles: its id from list_vehicles, or its make/model as the owner says it (e.g. \"208\", \"Clio\")."
    });
    let optional_vehicle = json!({
        "type": ["string", "null"],
        "description": "One of the owner's vehicles (id from list_vehicles, or make/model text); null for all of them."
    });
    vec![
        Tool {
            name: LIST_VEHICLES.into(),
            description: "The owner's vehicles: id, make, model, year, current mileage (km), plate."
                .into(),
            parameters: object(json!({}), &[]),
        },
        Tool {
            name: VEHICLE_HISTORY.into(),
            description: "A vehicle's maintenance records, newest first (date, service, mileage, cost, status), and a few totals."
                .into(),
            parameters: object(json!({ "vehicle": vehicle }), &["vehicle"]),
        },
        Tool {
            name: REMINDERS_DUE.into(),
            description: "The owner's active maintenance reminders, earliest deadline first: due date, due mileage, the date projected from the odometer trend, urgency (overdue, urgent, soon, later)."
                .into(),
            parameters: object(json!({ "vehicle": optional_vehicle }), &["vehicle"]),
        },
        Tool {
            name: DIAGNOSTICS.into(),
            description: "The owner's diagnostics (reported problems), newest first: title, status, fault codes, symptoms, analysis summary."
                .into(),
            parameters: object(json!({ "vehicle": optional_vehicle }), &["vehicle"]),
        },
        Tool {
            name: FAULT_CODE.into(),
            description: "What the generic OBD-II fault-code table says of a code (e.g. P0301): title, category, likely causes, repair cost estimate."
                .into(),
            parameters: object(
                json!({ "code": {"type": "string", "description": "An OBD-II code such as P0301."} }),
                &["code"],
            ),
        },
    ]
}

/// Runs one tool call: the answer text for the model (an error text for an
/// unknown tool or arguments that are not the schema's).
pub fn run(facts: &Facts, name: &str, arguments: &str) -> String {
    let args: Value = match serde_json::from_str(arguments) {
        Ok(Value::Object(map)) => Value::Object(map),
        Ok(Value::Null) => json!({}),
        _ if arguments.trim().is_empty() => json!({}),
        _ => return error("the arguments are not a JSON object"),
    };
    let vehicle = args.get("vehicle").and_then(Value::as_str);
    let value = match name {
        LIST_VEHICLES => list_vehicles(facts),
        VEHICLE_HISTORY => match vehicle {
            Some(v) => vehicle_history(facts, v),
            None => return error("vehicle is required"),
        },
        REMINDERS_DUE => reminders_due(facts, vehicle),
        DIAGNOSTICS => diagnostics(facts, vehicle),
        FAULT_CODE => match args.get("code").and_then(Value::as_str) {
            Some(code) => fault_code(code),
            None => return error("code is required"),
        },
        _ => return error("unknown tool"),
    };
    bounded(value)
}

fn error(text: &str) -> String {
    json!({ "error": text }).to_string()
}

use shared::domain::assistant::bounded as cut;

fn date(d: &chrono::DateTime<chrono::Utc>) -> String {
    d.date_naive().to_string()
}

/// The answer as JSON text within `MAX_CHARS`: the longest list inside is
/// shortened until it fits (and marked truncated).
pub fn bounded(mut value: Value) -> String {
    loop {
        let text = value.to_string();
        if text.chars().count() <= MAX_CHARS {
            return text;
        }
        let Some(list) = longest_list(&mut value) else {
            return error("the answer is too long");
        };
        list.pop();
        if let Value::Object(map) = &mut value {
            map.insert("truncated".into(), Value::Bool(true));
        }
    }
}

fn longest_list(value: &mut Value) -> Option<&mut Vec<Value>> {
    let map = value.as_object_mut()?;
    map.values_mut()
        .filter_map(Value::as_array_mut)
        .filter(|a| !a.is_empty())
        .max_by_key(|a| a.len())
}

/// The caller's vehicles when an argument matches none of them.
fn no_such_vehicle(facts: &Facts) -> Value {
    json!({
        "error": NO_SUCH_VEHICLE,
        "your_vehicles": facts.vehicles.iter().take(MAX_ITEMS).map(|v| json!({
            "id": v.id, "name": vehicle_name(v)
        })).collect::<Vec<_>>(),
    })
}

pub fn list_vehicles(facts: &Facts) -> Value {
    let vehicles: Vec<Value> = facts
        .vehicles
        .iter()
        .take(MAX_ITEMS)
        .map(|v| {
            json!({
                "id": v.id,
                "make": cut(&v.make, MAX_TEXT),
                "model": cut(&v.model, MAX_TEXT),
                "year": v.year,
                "mileage_km": v.mileage,
                "license_plate": v.license_plate,
                "fuel_type": v.fuel_type,
            })
        })
        .collect();
    json!({ "count": facts.vehicles.len(), "vehicles": vehicles })
}

pub fn vehicle_history(facts: &Facts, argument: &str) -> Value {
    let matched = facts.matching(argument);
    if matched.is_empty() {
        return no_such_vehicle(facts);
    }
    let per_vehicle = (MAX_ITEMS / matched.len().min(3)).max(1);
    let vehicles: Vec<Value> = matched
        .iter()
        .take(3)
        .map(|v| {
            let records = facts.maintenances_of(&v.id);
            let done: Vec<_> = records.iter().filter(|m| m.status == COMPLETED).collect();
            let total_cents: i64 = done.iter().filter_map(|m| m.cost).sum();
            json!({
                "vehicle": {"id": v.id, "name": vehicle_name(v), "mileage_km": v.mileage},
                "stats": {
                    "records": records.len(),
                    "completed": done.len(),
                    "total_cost_eur": total_cents as f64 / 100.0,
                    "last_service": done.first().map(|m| date(&m.service_date)),
                    "last_service_mileage_km": done.first().and_then(|m| m.mileage),
                },
                "records": records.iter().take(per_vehicle).map(|m| json!({
                    "date": date(&m.service_date),
                    "service": cut(&m.service_type, MAX_TEXT),
                    "description": m.description.as_deref().map(|d| cut(d, MAX_TEXT)),
                    "mileage_km": m.mileage,
                    "cost_eur": m.cost.map(|c| c as f64 / 100.0),
                    "status": m.status,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({ "vehicles": vehicles })
}

pub fn reminders_due(facts: &Facts, vehicle: Option<&str>) -> Value {
    let scope: Option<Vec<String>> = match vehicle.map(str::trim).filter(|v| !v.is_empty()) {
        None => None,
        Some(argument) => {
            let matched = facts.matching(argument);
            if matched.is_empty() {
                return no_such_vehicle(facts);
            }
            Some(matched.iter().map(|v| v.id.clone()).collect())
        }
    };
    let chosen: Vec<_> = facts
        .reminders
        .iter()
        .filter(|r| scope.as_ref().is_none_or(|ids| ids.contains(&r.vehicle_id)))
        .collect();
    json!({
        "today": date(&facts.now),
        "count": chosen.len(),
        "reminders": chosen.iter().take(MAX_ITEMS).map(|r| json!({
            "vehicle": facts.vehicle_name(&r.vehicle_id),
            "vehicle_id": r.vehicle_id,
            "title": cut(&r.title, MAX_TEXT),
            "service_type": cut(&r.service_type, MAX_TEXT),
            "due_date": r.due_date.as_ref().map(date),
            "due_mileage_km": r.due_mileage,
            "odometer_km": r.odometer.map(|t| t.km),
            "km_per_day": r.odometer.and_then(|t| t.km_per_day).map(|k| (k * 10.0).round() / 10.0),
            "projected_due_date": r.projected_due_date().as_ref().map(date),
            "effective_due": r.effective_due().as_ref().map(date),
            "urgency": urgency(r, facts.now),
        })).collect::<Vec<_>>(),
    })
}

pub fn diagnostics(facts: &Facts, vehicle: Option<&str>) -> Value {
    let scope: Option<Vec<String>> = match vehicle.map(str::trim).filter(|v| !v.is_empty()) {
        None => None,
        Some(argument) => {
            let matched = facts.matching(argument);
            if matched.is_empty() {
                return no_such_vehicle(facts);
            }
            Some(matched.iter().map(|v| v.id.clone()).collect())
        }
    };
    let chosen: Vec<_> = facts
        .diagnostics
        .iter()
        .filter(|d| scope.as_ref().is_none_or(|ids| ids.contains(&d.vehicle_id)))
        .collect();
    json!({
        "count": chosen.len(),
        "diagnostics": chosen.iter().take(10).map(|d| json!({
            "vehicle": facts.vehicle_name(&d.vehicle_id),
            "date": date(&d.created_at),
            "title": cut(&d.title, MAX_TEXT),
            "status": d.status,
            "fault_codes": d.fault_codes.iter().take(10).collect::<Vec<_>>(),
            "symptoms": d.symptoms.iter().take(10).map(|s| cut(s, 100)).collect::<Vec<_>>(),
            "mileage_km": d.mileage,
            "analysis": d.ai_analysis.as_deref().map(|a| cut(a, 300)),
        })).collect::<Vec<_>>(),
    })
}

pub fn fault_code(code: &str) -> Value {
    let code = match dtc::normalize(code) {
        Ok(code) => code,
        Err(message) => return json!({ "error": message }),
    };
    match CodeTable::embedded().lookup(&code) {
        Lookup::Known(f) => json!({
            "code": f.code,
            "status": "known",
            "title": f.title_en,
            "category": f.category,
            "components": f.components.iter().take(5).collect::<Vec<_>>(),
            "causes": f.causes.iter().take(6).map(|c| json!({
                "cause": c.en, "likelihood": c.likelihood
            })).collect::<Vec<_>>(),
            "estimated_cost_eur": f.repair.as_ref().and_then(|r| r.estimated_cost_eur),
            "difficulty": f.repair.as_ref().and_then(|r| r.difficulty.clone()),
            "check_engine_light": f.flags.mil,
            "limp_mode_possible": f.flags.limp_mode_possible,
        }),
        Lookup::ManufacturerSpecific => json!({
            "code": code,
            "status": "manufacturer_specific",
            "note": "The meaning of this code depends on the make: read it with the manufacturer's documentation or a garage's tool.",
        }),
        Lookup::Unknown => json!({
            "code": code,
            "status": "unknown",
            "note": "The generic table does not list this code.",
        }),
    }
}
