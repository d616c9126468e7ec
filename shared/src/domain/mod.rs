//! Entities and business rules, without I/O. One module per resource group.

pub mod users;
pub mod vehicles;
