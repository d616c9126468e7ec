//! What the assistant may read: the caller's own fleet (vehicles,
//! maintenances, reminders, diagnostics), read once per answer from the
//! caller's partitions, and how a vehicle named in a question or a tool
//! argument is found among the caller's own vehicles only.

use chrono::{DateTime, Utc};
use shared::domain::diagnostics::Diagnostic;
use shared::domain::maintenances::{Maintenance, CANCELLED};
use shared::domain::reminders::{vehicle_trend, Reminder, Urgency};
use shared::domain::vehicles::Vehicle;
use shared::store::fleet::FleetParts;
use shared::store::Store;

/// The caller's data, as read for one answer.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    pub vehicles: Vec<Vehicle>,
    /// Newest first.
    pub maintenances: Vec<Maintenance>,
    /// Active ones only, refreshed with the vehicle's odometer trend now,
    /// earliest deadline (known or projected) first.
    pub reminders: Vec<Reminder>,
    /// Newest first.
    pub diagnostics: Vec<Diagnostic>,
    pub now: DateTime<Utc>,
}

impl Facts {
    /// Everything of `owner_id` the tools use, in one concurrent read.
    pub async fn read(store: &Store, owner_id: &str) -> shared::Result<Facts> {
        let parts = FleetParts {
            vehicles: true,
            maintenances: true,
            reminders: true,
            documents: false,
            diagnostics: true,
        };
        let fleet = store.fleet(owner_id, parts).await?;
        let now = shared::time::now();
        let mut diagnostics = fleet.diagnostics()?;
        // Defence in depth: the partitions are the owner's, keep it so.
        diagnostics.retain(|d| d.owner_id == owner_id);
        diagnostics.sort_by_key(|d| std::cmp::Reverse(d.created_at));
        let mut vehicles = fleet.vehicles.clone();
        vehicles.retain(|v| v.owner_id == owner_id);
        vehicles.sort_by_key(|v| v.created_at);
        let mut maintenances: Vec<Maintenance> = fleet
            .maintenances
            .iter()
            .filter(|m| m.owner_id == owner_id && m.status != CANCELLED)
            .cloned()
            .collect();
        maintenances.sort_by_key(|m| std::cmp::Reverse(m.service_date));
        let mut reminders: Vec<Reminder> = fleet
            .reminders
            .iter()
            .filter(|r| r.owner_id == owner_id && r.is_active())
            .map(|r| match vehicles.iter().find(|v| v.id == r.vehicle_id) {
                Some(v) => r.refreshed(vehicle_trend(v, &fleet.maintenances, now)),
                None => r.clone(),
            })
            .collect();
        reminders.sort_by_key(|r| r.effective_due().unwrap_or(DateTime::<Utc>::MAX_UTC));
        Ok(Facts {
            vehicles,
            maintenances,
            reminders,
            diagnostics,
            now,
        })
    }

    pub fn vehicle(&self, id: &str) -> Option<&Vehicle> {
        self.vehicles.iter().find(|v| v.id == id)
    }

    /// "Peugeot 208 (2019)", or a placeholder for a record whose vehicle is gone.
    pub fn vehicle_name(&self, id: &str) -> String {
        self.vehicle(id)
            .map(vehicle_name)
            .unwrap_or_else(|| "?".to_string())
    }

    /// The vehicles an argument names: the caller's vehicle with that id,
    /// or those whose make, model, year or plate the text names. Anything
    /// else (another user's id included) matches nothing.
    pub fn matching(&self, argument: &str) -> Vec<&Vehicle> {
        let argument = argument.trim();
        if argument.is_empty() {
            return Vec::new();
        }
        if let Some(v) = self
            .vehicles
            .iter()
            .find(|v| v.id.eq_ignore_ascii_case(argument))
        {
            return vec![v];
        }
        // An id that is not one of the caller's: never matched by text.
        if uuid::Uuid::parse_str(argument).is_ok() {
            return Vec::new();
        }
        // A plate, however it is written ("AB-123-CD", "ab 123 cd").
        let plate = alphanumeric(argument);
        let by_plate: Vec<&Vehicle> = self
            .vehicles
            .iter()
            .filter(|v| {
                v.license_plate
                    .as_deref()
                    .is_some_and(|p| !plate.is_empty() && alphanumeric(p) == plate)
            })
            .collect();
        if !by_plate.is_empty() {
            return by_plate;
        }
        self.named_in(argument, true)
    }

    /// The vehicles a free text mentions (a question: "la 208", "my Clio").
    pub fn mentioned_in(&self, text: &str) -> Vec<&Vehicle> {
        self.named_in(text, false)
    }

    fn named_in(&self, text: &str, loose: bool) -> Vec<&Vehicle> {
        let tokens = words(text);
        let scored: Vec<(usize, &Vehicle)> = self
            .vehicles
            .iter()
            .map(|v| (score(v, &tokens, loose), v))
            .filter(|(s, _)| *s > 0)
            .collect();
        let best = scored.iter().map(|(s, _)| *s).max().unwrap_or(0);
        scored
            .into_iter()
            .filter(|(s, _)| *s == best)
            .map(|(_, v)| v)
            .collect()
    }

    /// The maintenances of one vehicle, newest first.
    pub fn maintenances_of(&self, vehicle_id: &str) -> Vec<&Maintenance> {
        self.maintenances
            .iter()
            .filter(|m| m.vehicle_id == vehicle_id)
            .collect()
    }
}

pub fn vehicle_name(v: &Vehicle) -> String {
    format!("{} {} ({})", v.make.trim(), v.model.trim(), v.year)
}

/// The urgency of a reminder now, or "later".
pub fn urgency(r: &Reminder, now: DateTime<Utc>) -> &'static str {
    r.urgency_at(now).map(Urgency::as_str).unwrap_or("later")
}

/// Lower case, without the French accents, for keyword rules.
pub fn fold(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'â' | 'ä' | 'á' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' | 'í' => 'i',
            'ô' | 'ö' | 'ó' => 'o',
            'ù' | 'û' | 'ü' | 'ú' => 'u',
            'ç' => 'c',
            '’' => '\'',
            other => other,
        })
        .collect()
}

/// The words of a text (folded), split on anything not a letter or digit.
pub fn words(text: &str) -> Vec<String> {
    fold(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

fn alphanumeric(text: &str) -> String {
    fold(text).chars().filter(|c| c.is_alphanumeric()).collect()
}

/// Words that name nothing in particular.
const STOP: &[&str] = &[
    "my", "the", "a", "of", "on", "for", "ma", "mon", "la", "le", "les", "de", "du", "des", "sur",
    "car", "voiture", "vehicle", "vehicule", "auto",
];

fn score(v: &Vehicle, tokens: &[String], loose: bool) -> usize {
    let make = words(&v.make);
    let model = words(&v.model);
    let plate = alphanumeric(v.license_plate.as_deref().unwrap_or(""));
    let year = v.year.to_string();
    let joined = fold(&format!("{} {}", v.make, v.model));
    let mut score = 0;
    for token in tokens {
        if STOP.contains(&token.as_str()) {
            continue;
        }
        if model.contains(token) {
            score += 3;
        } else if make.contains(token) {
            score += 2;
        } else if !plate.is_empty() && *token == plate {
            score += 3;
        } else if loose
            && (*token == year || (token.chars().count() >= 3 && joined.contains(token.as_str())))
        {
            score += 1;
        }
    }
    score
}
