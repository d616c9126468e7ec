//! The table definition. It exists once, in `infra/table.json`; the local
//! bootstrap and the tests create tables from it here, and a test keeps
//! `template.yaml` equal to it.

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TimeToLiveSpecification,
};
use aws_sdk_dynamodb::Client;
use serde::Deserialize;

use super::sdk_error;
use crate::error::Error;

/// The definition, as written in `infra/table.json`.
pub const DEFINITION_JSON: &str = include_str!("../../../infra/table.json");

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TableDefinition {
    pub attribute_definitions: Vec<AttributeDef>,
    pub key_schema: Vec<KeyDef>,
    pub billing_mode: String,
    pub global_secondary_indexes: Vec<IndexDef>,
    pub time_to_live_specification: TtlDef,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeDef {
    pub attribute_name: String,
    pub attribute_type: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyDef {
    pub attribute_name: String,
    pub key_type: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IndexDef {
    pub index_name: String,
    pub key_schema: Vec<KeyDef>,
    pub projection: ProjectionDef,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProjectionDef {
    pub projection_type: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TtlDef {
    pub attribute_name: String,
    pub enabled: bool,
}

pub fn definition() -> TableDefinition {
    serde_json::from_str(DEFINITION_JSON).expect("infra/table.json is valid (checked by tests)")
}

fn key_schema(keys: &[KeyDef]) -> Result<Vec<KeySchemaElement>, Error> {
    keys.iter()
        .map(|k| {
            KeySchemaElement::builder()
                .attribute_name(&k.attribute_name)
                .key_type(KeyType::from(k.key_type.as_str()))
                .build()
                .map_err(Error::internal)
        })
        .collect()
}

/// Creates a table named `name` from the definition and turns TTL on.
/// An existing table of that name is left as it is.
pub async fn create(client: &Client, name: &str) -> Result<(), Error> {
    let def = definition();
    let mut req = client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::from(def.billing_mode.as_str()))
        .set_key_schema(Some(key_schema(&def.key_schema)?));
    for attr in &def.attribute_definitions {
        req = req.attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(&attr.attribute_name)
                .attribute_type(ScalarAttributeType::from(attr.attribute_type.as_str()))
                .build()
                .map_err(Error::internal)?,
        );
    }
    for index in &def.global_secondary_indexes {
        req = req.global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name(&index.index_name)
                .set_key_schema(Some(key_schema(&index.key_schema)?))
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::from(
                            index.projection.projection_type.as_str(),
                        ))
                        .build(),
                )
                .build()
                .map_err(Error::internal)?,
        );
    }
    match req.send().await {
        Ok(_) => {}
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_resource_in_use_exception()) =>
        {
            return Ok(())
        }
        Err(e) => return Err(sdk_error(e)),
    }
    client
        .update_time_to_live()
        .table_name(name)
        .time_to_live_specification(
            TimeToLiveSpecification::builder()
                .attribute_name(&def.time_to_live_specification.attribute_name)
                .enabled(def.time_to_live_specification.enabled)
                .build()
                .map_err(Error::internal)?,
        )
        .send()
        .await
        .map_err(sdk_error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definition_parses_and_names_every_key_attribute() {
        let def = definition();
        let declared: Vec<&str> = def
            .attribute_definitions
            .iter()
            .map(|a| a.attribute_name.as_str())
            .collect();
        for key in def.key_schema.iter().chain(
            def.global_secondary_indexes
                .iter()
                .flat_map(|i| i.key_schema.iter()),
        ) {
            assert!(
                declared.contains(&key.attribute_name.as_str()),
                "{}",
                key.attribute_name
            );
        }
        assert_eq!(
            def.time_to_live_specification.attribute_name,
            crate::store::keys::EXPIRES_AT
        );
    }
}
