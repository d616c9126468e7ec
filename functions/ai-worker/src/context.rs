//! What an analysis knows: the diagnostic and its thread, the vehicle and
//! its recent maintenance, all read from the job's owner's partitions
//! (the job names the owner; no other user's data can be reached).

use shared::domain::diagnosis::Complaint;
use shared::domain::diagnostics::{Diagnostic, Reply, SENDER_USER};
use shared::domain::maintenances::Maintenance;
use shared::domain::vehicles::Vehicle;
use shared::store::fleet::FleetParts;
use shared::Error;

use crate::AiState;

/// The owner's follow-up messages an analysis reads (the newest).
pub const FOLLOW_UPS: usize = 10;
/// The vehicle's maintenance records an analysis reads (the newest).
pub const HISTORY: usize = 10;

#[derive(Clone, Debug)]
pub struct Context {
    pub diagnostic: Diagnostic,
    pub vehicle: Option<Vehicle>,
    /// Newest first.
    pub maintenances: Vec<Maintenance>,
    /// The owner's replies, oldest first.
    pub follow_ups: Vec<Reply>,
}

impl Context {
    /// Reads everything at the same time (the diagnostic and its thread,
    /// the owner's vehicles and maintenances).
    pub async fn read(state: &AiState, diagnostic: Diagnostic) -> Result<Context, Error> {
        let owner = diagnostic.owner_id.clone();
        let parts = FleetParts {
            vehicles: true,
            maintenances: true,
            ..Default::default()
        };
        let diagnostics = state.store.diagnostics();
        let (thread, fleet) = tokio::try_join!(
            diagnostics.thread(&owner, &diagnostic.id),
            state.store.fleet(&owner, parts),
        )?;
        let mut maintenances = fleet.maintenances_of(&diagnostic.vehicle_id);
        maintenances.sort_by_key(|m| std::cmp::Reverse(m.service_date));
        maintenances.truncate(HISTORY);
        let mut follow_ups: Vec<Reply> = thread
            .into_iter()
            .filter(|r| r.sender_type == SENDER_USER)
            .collect();
        let skip = follow_ups.len().saturating_sub(FOLLOW_UPS);
        follow_ups.drain(..skip);
        Ok(Context {
            vehicle: fleet.vehicle(&diagnostic.vehicle_id).cloned(),
            diagnostic,
            maintenances,
            follow_ups,
        })
    }

    /// The report as the rules read it: title, description and follow-ups.
    pub fn complaint(&self) -> Complaint {
        let d = &self.diagnostic;
        let mut text = format!("{}\n{}", d.title, d.description);
        for r in &self.follow_ups {
            text.push('\n');
            text.push_str(&r.message);
        }
        Complaint {
            text,
            symptoms: d.symptoms.clone(),
            codes: d.fault_codes.clone(),
        }
    }
}
