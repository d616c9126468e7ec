//! Entities and business rules, without I/O. One module per resource group.

pub mod assistant;
pub mod diagnosis;
pub mod diagnostics;
pub mod documents;
pub mod dtc;
#[cfg(any(test, feature = "samples"))]
pub mod file_samples;
pub mod files;
pub mod garages;
pub mod geo;
mod json_text;
pub mod limits;
pub mod maintenances;
pub mod money;
pub mod notifications;
pub mod odometer;
pub mod plans;
pub mod reminders;
pub mod settings;
pub mod subscriptions;
pub mod users;
pub mod vehicles;
pub mod webhooks;

/// A text cut to `max` characters (on a character boundary): what is kept
/// of a text longer than its field holds.
pub fn bounded(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}
