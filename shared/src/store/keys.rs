//! Every key format of the table, in one place. Nothing outside this module
//! spells a `pk`, `sk` or GSI key.
//!
//! A user's own data lives under `USER#<id>`, so isolation is a property of
//! the key. Uniqueness guards live in their own partitions
//! (`UNIQUE#<KIND>#<value>`) and are written in the same transaction as the
//! item they protect.

/// Attribute names.
pub const PK: &str = "pk";
pub const SK: &str = "sk";
pub const GSI1PK: &str = "gsi1pk";
pub const GSI1SK: &str = "gsi1sk";
pub const GSI2PK: &str = "gsi2pk";
pub const GSI2SK: &str = "gsi2sk";
/// TTL attribute (epoch seconds); DynamoDB deletes late, so readers check it.
pub const EXPIRES_AT: &str = "expires_at";

/// The attribute naming an item's type, and its values.
pub const ENTITY: &str = "entity";

pub mod entity {
    pub const USER: &str = "USER";
    pub const SESSION: &str = "SESSION";
    pub const EMAIL_CODE: &str = "EMAIL_CODE";
    pub const EMAIL_GUARD: &str = "EMAIL_GUARD";
    pub const VEHICLE: &str = "VEHICLE";
    pub const VIN_GUARD: &str = "VIN_GUARD";
    pub const MAINTENANCE: &str = "MAINTENANCE";
    pub const BRAND: &str = "BRAND";
    pub const CAR_MODEL: &str = "CAR_MODEL";
    pub const NAME_GUARD: &str = "NAME_GUARD";
}

/// Index names.
pub const GSI1: &str = "gsi1";
pub const GSI2: &str = "gsi2";

const GUARD_SK: &str = "UNIQUE";

pub fn user_pk(user_id: &str) -> String {
    format!("USER#{user_id}")
}

/// The user's own record.
pub const USER_PROFILE_SK: &str = "PROFILE";

/// Refresh-token sessions of a user: `SESSION#<session id>`.
pub const SESSION_PREFIX: &str = "SESSION#";

pub fn session_sk(session_id: &str) -> String {
    format!("{SESSION_PREFIX}{session_id}")
}

/// The pending e-mail verification code of a user (one at a time).
pub const EMAIL_OTP_SK: &str = "OTP#EMAIL_VERIFICATION";

/// Guard making an e-mail address unique (case-insensitive: `email` is the
/// normalised, lower-cased address).
pub fn email_guard(email: &str) -> (String, String) {
    (format!("UNIQUE#EMAIL#{email}"), GUARD_SK.to_string())
}

/// GSI1 key of a user record: login looks the user up by e-mail.
pub fn user_by_email(email: &str) -> (String, String) {
    (format!("EMAIL#{email}"), "USER".to_string())
}

/// A vehicle, under its owner's partition: `VEHICLE#<vehicle id>`.
pub const VEHICLE_PREFIX: &str = "VEHICLE#";

pub fn vehicle_sk(vehicle_id: &str) -> String {
    format!("{VEHICLE_PREFIX}{vehicle_id}")
}

/// Guard making a VIN unique across all users.
pub fn vin_guard(vin: &str) -> (String, String) {
    (format!("UNIQUE#VIN#{vin}"), GUARD_SK.to_string())
}

/// The full key of a guard from the partition key that items list in `guards`.
pub fn guard_key(guard_pk: &str) -> (String, String) {
    (guard_pk.to_string(), GUARD_SK.to_string())
}

/// Reference data: every brand in one partition, every model in another
/// (hundreds of items: one Query reads a whole catalogue).
pub const BRANDS_PK: &str = "CATALOG#BRANDS";
pub const MODELS_PK: &str = "CATALOG#MODELS";

pub fn brand_sk(brand_id: &str) -> String {
    format!("BRAND#{brand_id}")
}

pub fn model_sk(model_id: &str) -> String {
    format!("MODEL#{model_id}")
}

/// Guard making a brand name unique (case-insensitive key).
pub fn brand_name_guard(name_key: &str) -> (String, String) {
    (format!("UNIQUE#BRAND#{name_key}"), GUARD_SK.to_string())
}

/// Guard making a model name unique within its brand.
pub fn model_name_guard(brand_id: &str, name_key: &str) -> (String, String) {
    (
        format!("UNIQUE#MODEL#{brand_id}#{name_key}"),
        GUARD_SK.to_string(),
    )
}

/// A maintenance, under its owner's partition: `MAINT#<maintenance id>`
/// (the vehicle is an attribute; a vehicle's maintenances are read with the
/// partition).
pub const MAINTENANCE_PREFIX: &str = "MAINT#";

pub fn maintenance_sk(maintenance_id: &str) -> String {
    format!("{MAINTENANCE_PREFIX}{maintenance_id}")
}

/// Sparse GSI2 key of a SCHEDULED maintenance: upcoming and overdue are a
/// range on the service date, and only scheduled items are in the index.
pub fn scheduled_by_date(
    owner_id: &str,
    service_date: &str,
    maintenance_id: &str,
) -> (String, String) {
    (
        format!("SCHEDULED#{owner_id}"),
        format!("{service_date}#{maintenance_id}"),
    )
}

pub fn scheduled_partition(owner_id: &str) -> String {
    format!("SCHEDULED#{owner_id}")
}
