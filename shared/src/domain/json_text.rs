//! serde adapter storing a free JSON value (metadata, custom settings) as
//! its JSON text: the item keeps exactly what the client sent, whatever its
//! shape (DynamoDB has no type for a bare JSON null inside lists of mixed
//! numbers, and numbers would come back as floats).

use serde::{Deserialize, Deserializer, Serializer};
use serde_json::Value;

pub fn serialize<S: Serializer>(value: &Value, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&value.to_string())
}

pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
    let raw = String::deserialize(d)?;
    serde_json::from_str(&raw).map_err(serde::de::Error::custom)
}
