//! The store's section: which DynamoDB table.

use super::Env;

#[derive(Clone, Debug)]
pub struct StoreConfig {
    pub table_name: String,
}

impl StoreConfig {
    pub fn read(env: &mut Env) -> Self {
        Self {
            table_name: env
                .required("TABLE_NAME", "the DynamoDB table name")
                .unwrap_or_default(),
        }
    }
}
