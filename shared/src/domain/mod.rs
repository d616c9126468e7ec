//! Entities and business rules, without I/O. One module per resource group.

pub mod catalog;
pub mod maintenances;
pub mod money;
pub mod users;
pub mod vehicles;
