//! Per-user limits, enforced atomically at write time (a counter and a
//! condition in the write's own transaction), so concurrent requests cannot
//! exceed them. They keep every request's reads and transactions bounded.

/// Vehicles one account may hold.
pub const MAX_VEHICLES_PER_USER: i64 = 50;

/// Maintenance records of one vehicle (planned and done).
pub const MAX_MAINTENANCES_PER_VEHICLE: i64 = 500;

/// Active reminders of one vehicle: every odometer change rewrites them in
/// one transaction, which holds at most 100 items.
pub const MAX_ACTIVE_REMINDERS_PER_VEHICLE: i64 = 50;

/// Notifications kept per user; past it, the oldest are dropped.
pub const MAX_NOTIFICATIONS_KEPT: i64 = 500;

pub fn vehicles_reached() -> String {
    format!("An account can hold at most {MAX_VEHICLES_PER_USER} vehicles.")
}

pub fn maintenances_reached() -> String {
    format!("A vehicle can have at most {MAX_MAINTENANCES_PER_VEHICLE} maintenance records.")
}

pub fn reminders_reached() -> String {
    format!("A vehicle can have at most {MAX_ACTIVE_REMINDERS_PER_VEHICLE} active reminders.")
}
